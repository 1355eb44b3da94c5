"""Forms of every app render with the Bootstrap classes and the error wiring (issue 15: the proposals, meetings,
reports, idea and decision forms were unstyled)."""

from __future__ import annotations

import pytest
from django import forms
from django.template import Context, Template

from governance.forms import DecisionForm, IdeaForm, MeetingForm, ProposalForm

FIELD = Template('{% for field in form %}{% include "includes/form_field.html" %}{% endfor %}')


class _Example(forms.Form):
    name = forms.CharField(help_text="Say it")
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    many = forms.MultipleChoiceField(choices=[("a", "A")], required=False)
    flag = forms.BooleanField(required=False)


def test_the_bootstrap_filter_styles_each_kind_of_widget_and_ties_errors_to_fields():
    html = FIELD.render(Context({"form": _Example(data={"kind": "a"})}))
    assert 'class="form-control is-invalid"' in html and 'aria-invalid="true"' in html
    assert 'aria-describedby="id_name_help id_name_error"' in html
    assert '<select name="kind" class="form-select"' in html
    assert "form-select" in html.split('name="many"')[1].split(">")[0]
    assert 'type="checkbox" name="flag" class="form-check-input"' in html


@pytest.mark.django_db
def test_governance_forms_use_bootstrap_classes(agreement):
    from tests.factories import ProjectFactory

    project = ProjectFactory(agreement=agreement)
    for form in (ProposalForm(project=project), MeetingForm(), IdeaForm(agreement=None)):
        html = FIELD.render(Context({"form": form}))
        for tag in ("<input", "<select", "<textarea"):
            for piece in html.split(tag)[1:]:
                attrs = piece.split(">")[0]
                if 'type="hidden"' in attrs:
                    continue
                assert "form-control" in attrs or "form-select" in attrs or "form-check-input" in attrs, \
                    f"{type(form).__name__}: {tag}{attrs}>"


def test_radio_fields_render_as_a_fieldset_of_bootstrap_radios():
    form = DecisionForm.__new__(DecisionForm)
    forms.Form.__init__(form)
    form.fields = {"outcome": DecisionForm.base_fields["outcome"]}
    html = FIELD.render(Context({"form": form}))
    assert "<fieldset" in html and "<legend" in html
    assert 'type="radio" class="form-check-input"' in html

"""The shared project FilterSet: each contract filter narrows the list as documented."""

import datetime as dt

import pytest

from portfolio.filters import ProjectFilter
from portfolio.models import Priority, Project, ProjectPartner, Theme
from tests.factories import FundingLineFactory, OrganisationFactory, ProjectFactory, instrument

pytestmark = pytest.mark.django_db


def _request():  # type: ignore[no-untyped-def]
    """The FilterSet scopes its choices to the request's user: a superuser sees every agreement."""
    from django.test import RequestFactory

    from tests.factories import UserFactory

    request = RequestFactory().get("/projects/")
    request.user = UserFactory(username="filter-root", is_superuser=True)
    return request


def _codes(params: dict) -> set[str]:
    f = ProjectFilter(params, queryset=Project.objects.all(), request=_request())
    assert f.is_valid(), f.errors
    qs = f.qs
    codes = list(qs.values_list("code", flat=True))
    assert len(codes) == len(set(codes)), "filters must not duplicate rows"
    return set(codes)


@pytest.fixture
def projects(agreement):
    p2 = Priority.objects.get(agreement=agreement, code=2)
    lead = OrganisationFactory(name="Lead Oy")
    partner = OrganisationFactory(name="Partner Oy")
    theme = Theme.objects.create(agreement=agreement, slug="zq-mobility", name="Mobility", name_fi="Liikkuminen")
    a = ProjectFactory(agreement=agreement, code="A-1", title="Älykäs liikenne", title_fi="Älykäs liikenne",
                       lead_organisation=lead, methods=[1, 2], status="running",
                       start_date=dt.date(2022, 1, 1), end_date=dt.date(2023, 6, 30),
                       internationalisation="EU networks")
    b = ProjectFactory(agreement=agreement, code="B-2", priority=p2, methods=[3], status="idea",
                       start_date=None, end_date=None, summary_fi="Terveysteknologian testialusta")
    ProjectPartner.objects.create(project=b, organisation=partner)
    ProjectPartner.objects.create(project=a, organisation=partner)
    a.themes.add(theme)
    FundingLineFactory(project=a, instrument=instrument("ERDF"), year=2022)
    FundingLineFactory(project=a, instrument=instrument("CITY"), year=2022)
    FundingLineFactory(project=b, instrument=instrument("ESF"), year=2025)
    FundingLineFactory(project=b, instrument=instrument("ERDF"), year=2026)
    return {"a": a, "b": b, "lead": lead, "partner": partner}


def test_no_filters_lists_all(projects):
    assert {"A-1", "B-2"} <= _codes({})


def test_priority_and_method_codes(projects):
    assert _codes({"priority": "2"}) == {"B-2"}
    assert "A-1" in _codes({"method": "2"})
    assert "B-2" not in _codes({"method": "2"})
    assert _codes({"method": "3", "agreement": projects["a"].agreement_id}) == {"B-2"}


def test_status_and_agreement(projects, other_agreement):
    ProjectFactory(agreement=other_agreement, code="X-9")
    assert _codes({"status": "idea"}) == {"B-2"}
    assert "X-9" not in _codes({"agreement": projects["a"].agreement_id})
    assert _codes({"agreement": other_agreement.pk}) == {"X-9"}


def test_organisation_lead_or_partner(projects):
    assert _codes({"organisation": projects["lead"].pk}) == {"A-1"}
    assert _codes({"organisation": projects["partner"].pk}) == {"A-1", "B-2"}


def test_instrument_via_funding_lines(projects):
    assert _codes({"instrument": "ESF"}) == {"B-2"}
    assert {"A-1", "B-2"} <= _codes({"instrument": "ERDF"})


def test_year_is_funding_line_year_or_running(projects):
    assert "A-1" in _codes({"year": "2023"})  # running, no lines in 2023
    assert "B-2" in _codes({"year": "2025"})  # line only
    assert "A-1" not in _codes({"year": "2025"})
    assert "B-2" not in _codes({"year": "2023"})


def test_instrument_and_year_mean_one_line_with_both(projects):
    erdf_2026 = _codes({"instrument": "ERDF", "year": "2026"})
    assert "B-2" in erdf_2026 and "A-1" not in erdf_2026
    assert _codes({"instrument": "ESF", "year": "2026"}) == set()
    assert _codes({"instrument": "ESF", "year": "2025"}) == {"B-2"}


def test_theme_internationalisation_and_q(projects):
    assert _codes({"theme": "zq-mobility"}) == {"A-1"}
    assert "A-1" in _codes({"internationalisation": "true"})
    assert "A-1" not in _codes({"internationalisation": "false"})
    assert "B-2" in _codes({"internationalisation": "false"})
    assert _codes({"q": "terveysteknologian"}) == {"B-2"}
    assert _codes({"q": "a-1"}) == {"A-1"}
    assert _codes({"q": "lykäs liik"}) == {"A-1"}


def test_ordering(projects):
    f = ProjectFilter({"ordering": "-code", "agreement": projects["a"].agreement_id},
                      queryset=Project.objects.all(), request=_request())
    codes = list(f.qs.values_list("code", flat=True))
    assert codes == sorted(codes, reverse=True)


def test_invalid_values_are_form_errors(projects):
    f = ProjectFilter({"priority": "9", "year": "abc"}, queryset=Project.objects.all())
    assert not f.is_valid()
    assert {"priority", "year"} <= set(f.errors)


def test_fast_select_writes_djangos_select_markup(agreement, coordinator, rf):  # type: ignore[no-untyped-def]
    """The project filters render their <select>s in Python (portfolio.widgets.FastSelect): the markup is
    exactly what Django's Select templates give, with a value chosen, without, and with awkward labels."""
    from django import forms

    from portfolio.widgets import FastSelect

    OrganisationFactory(name='Ääni & "kuva" <Oy>')
    request = rf.get("/projects/", {"status": "running", "priority": "2"})
    request.user = coordinator
    request.session = {}
    form = ProjectFilter(request.GET, request=request).form
    selects = [name for name, field in form.fields.items() if isinstance(field.widget, FastSelect)]
    assert {"agreement", "priority", "method", "status", "organisation", "internationalisation"} <= set(selects)
    for name in selects:
        widget = form.fields[name].widget
        for value in (form[name].value(), None, ""):
            fast = widget.render(name, value, attrs={"id": f"id_{name}"})
            widget.__class__ = forms.Select
            try:
                assert fast == widget.render(name, value, attrs={"id": f"id_{name}"}), name
            finally:
                widget.__class__ = FastSelect
    assert "&lt;Oy&gt;" in form["organisation"].as_widget()

"""Input validation of the governance pages; the rules themselves live in services.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portfolio.models import MethodCategory, Organisation, Priority, Theme
from portfolio.money import parse_amount

from .choices import APPROVING_OUTCOMES, CriterionAnswer, DecisionMethod, DecisionOutcome, IdeaStage, MemberRole
from .models import Membership


class FundingLinesField(forms.CharField):
    """Funding lines as text, one per line: `ERDF 2026 120000,00` (instrument, year, amount)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def to_python(self, value: Any) -> list[dict[str, Any]]:
        text = super().to_python(value) or ""
        lines = []
        for n, raw in enumerate(text.splitlines(), start=1):
            raw = raw.strip()
            if not raw:
                continue
            parts = raw.replace("\u00a0", " ").replace("€", "").split(None, 2)
            if len(parts) != 3:
                raise forms.ValidationError(
                    _("Line %(n)s: write the instrument code, the year and the amount, e.g. ERDF 2026 120000."),
                    params={"n": n})
            code, year, amount = parts
            try:
                year_number = int(year)
            except ValueError as exc:
                raise forms.ValidationError(_("Line %(n)s: the year or the amount is not a number."),
                                            params={"n": n}) from exc
            try:
                value = parse_amount(amount)  # the one money parser: no exponents, at most two decimals
            except ValidationError as exc:
                raise forms.ValidationError(_("Line %(n)s: %(message)s"),
                                            params={"n": n, "message": exc.messages[0]}) from exc
            lines.append({"instrument": code.upper(), "year": year_number, "amount": value})
        return lines

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(f"{line['instrument']} {line['year']} {line['amount']}" for line in value)
        return value


def lines_as_text(lines: Any) -> str:
    return "\n".join(f"{line.instrument.code} {line.year} {line.amount}" for line in lines)


def offered_instrument_codes(on: dt.date | None = None) -> list[str]:
    """The instruments that can take new money on the day (ended ones, AKKE and RRF, are not offered)."""
    from funding.models import FundingInstrument
    from funding.services import instrument_available_on

    day = on or timezone.localdate()
    return [i.code for i in FundingInstrument.objects.order_by("sort_order", "code") if instrument_available_on(i, day)]


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    plan = forms.CharField(label=_("Project plan"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    funding_lines = FundingLinesField(label=_("Requested funding"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Availability is checked on the submission date: today for a draft.
        self.fields["funding_lines"].help_text = _(
            "One line per instrument and year: code, year, amount in euros (e.g. ERDF 2026 120000). "
            "Codes: %(codes)s.") % {"codes": ", ".join(offered_instrument_codes())}


class AssessmentForm(forms.Form):
    """One answer and justification per checklist item of the proposal's criteria."""

    def __init__(self, *args: Any, items: Any, initial_answers: dict[int, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        initial_answers = initial_answers or {}
        for item in self.items:
            current = initial_answers.get(item.pk)
            self.fields[f"answer_{item.pk}"] = forms.ChoiceField(
                label=item.text, choices=[("", "—"), *CriterionAnswer.choices], required=True,
                initial=current.answer if current else "")
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Justification: %(criterion)s") % {"criterion": item.text}, required=False,
                widget=forms.Textarea(attrs={"rows": 2}), initial=current.note if current else "")

    def answers(self) -> dict[int, tuple[str, str]]:
        return {item.pk: (self.cleaned_data[f"answer_{item.pk}"], self.cleaned_data[f"note_{item.pk}"])
                for item in self.items}


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Document"))


class AgendaForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=None)  # type: ignore[arg-type]

    def __init__(self, *args: Any, meetings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                    input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H.%M", "%d.%m.%Y %H:%M"])
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Online meeting link"), required=False, assume_scheme="https")


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Item"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AttendanceForm(forms.Form):
    attendees = forms.ModelMultipleChoiceField(label=_("Present"), queryset=None,  # type: ignore[arg-type]
                                               widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = users
        self.fields["attendees"].label_from_instance = lambda u: u.get_full_name() or u.username


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 10}), required=False)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=DecisionOutcome.choices, widget=forms.RadioSelect)
    method = forms.ChoiceField(label=_("Reached by"), choices=DecisionMethod.choices, widget=forms.RadioSelect,
                               initial=DecisionMethod.CONSENSUS)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0, required=False)
    votes_abstain = forms.IntegerField(label=_("Abstentions"), min_value=0, required=False)
    approved_lines = FundingLinesField(label=_("Approved funding"), required=False)
    conditions = forms.CharField(label=_("Conditions"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    recused = forms.ModelMultipleChoiceField(label=_("Recused for a conflict of interest"), required=False,
                                             queryset=None, widget=forms.CheckboxSelectMultiple)  # type: ignore[arg-type]

    def __init__(self, *args: Any, group: Any, on: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Availability is checked on the meeting's date.
        self.fields["approved_lines"].help_text = _(
            "One line per instrument and year: code, year, amount. Leave empty unless approving. "
            "Codes: %(codes)s.") % {"codes": ", ".join(offered_instrument_codes(on))}
        users = get_user_model().objects.filter(pk__in=Membership.objects.filter(group=group).values("user_id"))
        self.fields["recused"].queryset = users.order_by("last_name", "username")
        self.fields["recused"].label_from_instance = lambda u: u.get_full_name() or u.username

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        vote = data["method"] == DecisionMethod.VOTE
        return {
            "outcome": data["outcome"], "method": data["method"],
            "votes_for": data["votes_for"] if vote else None,
            "votes_against": data["votes_against"] if vote else None,
            "votes_abstain": data["votes_abstain"] if vote else None,
            # The form comes prefilled with the request; amounts only count for an approval.
            "approved_lines": (data["approved_lines"] or []) if data["outcome"] in APPROVING_OUTCOMES else [],
            "conditions": data["conditions"],
            "rationale": data["rationale"], "recusals": list(data["recused"]),
        }


class IdeaForm(forms.Form):
    # One box per text, in the UI language; the service stores it by language column (typed_in).
    title = forms.CharField(label=_("Title"), max_length=255, help_text=_(
        "Type it in the language of this page. If that is not Finnish, the text is also used as the Finnish "
        "title until someone translates it."))
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    priority = forms.ModelChoiceField(label=_("Priority"), queryset=Priority.objects.none())
    lead_organisation = forms.ModelChoiceField(label=_("Lead implementer"),
                                               queryset=Organisation.objects.order_by("name"))
    methods = forms.ModelMultipleChoiceField(label=_("Method categories"), queryset=MethodCategory.objects.all(),
                                             widget=forms.CheckboxSelectMultiple, required=False)
    themes = forms.ModelMultipleChoiceField(label=_("Themes"), queryset=Theme.objects.all(),
                                            widget=forms.CheckboxSelectMultiple, required=False)
    need = forms.CharField(label=_("Need"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    objectives = forms.CharField(label=_("Objectives"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    overlaps = forms.CharField(label=_("Overlaps with existing projects"), widget=forms.Textarea(attrs={"rows": 3}),
                               required=False)
    programme_fit = forms.CharField(label=_("Fit with the structural-fund programme"),
                                    widget=forms.Textarea(attrs={"rows": 3}), required=False)
    notes = forms.CharField(label=_("Coordinator's notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, agreement: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = Priority.objects.filter(agreement=agreement)


class IdeaNotesForm(forms.Form):
    need = IdeaForm.base_fields["need"]
    objectives = IdeaForm.base_fields["objectives"]
    overlaps = IdeaForm.base_fields["overlaps"]
    programme_fit = IdeaForm.base_fields["programme_fit"]
    notes = IdeaForm.base_fields["notes"]


class IdeaStageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=IdeaStage.choices)


class CriteriaForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Criteria text"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    items = forms.CharField(label=_("Checklist"), widget=forms.Textarea(attrs={"rows": 6}),
                            help_text=_("One criterion per line."))
    valid_from = forms.DateField(label=_("Valid from"),
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 initial=lambda: timezone.localdate())

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]



class MembershipForm(forms.Form):
    """A seat in a steering group: who, in which role, for which term, standing in for whom."""

    member = forms.ModelChoiceField(label=_("Member"), queryset=None)  # type: ignore[arg-type]
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)
    organisation = forms.ModelChoiceField(label=_("Represents"), queryset=Organisation.objects.order_by("name"),
                                          required=False)
    substitute_for = forms.ModelChoiceField(label=_("Substitute for"), queryset=None,  # type: ignore[arg-type]
                                            required=False)
    term_start = forms.DateField(label=_("Term starts"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    term_end = forms.DateField(label=_("Term ends"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, group: Any, **kwargs: Any) -> None:
        from portfolio.roles import Role

        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(groups__name__in=Role.values, is_active=True).distinct()
        self.fields["member"].queryset = users.order_by("last_name", "username")
        self.fields["member"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["substitute_for"].queryset = Membership.objects.filter(group=group).select_related("user")
        self.fields["substitute_for"].label_from_instance = lambda m: m.user.get_full_name() or m.user.username

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", _("A term cannot end before it starts."))
        return data

"""Progress-report forms: parse what was typed; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from funding.models import FundingInstrument
from portfolio.forms import AccessibleFormMixin
from portfolio.models import Organisation
from portfolio.money import amount_input_text, parse_amount

from ..models.indicators import Indicator
from ..models.reports import ProgressReport, ReportFrequency, ReportStatus
from ..selectors.indicators import ReportIndicator


def indicator_field(code: str) -> str:
    """The input of an indicator's value (the services report its errors under the same name)."""
    return f"indicator_{code}"


def quantity_input_text(value: Any, indicator: Indicator) -> str:
    """A stored value as the input shows it: a count whole, euros and FTE with a decimal comma."""
    if indicator.is_decimal:
        return amount_input_text(value)
    return str(int(value))


def _euro_amount(value: object) -> None:
    parse_amount(value)


STATUS_CHOICES = [("", _("Choose…")), *ReportStatus.choices]


class ProgressReportForm(AccessibleFormMixin, forms.Form):
    """The report's text, and one spending-to-date input per funding instrument (`spent_<CODE>`)."""

    status = forms.ChoiceField(label=_("Status of the project"), choices=STATUS_CHOICES, required=False)
    status_reason = forms.CharField(label=_("Reason for the status"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}),
                                    help_text=_("Required when the project is at risk or late."))
    done = forms.CharField(label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    next_steps = forms.CharField(label=_("Next steps"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    risks = forms.CharField(label=_("Risks"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, report: ProgressReport, indicators: list[ReportIndicator] | None = None,
                 **kwargs: Any) -> None:
        self.indicators = indicators or []
        if not kwargs.get("data") and not args:
            spent = {row.instrument.code: row.amount for row in report.spending.select_related("instrument")}
            kwargs["initial"] = {
                "status": report.status, "status_reason": report.status_reason, "done": report.done,
                "next_steps": report.next_steps, "risks": report.risks,
                **{f"spent_{code}": amount_input_text(amount) for code, amount in spent.items()},
                **{indicator_field(row.indicator.code): quantity_input_text(row.value.value, row.indicator)
                   for row in self.indicators if row.value is not None},
            }
        super().__init__(*args, **kwargs)
        for row in self.indicators:
            # Text: people type "1 250" or "2,5"; the service parses it in the indicator's unit.
            self.fields[indicator_field(row.indicator.code)] = forms.CharField(
                label=f"{row.indicator.code} {row.indicator.name}", required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "text-end"}))
        self.indicator_rows = [(row, self[indicator_field(row.indicator.code)]) for row in self.indicators]
        self.instruments = list(FundingInstrument.objects.order_by("sort_order", "code"))
        for instrument in self.instruments:
            # Text, not a number input: people type "12 500,50" (ux.md); the service parses it.
            self.fields[f"spent_{instrument.code}"] = forms.CharField(
                label=str(instrument), required=False, validators=[_euro_amount],
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "text-end"}))
        self.spending_fields = [self[f"spent_{i.code}"] for i in self.instruments]

    def indicator_values(self) -> dict[str, str]:
        return {row.indicator.code: self.cleaned_data.get(indicator_field(row.indicator.code), "")
                for row in self.indicators}

    def data_and_spending(self) -> tuple[dict[str, str], list[dict[str, str]]]:
        data = {name: self.cleaned_data.get(name, "") for name in ("status", "status_reason", "done",
                                                                   "next_steps", "risks")}
        spending = [{"instrument": i.code, "amount": self.cleaned_data.get(f"spent_{i.code}", "")}
                    for i in self.instruments if (self.cleaned_data.get(f"spent_{i.code}") or "").strip()]
        return data, spending

    def add_service_errors(self, message_dict: dict[str, list[str]]) -> None:
        for name, messages in message_dict.items():
            for message in messages:
                self.add_error(name if name in self.fields and name != "spending" else None, message)
        self._decorate()


class TransitionForm(AccessibleFormMixin, forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ScheduleForm(AccessibleFormMixin, forms.Form):
    frequency = forms.ChoiceField(label=_("Reporting frequency"), choices=ReportFrequency.choices)
    due_days = forms.IntegerField(label=_("Days after the period until due"), min_value=0, max_value=365)
    final_window_days = forms.IntegerField(label=_("Days after the project's end for the final report"),
                                           min_value=0, max_value=365)


class ContactAssignForm(AccessibleFormMixin, forms.Form):
    """A coordinator makes a person a contact of the project, for its lead or a co-implementer."""

    # The choices are set per project in __init__.
    user: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Person"), queryset=get_user_model().objects.none())
    organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Reports for"), queryset=Organisation.objects.none(), required=False)

    def __init__(self, *args: Any, project: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = self.fields["user"]
        user_field.queryset = (  # type: ignore[attr-defined]
            get_user_model().objects.filter(is_active=True, is_superuser=False).order_by("last_name", "username"))
        user_field.label_from_instance = lambda u: f"{u.get_full_name() or u.username} ({u.username})"  # type: ignore[attr-defined]
        ids = [project.lead_organisation_id, *project.partnerships.values_list("organisation_id", flat=True)]
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=ids)  # type: ignore[attr-defined]

"""Input validation of the funding screens."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from portfolio.forms import MoneyField

from .models import FundingInstrument

if TYPE_CHECKING:
    from portfolio.models import Agreement

KINDS = ("planned", "granted", "spent")


class FrameForm(forms.Form):
    """A frame from TEM's allocation decision, or its correction by a later decision."""

    instrument: forms.ModelChoiceField[FundingInstrument] = forms.ModelChoiceField(
        label=_("Instrument"), queryset=FundingInstrument.objects.all(), to_field_name="code")
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    # Text, typed as people write euros ("12 500,00") and shown in the language's format (portfolio.money).
    amount = MoneyField(label=_("Frame (€)"), min_value=Decimal("0"), max_digits=14, decimal_places=2,
                        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control text-end"}))
    decision_reference = forms.CharField(label=_("Allocation decision"), max_length=120,
                                         help_text=_("Reference of TEM's regional funding allocation decision."))
    # A date input's value is ISO whatever the language (the browser shows it in the user's format).
    decision_date = forms.DateField(label=_("Decision date"),
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Reason for the change"), max_length=100, required=False,
                             help_text=_("Shown in the frame's history, e.g. 'corrected by the 2025 allocation'."))

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select)
                                          else "form-control")
        year = cast(forms.IntegerField, self.fields["year"])  # declared above; `fields` holds plain Fields
        year.min_value = agreement.valid_from.year
        year.max_value = agreement.valid_until.year
        self.fields["year"].widget.attrs.update(min=agreement.valid_from.year, max=agreement.valid_until.year)

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year not in self.agreement.years:
            raise forms.ValidationError(_("The year is outside the agreement's validity."))
        return year


def cell_name(code: str, year: int, kind: str) -> str:
    return f"{code}-{year}-{kind}"


def plan_lines_from_data(data: Any, *, codes: list[str], years: list[int]) -> list[dict[str, Any]]:
    """The grid's inputs as funding-line dicts (strings kept as typed; the service validates them).
    Rows where every cell is empty are left out (they remove the line)."""
    lines = []
    for code in codes:
        for year in years:
            values = {f"{kind}_amount": (data.get(cell_name(code, year, kind)) or "").strip() for kind in KINDS}
            if any(values.values()):
                # Granted and spent are read-only in the plan: sent only by an old page or a script, and then
                # checked against the recorded amounts; left out, they keep them.
                lines.append({"instrument": code, "year": year, "planned_amount": values["planned_amount"],
                              **{k: v for k, v in values.items() if k != "planned_amount" and v}})
    return lines


class CorrectionForm(forms.Form):
    """A correction of one instrument and year's planned amount; it may be negative (audit findings)."""

    instrument: forms.ModelChoiceField[FundingInstrument] = forms.ModelChoiceField(
        label=_("Instrument"), queryset=FundingInstrument.objects.all(), to_field_name="code")
    year = forms.IntegerField(label=_("Year"))
    planned_amount = forms.CharField(label=_("Planned correction (€)"), required=False, max_length=30)
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "form-select form-select-sm" if name == "instrument"
                                          else "form-control form-control-sm")
            if name.endswith("_amount"):
                field.widget.attrs.update(inputmode="decimal")

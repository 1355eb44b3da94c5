"""HTML forms of indicator targets and values, enterprises and milestones: input parsing only; the rules
(units, the project's dates, business IDs, duplicates) are checked by ``followup.services.indicators``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portfolio.forms import AccessibleFormMixin
from portfolio.money import amount_input_text

from .models import Indicator
from .models.indicators import EnterpriseRelation, SizeClass


def _date(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, required=False, input_formats=["%Y-%m-%d"],
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


SIZE_CHOICES = [("", "—"), *SizeClass.choices]


def _indicator_label(indicator: Indicator) -> str:
    return f"{indicator.code} {indicator.name} ({indicator.get_unit_display()})"


class IndicatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _indicator_label(obj)


class _QuantityInput(forms.TextInput):
    def __init__(self) -> None:
        super().__init__(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def format_value(self, value: Any) -> str | None:
        """A stored figure in the language's format ("1 250", "12 500,50"), which parse_quantity reads back;
        whole numbers without decimals (counts are whole). Typed text stays as typed."""
        if isinstance(value, Decimal):
            return amount_input_text(value, decimals=0 if value == value.to_integral_value() else 2)
        return super().format_value(value)


class TargetForm(AccessibleFormMixin, forms.Form):
    indicator = IndicatorChoiceField(label=_("Indicator"), queryset=Indicator.objects.none())
    breakdown_value = forms.ChoiceField(label=_("Breakdown value"), choices=SIZE_CHOICES, required=False,
                                        help_text=_("Only for indicators broken down by size class; blank for "
                                                    "the whole target."))
    # Parsed by the service in the indicator's unit, so the error can name the unit.
    target_value = forms.CharField(label=_("Target"), widget=_QuantityInput(), required=False,
                                   help_text=_("Whole numbers for counts, at most two decimals for euros and FTE."))

    def __init__(self, *args: Any, indicators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators  # type: ignore[attr-defined]


class ValueForm(AccessibleFormMixin, forms.Form):
    indicator = IndicatorChoiceField(label=_("Indicator"), queryset=Indicator.objects.none())
    period_start = _date(_("Period start"), help_text=_("Blank when the value is told on one date."))
    period_end = _date(_("Period end or date"))
    value = forms.CharField(label=_("Achieved value"), widget=_QuantityInput(), required=False,
                            help_text=_("Cumulative indicators: the total so far; others: the period's figure."))
    breakdown_value = forms.ChoiceField(label=_("Breakdown value"), choices=SIZE_CHOICES, required=False)
    source_note = forms.CharField(label=_("Source"), max_length=255, required=False)

    def __init__(self, *args: Any, indicators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators  # type: ignore[attr-defined]


class EnterpriseForm(AccessibleFormMixin, forms.Form):
    business_id = forms.CharField(label=_("Business ID"), max_length=12, required=False,
                                  help_text=_("Finnish business ID (Y-tunnus), e.g. 0201256-6."))
    name = forms.CharField(label=_("Name"), max_length=200, required=False,
                           help_text=_("Needed only for an enterprise not yet in the register."))
    size_class = forms.ChoiceField(label=_("Size class"), choices=SIZE_CHOICES, required=False)
    relation = forms.ChoiceField(label=_("Relation"), choices=[("", "—"), *EnterpriseRelation.choices],
                                 required=False)
    is_new = forms.BooleanField(label=_("New enterprise"), required=False)
    date = _date(_("Date"))


class MilestoneForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    planned_date = _date(_("Planned date"))
    actual_date = _date(_("Actual date"))
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class OverviewForm(AccessibleFormMixin, forms.Form):
    as_of = _date(_("As of"), help_text=_("The figures as they stood at the end of this day."))
    scope = forms.ChoiceField(label=_("Agreements"), required=False)

    def __init__(self, *args: Any, agreements: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [(str(a.pk), a.name) for a in agreements] + [  # type: ignore[attr-defined]
            ("all", _("All agreements"))]

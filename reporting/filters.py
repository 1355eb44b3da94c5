"""The summary FilterSet, shared by the archive page (/reports/) and the API (/api/v1/reports/).

Filters: `audience` (steering|national), `agreement` (id), `period` (YYYY, YYYY-Qn, YYYY-Hn; a year also
matches its quarters and halves), `status`, `language`. Declared filters are the allow-list.
"""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from portfolio.filters import VisibleChoicesFilterSet
from portfolio.models import Agreement

from .choices import Audience, ReportStatus
from .models import SummaryReport
from .periods import period_parse


class PeriodField(forms.CharField):
    def clean(self, value: str | None) -> str:
        value = super().clean(value)
        if not value:
            return ""
        try:
            return period_parse(value).code
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc


class PeriodFilter(filters.CharFilter):
    field_class = PeriodField

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if not value:
            return qs
        if "-" in value:
            return qs.filter(period=value)
        # A year: the yearly summary and every quarter and half of that year.
        return qs.filter(Q(period=value) | Q(period__startswith=f"{value}-"))


class SummaryReportFilter(VisibleChoicesFilterSet):
    audience = filters.ChoiceFilter(label=_("Audience"), choices=Audience.choices, empty_label=_("All audiences"))
    agreement = filters.ModelChoiceFilter(label=_("Agreement"), queryset=Agreement.objects.order_by("name"),
                                          empty_label=_("All agreements"))
    period = PeriodFilter(label=_("Period"), help_text=_("YYYY, YYYY-Qn or YYYY-Hn, e.g. 2026-Q3."))
    status = filters.ChoiceFilter(label=_("Status"), choices=ReportStatus.choices, empty_label=_("All statuses"))
    language = filters.ChoiceFilter(label=_("Language"), choices=SummaryReport._meta.get_field("language").choices,
                                    empty_label=_("All languages"))

    class Meta:
        model = SummaryReport
        fields = ["audience", "agreement", "period", "status", "language"]

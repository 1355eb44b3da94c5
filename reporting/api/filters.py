"""API FilterSet of summaries (used until `reporting.filters` provides the shared one)."""

from __future__ import annotations

import django_filters as filters
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portfolio.models import Agreement

from ..choices import Audience, ReportStatus
from ..models import SummaryReport


class SummaryReportFilter(filters.FilterSet):
    audience = filters.ChoiceFilter(label=_("Audience"), choices=Audience.choices)
    agreement = filters.ModelChoiceFilter(label=_("Agreement"), queryset=Agreement.objects.all())
    period = filters.CharFilter(label=_("Period"), max_length=7, help_text=_("YYYY, YYYY-Qn or YYYY-Hn."))
    status = filters.ChoiceFilter(label=_("Status"), choices=ReportStatus.choices)
    language = filters.ChoiceFilter(label=_("Language"), choices=settings.LANGUAGES)
    ordering = filters.OrderingFilter(fields=(("created_at", "created"), ("period", "period"),
                                              ("version", "version")))

    class Meta:
        model = SummaryReport
        fields = ["audience", "agreement", "period", "status", "language"]

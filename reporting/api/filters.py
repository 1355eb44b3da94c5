"""The shared summary FilterSet (`reporting.filters`) with the API's ordering added."""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from .. import filters as shared


class SummaryReportFilter(shared.SummaryReportFilter):
    ordering = filters.OrderingFilter(label=_("Order by"), fields=(("created_at", "created"),
                                                                   ("period_start", "period"),
                                                                   ("version", "version")))

    class Meta(shared.SummaryReportFilter.Meta):
        pass

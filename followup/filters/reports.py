"""Progress-report filters: the same names in the pages and `/api/v1/progress-reports/`."""

from __future__ import annotations

import django_filters

from ..models.reports import ProgressReport, ReportKind, ReportStatus, ReviewState


class ProgressReportFilter(django_filters.FilterSet):
    agreement = django_filters.NumberFilter(field_name="project__agreement_id")
    project = django_filters.NumberFilter(field_name="project_id")
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)
    review_state = django_filters.ChoiceFilter(choices=ReviewState.choices)
    kind = django_filters.ChoiceFilter(choices=ReportKind.choices)

    class Meta:
        model = ProgressReport
        fields = ["agreement", "project", "status", "review_state", "kind"]

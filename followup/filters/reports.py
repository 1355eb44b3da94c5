"""Progress-report filters: the same names in the pages and `/api/v1/progress-reports/`."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from portfolio.filters import VisibleChoicesFilterSet
from portfolio.models import Agreement, Project

from ..models.reports import ProgressReport, ReportKind, ReportStatus, ReviewState


class ProgressReportFilter(VisibleChoicesFilterSet):
    # Model choices narrowed to what the user sees (an unseen id is "not a valid choice", like a missing one).
    agreement = django_filters.ModelChoiceFilter(label=_("Agreement"), field_name="project__agreement",
                                                 queryset=Agreement.objects.order_by("name"))
    project = django_filters.ModelChoiceFilter(label=_("Project"), queryset=Project.objects.order_by("code"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ReportStatus.choices)
    review_state = django_filters.ChoiceFilter(label=_("Review state"), choices=ReviewState.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ReportKind.choices)

    class Meta:
        model = ProgressReport
        fields = ["agreement", "project", "status", "review_state", "kind"]

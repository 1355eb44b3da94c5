"""FilterSets of proposals and meetings, shared by the HTML lists (/governance/…) and the API
(/api/v1/proposals/, /api/v1/meetings/). Declared filters are the allow-list. Querysets passed in must
already be scoped with `visible_to(user)`; the choices of the model filters (project, meeting, group,
agreement) are narrowed to the request user's `visible_to(user)` too (VisibleChoicesFilterSet), so the
dropdowns name nothing the user may not see and a foreign id answers as a non-existent one."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portfolio.filters import VisibleChoicesFilterSet
from portfolio.models import Agreement, Project

from .choices import DecisionOutcome, MeetingStatus, ProposalStatus
from .models import Decision, Meeting, Proposal, SteeringGroup


class ProposalFilter(VisibleChoicesFilterSet):
    agreement = filters.ModelChoiceFilter(label=_("Agreement"), field_name="project__agreement",
                                          queryset=Agreement.objects.order_by("name"), empty_label=_("All agreements"))
    status = filters.MultipleChoiceFilter(label=_("Status"), choices=ProposalStatus.choices)
    meeting = filters.ModelChoiceFilter(label=_("Meeting"), queryset=Meeting.objects.order_by("-starts_at"))
    project = filters.ModelChoiceFilter(label=_("Project"), queryset=Project.objects.order_by("code"))
    q = filters.CharFilter(label=_("Search"), method="search")
    ordering = filters.OrderingFilter(
        label=_("Order by"),
        fields=(("created_at", "created"), ("submitted_at", "submitted"), ("updated_at", "updated"),
                ("title", "title"), ("project__code", "project"), ("status", "status")),
    )

    class Meta:
        model = Proposal
        fields = ["agreement", "status", "meeting", "project", "q"]

    def search(self, queryset: QuerySet[Proposal], name: str, value: str) -> QuerySet[Proposal]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(project__code__icontains=value)
                               | Q(project__title__icontains=value) | Q(plan__icontains=value))


class MeetingFilter(VisibleChoicesFilterSet):
    agreement = filters.ModelChoiceFilter(label=_("Agreement"), field_name="group__agreement",
                                          queryset=Agreement.objects.order_by("name"), empty_label=_("All agreements"))
    group = filters.ModelChoiceFilter(label=_("Steering group"), queryset=SteeringGroup.objects.all())
    status = filters.MultipleChoiceFilter(label=_("Status"), choices=MeetingStatus.choices)
    upcoming = filters.BooleanFilter(label=_("Upcoming only"), method="filter_upcoming")

    class Meta:
        model = Meeting
        fields = ["agreement", "group", "status", "upcoming"]

    def filter_upcoming(self, queryset: QuerySet[Meeting], name: str, value: Any) -> QuerySet[Meeting]:
        if value is None:
            return queryset
        start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        if value:
            return queryset.filter(starts_at__gte=start).exclude(status=MeetingStatus.MINUTES_CONFIRMED)
        return queryset.filter(Q(starts_at__lt=start) | Q(status=MeetingStatus.MINUTES_CONFIRMED))


class DecisionFilter(VisibleChoicesFilterSet):
    agreement = filters.ModelChoiceFilter(label=_("Agreement"), field_name="proposal__project__agreement",
                                          queryset=Agreement.objects.order_by("name"), empty_label=_("All agreements"))
    meeting = filters.ModelChoiceFilter(label=_("Meeting"), queryset=Meeting.objects.order_by("-starts_at"))
    project = filters.ModelChoiceFilter(label=_("Project"), field_name="proposal__project",
                                        queryset=Project.objects.order_by("code"))
    outcome = filters.MultipleChoiceFilter(label=_("Outcome"), choices=DecisionOutcome.choices)

    class Meta:
        model = Decision
        fields = ["agreement", "meeting", "project", "outcome"]

"""API FilterSets of governance collections (used until `governance.filters` provides shared ones)."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from portfolio.models import Agreement, Project

from ..choices import DecisionOutcome, MeetingStatus, ProposalStatus
from ..models import Decision, Meeting, Proposal, SteeringGroup


class ProposalFilter(filters.FilterSet):
    agreement = filters.ModelChoiceFilter(label=_("Agreement"), field_name="project__agreement",
                                          queryset=Agreement.objects.all())
    project = filters.ModelChoiceFilter(label=_("Project"), queryset=Project.objects.all())
    status = filters.ChoiceFilter(label=_("Status"), choices=ProposalStatus.choices)
    meeting = filters.ModelChoiceFilter(label=_("Meeting"), queryset=Meeting.objects.all())
    q = filters.CharFilter(label=_("Search"), method="filter_q", max_length=200)
    ordering = filters.OrderingFilter(fields=(("created_at", "created"), ("submitted_at", "submitted"),
                                              ("title", "title"), ("status", "status")))

    class Meta:
        model = Proposal
        fields = ["agreement", "project", "status", "meeting", "q"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(project__code__icontains=value))


class MeetingFilter(filters.FilterSet):
    agreement = filters.ModelChoiceFilter(label=_("Agreement"), field_name="group__agreement",
                                          queryset=Agreement.objects.all())
    group = filters.ModelChoiceFilter(label=_("Steering group"), queryset=SteeringGroup.objects.all())
    status = filters.ChoiceFilter(label=_("Status"), choices=MeetingStatus.choices)
    starts_after = filters.IsoDateTimeFilter(label=_("Starts at or after"), field_name="starts_at",
                                             lookup_expr="gte")
    starts_before = filters.IsoDateTimeFilter(label=_("Starts before"), field_name="starts_at", lookup_expr="lt")
    q = filters.CharFilter(label=_("Search"), field_name="title", lookup_expr="icontains", max_length=200)
    ordering = filters.OrderingFilter(fields=(("starts_at", "starts_at"), ("title", "title")))

    class Meta:
        model = Meeting
        fields = ["agreement", "group", "status", "starts_after", "starts_before", "q"]


class DecisionFilter(filters.FilterSet):
    agreement = filters.ModelChoiceFilter(label=_("Agreement"), field_name="proposal__project__agreement",
                                          queryset=Agreement.objects.all())
    project = filters.ModelChoiceFilter(label=_("Project"), field_name="proposal__project",
                                        queryset=Project.objects.all())
    proposal = filters.ModelChoiceFilter(label=_("Proposal"), queryset=Proposal.objects.all())
    meeting = filters.ModelChoiceFilter(label=_("Meeting"), queryset=Meeting.objects.all())
    outcome = filters.ChoiceFilter(label=_("Outcome"), choices=DecisionOutcome.choices)
    q = filters.CharFilter(label=_("Search"), method="filter_q", max_length=200)
    ordering = filters.OrderingFilter(fields=(("decided_at", "decided_at"), ("outcome", "outcome")))

    class Meta:
        model = Decision
        fields = ["agreement", "project", "proposal", "meeting", "outcome", "q"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(proposal__title__icontains=value) | Q(conditions__icontains=value)
                               | Q(rationale__icontains=value))

"""The shared governance FilterSets (`governance.filters`, same names as the HTML lists) with the API's
ordering and free-text search added where the HTML lists do without."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .. import filters as shared


class MeetingFilter(shared.MeetingFilter):
    q = filters.CharFilter(label=_("Search"), method="filter_q", max_length=200, help_text=_("Title or place."))
    ordering = filters.OrderingFilter(label=_("Order by"), fields=(("starts_at", "starts_at"), ("title", "title"),
                                                                   ("status", "status")))

    class Meta(shared.MeetingFilter.Meta):
        fields = [*shared.MeetingFilter.Meta.fields, "q"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(location__icontains=value)) if value else queryset


class DecisionFilter(shared.DecisionFilter):
    q = filters.CharFilter(label=_("Search"), method="filter_q", max_length=200,
                           help_text=_("Proposal title, conditions or rationale."))
    ordering = filters.OrderingFilter(label=_("Order by"), fields=(("decided_at", "decided_at"),
                                                                   ("outcome", "outcome")))

    class Meta(shared.DecisionFilter.Meta):
        fields = [*shared.DecisionFilter.Meta.fields, "q"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(proposal__title__icontains=value) | Q(conditions__icontains=value)
                               | Q(rationale__icontains=value))

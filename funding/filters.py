"""FilterSets of funding lines and frames, shared by the HTML pages and the API.

Funding-line filter names are a contract (contract.md): agreement, project, instrument (code), year,
priority (code); plus ordering. Declared filters are the allow-list.
Model filters offer only what the user sees (VisibleChoicesFilterSet): another agreement's draft is "not a
valid choice", as an id that does not exist."""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portfolio.filters import PRIORITY_CODES, VisibleChoicesFilterSet, YearFilter
from portfolio.models import Agreement, Project

from .choices import InstrumentCode
from .models import FundingDecision, FundingFrame, FundingLine


class FundingLineFilter(VisibleChoicesFilterSet):
    agreement = filters.ModelChoiceFilter(label=_("Agreement"), field_name="project__agreement",
                                          queryset=Agreement.objects.all())
    project = filters.ModelChoiceFilter(label=_("Project"), queryset=Project.objects.all())
    instrument = filters.ChoiceFilter(label=_("Funding instrument"), field_name="instrument__code",
                                      choices=InstrumentCode.choices)
    year = YearFilter(label=_("Year"), field_name="year")
    priority = filters.TypedChoiceFilter(label=pgettext_lazy("strategic", "Priority"),
                                         field_name="project__priority__code", choices=PRIORITY_CODES, coerce=int)
    counted = filters.BooleanFilter(label=_("Counted in the summaries"), method="filter_counted")
    ordering = filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("year", "year"), ("instrument__sort_order", "instrument"), ("project__code", "project"),
                ("planned_amount", "planned_amount"), ("granted_amount", "granted_amount"),
                ("spent_amount", "spent_amount")),
    )

    class Meta:
        model = FundingLine
        fields = ["agreement", "project", "instrument", "year", "priority", "counted"]

    def filter_counted(self, queryset, name, value):  # type: ignore[no-untyped-def]
        """counted=true: exactly the lines behind funding-summary (docs/counting-rules.md)."""
        from .selectors import counted_q

        if value is None:
            return queryset
        return queryset.filter(counted_q()) if value else queryset.exclude(counted_q())


class FundingFrameFilter(VisibleChoicesFilterSet):
    agreement = filters.ModelChoiceFilter(label=_("Agreement"), queryset=Agreement.objects.all())
    instrument = filters.ChoiceFilter(label=_("Funding instrument"), field_name="instrument__code",
                                      choices=InstrumentCode.choices)
    year = YearFilter(label=_("Year"), field_name="year")
    ordering = filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("year", "year"), ("instrument__sort_order", "instrument"), ("amount", "amount"),
                ("agreement__name", "agreement")),
    )

    class Meta:
        model = FundingFrame
        fields = ["agreement", "instrument", "year"]


class FundingDecisionFilter(VisibleChoicesFilterSet):
    agreement = filters.ModelChoiceFilter(label=_("Agreement"), field_name="project__agreement",
                                          queryset=Agreement.objects.all())
    project = filters.ModelChoiceFilter(label=_("Project"), queryset=Project.objects.all())
    ordering = filters.OrderingFilter(label=_("Sort by"), fields=(("decided_on", "decided_on"),
                                                                  ("project__code", "project")))

    class Meta:
        model = FundingDecision
        fields = ["agreement", "project"]

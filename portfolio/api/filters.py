"""FilterSets of the API's reference collections (the project FilterSet is `portfolio.filters`)."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ..choices import AgreementStatus, OrganisationKind
from ..filters import VisibleChoicesFilterSet
from ..models import Agreement, MethodCategory, Organisation, Priority


def _text_search(fields: tuple[str, ...]):  # type: ignore[no-untyped-def]
    def method(self, queryset: QuerySet, name: str, value: str) -> QuerySet:  # type: ignore[no-untyped-def]
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    return method


class AgreementFilter(VisibleChoicesFilterSet):
    status = filters.ChoiceFilter(label=_("Status"), choices=AgreementStatus.choices)
    q = filters.CharFilter(label=_("Search"), method="filter_q", max_length=200,
                           help_text=_("Code, name or region."))
    ordering = filters.OrderingFilter(fields=(("name", "name"), ("code", "code"), ("valid_from", "valid_from")))

    filter_q = _text_search(("code", "name_fi", "name_sv", "name_en", "region"))

    class Meta:
        model = Agreement
        fields = ["status", "q"]


class PriorityFilter(VisibleChoicesFilterSet):
    agreement = filters.ModelChoiceFilter(label=_("Agreement"), queryset=Agreement.objects.all())
    code = filters.TypedChoiceFilter(label=_("Code"), choices=[(c, str(c)) for c in range(1, 5)], coerce=int)
    q = filters.CharFilter(label=_("Search"), method="filter_q", max_length=200)
    ordering = filters.OrderingFilter(fields=(("code", "code"), ("agreement__name", "agreement")))

    filter_q = _text_search(("name_fi", "name_sv", "name_en"))

    class Meta:
        model = Priority
        fields = ["agreement", "code", "q"]


class MethodCategoryFilter(VisibleChoicesFilterSet):
    code = filters.TypedChoiceFilter(label=_("Code"), choices=[(c, str(c)) for c in range(1, 4)], coerce=int)
    q = filters.CharFilter(label=_("Search"), method="filter_q", max_length=200)
    ordering = filters.OrderingFilter(fields=(("code", "code"),))

    filter_q = _text_search(("name_fi", "name_sv", "name_en"))

    class Meta:
        model = MethodCategory
        fields = ["code", "q"]


class OrganisationFilter(VisibleChoicesFilterSet):
    kind = filters.ChoiceFilter(label=_("Kind"), choices=OrganisationKind.choices)
    business_id = filters.CharFilter(label=_("Business ID"), max_length=9)
    municipality = filters.CharFilter(label=_("Municipality"), lookup_expr="iexact", max_length=80)
    agreement = filters.ModelChoiceFilter(label=_("Agreement"), queryset=Agreement.objects.all(),
                                          field_name="agreement_parts__agreement",
                                          help_text=_("Parties of this agreement."))
    q = filters.CharFilter(label=_("Search"), method="filter_q", max_length=200,
                           help_text=_("Name, short name or business ID."))
    ordering = filters.OrderingFilter(fields=(("name", "name"), ("short_name", "short_name"),
                                              ("business_id", "business_id")))

    filter_q = _text_search(("name_fi", "name_sv", "name_en", "short_name", "business_id"))

    class Meta:
        model = Organisation
        fields = ["kind", "business_id", "municipality", "agreement", "q"]

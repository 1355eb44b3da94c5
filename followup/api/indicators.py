"""API of the results indicators, the enterprise register and milestones (read-only collections), and the
agreement's indicator totals (``agreements/{id}/indicator-totals/``, mounted here because the agreements
viewset lives in portfolio, which does not know this app)."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_views import ERROR_RESPONSE, ReadOnlyPortalViewSet
from portfolio.api.asof import AS_OF_PARAMETER, as_of_param
from portfolio.api.permissions import PortalReader
from portfolio.filters import VisibleChoicesFilterSet
from portfolio.models import Agreement, Project

from ..models import Enterprise, Indicator, IndicatorValue, Milestone
from ..models.indicators import SizeClass, late_q
from ..selectors.indicators import indicator_totals


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "code", "name_fi", "name_sv", "name_en", "unit", "kind", "is_cumulative", "breakdown",
                  "register_count", "is_common"]


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    value = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = IndicatorValue
        fields = ["id", "project", "indicator", "period_start", "period_end", "value", "breakdown_value",
                  "source_note", "recorded_at"]


class EnterpriseSerializer(serializers.ModelSerializer):
    projects = serializers.SerializerMethodField(help_text="Ids of the projects (that you may see) reaching it.")

    class Meta:
        model = Enterprise
        fields = ["id", "business_id", "name", "size_class", "projects"]

    def get_projects(self, obj: Enterprise) -> list[int]:
        visible = self.context.get("visible_project_ids")
        return sorted({link.project_id for link in obj.project_links.all()
                       if visible is None or link.project_id in visible})


class MilestoneSerializer(serializers.ModelSerializer):
    late = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = ["id", "project", "title", "planned_date", "actual_date", "note", "late"]

    def get_late(self, obj: Milestone) -> bool:
        return obj.is_late_on(timezone.localdate())


class IndicatorFilter(filters.FilterSet):
    code = filters.CharFilter(label=_("Code"), field_name="code", lookup_expr="iexact", max_length=20)
    kind = filters.CharFilter(label=_("Type"), field_name="kind", max_length=8)

    class Meta:
        model = Indicator
        fields = ["code", "kind"]


class IndicatorValueFilter(VisibleChoicesFilterSet):
    project = filters.ModelChoiceFilter(label=_("Project"), queryset=Project.objects.all())
    agreement = filters.ModelChoiceFilter(label=_("Agreement"), field_name="project__agreement",
                                          queryset=Agreement.objects.all())
    indicator = filters.CharFilter(label=_("Indicator"), field_name="indicator__code", lookup_expr="iexact",
                                   max_length=20)

    class Meta:
        model = IndicatorValue
        fields = ["project", "agreement", "indicator"]


class EnterpriseFilter(VisibleChoicesFilterSet):
    business_id = filters.CharFilter(label=_("Business ID"), field_name="business_id", max_length=12)
    size_class = filters.ChoiceFilter(label=_("Size class"), choices=SizeClass.choices)
    project = filters.ModelChoiceFilter(label=_("Project"), field_name="project_links__project",
                                        queryset=Project.objects.all(), distinct=True)

    class Meta:
        model = Enterprise
        fields = ["business_id", "size_class", "project"]


class MilestoneFilter(VisibleChoicesFilterSet):
    project = filters.ModelChoiceFilter(label=_("Project"), queryset=Project.objects.all())
    late = filters.BooleanFilter(label=_("Late"), method="filter_late")

    class Meta:
        model = Milestone
        fields = ["project", "late"]

    def filter_late(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        condition = late_q(timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)


@extend_schema_view(list=extend_schema(summary="List indicators"), retrieve=extend_schema(summary="An indicator"))
class IndicatorViewSet(ReadOnlyPortalViewSet):
    """The results-indicator catalogue: ERDF common indicators (RCO01, ...) and the agreements' own."""

    serializer_class = IndicatorSerializer
    permission_classes = [PortalReader]
    filterset_class = IndicatorFilter

    def get_queryset(self) -> QuerySet[Indicator]:
        return Indicator.objects.visible_to(self.request.user).order_by("sort_order", "code", "pk")


@extend_schema_view(list=extend_schema(summary="List indicator values"),
                    retrieve=extend_schema(summary="An indicator value"))
class IndicatorValueViewSet(ReadOnlyPortalViewSet):
    """Values the projects (that you may see) achieved, per indicator and period."""

    serializer_class = IndicatorValueSerializer
    permission_classes = [PortalReader]
    filterset_class = IndicatorValueFilter

    def get_queryset(self) -> QuerySet[IndicatorValue]:
        return (IndicatorValue.objects.visible_to(self.request.user).select_related("indicator")
                .order_by("project_id", "indicator__sort_order", "period_end", "pk"))


@extend_schema_view(list=extend_schema(summary="List enterprises"), retrieve=extend_schema(summary="An enterprise"))
class EnterpriseViewSet(ReadOnlyPortalViewSet):
    """The enterprise register: each enterprise once (by business ID), with the projects reaching it."""

    serializer_class = EnterpriseSerializer
    permission_classes = [PortalReader]
    filterset_class = EnterpriseFilter

    def get_queryset(self) -> QuerySet[Enterprise]:
        return (Enterprise.objects.visible_to(self.request.user).prefetch_related("project_links")
                .order_by("name", "business_id", "pk"))

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["visible_project_ids"] = set(
            Project.objects.visible_to(self.request.user).values_list("pk", flat=True))
        return context


@extend_schema_view(list=extend_schema(summary="List milestones"), retrieve=extend_schema(summary="A milestone"))
class MilestoneViewSet(ReadOnlyPortalViewSet):
    """Milestones of the projects you may see, with their planned and actual dates and whether late."""

    serializer_class = MilestoneSerializer
    permission_classes = [PortalReader]
    filterset_class = MilestoneFilter

    def get_queryset(self) -> QuerySet[Milestone]:
        return Milestone.objects.visible_to(self.request.user).order_by("project_id", "planned_date", "pk")


class IndicatorTotalSerializer(serializers.Serializer):
    code = serializers.CharField()
    unit = serializers.CharField(source="indicator.unit")
    target = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True,
                                      help_text="Sum of the projects' targets; null when none is set.")
    achieved = serializers.DecimalField(max_digits=18, decimal_places=2,
                                        help_text="Achieved as of the day; enterprises counted once.")


class IndicatorTotalsView(APIView):
    """Targets against achieved per indicator of an agreement, as of a day."""

    permission_classes = [PortalReader]

    @extend_schema(
        summary="Indicator totals of an agreement",
        description="Per indicator `{code, target, achieved}` over the agreement's counted projects (no ideas, "
                    "no rejected or withdrawn projects), as of the end of `as_of` (default today). Enterprise "
                    "indicators count each enterprise once across projects. 404 for an agreement you do not "
                    "work on.",
        parameters=[AS_OF_PARAMETER], responses={200: IndicatorTotalSerializer(many=True), 400: ERROR_RESPONSE},
    )
    def get(self, request: Request, pk: int) -> Response:
        agreement = Agreement.objects.worked_on_by(request.user).filter(pk=pk).first()
        if agreement is None:
            raise Http404
        totals = indicator_totals(user=request.user, agreement=agreement, as_of=as_of_param(request))
        return Response(IndicatorTotalSerializer(totals.rows, many=True).data)

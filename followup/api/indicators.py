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
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_views import ERROR_RESPONSE, PortalViewSet, ReadOnlyPortalViewSet
from portfolio.api.asof import AS_OF_PARAMETER, as_of_param
from portfolio.api.permissions import PortalReader, PortalReaderCoordinatorWriter
from portfolio.filters import VisibleChoicesFilterSet
from portfolio.models import Agreement, Project

from ..models import Enterprise, Indicator, IndicatorValue, Milestone
from ..models.indicators import SizeClass, late_q
from ..selectors.indicators import indicator_totals
from ..services import indicator_value_delete, indicator_value_save, milestone_delete, milestone_save


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
                  "source_note", "recorded_at", "report"]
        read_only_fields = ["report"]


@extend_schema_field(OpenApiTypes.INT)
class _VisibleProjectField(serializers.PrimaryKeyRelatedField):
    """A project the request's user may see: another agreement's draft is "does not exist", as a missing id."""

    def get_queryset(self) -> QuerySet[Project]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return Project.objects.visible_to(user) if user is not None else Project.objects.none()


class IndicatorValueWriteSerializer(serializers.Serializer):
    project = _VisibleProjectField(help_text="Id of the project (not changed by an update).")
    indicator: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", queryset=Indicator.objects.all(), help_text="Indicator code, e.g. HEV03.")
    period_start = serializers.DateField(required=False, allow_null=True, input_formats=["iso-8601"])
    period_end = serializers.DateField(input_formats=["iso-8601"], help_text="End of the period, or the date.")
    value = serializers.CharField(max_length=40, help_text="A number in the indicator's unit: whole for counts, "
                                                           "at most two decimals for euros and FTE.")
    breakdown_value = serializers.CharField(required=False, allow_blank=True, max_length=16)
    source_note = serializers.CharField(required=False, allow_blank=True, max_length=255)


class MilestoneWriteSerializer(serializers.Serializer):
    project = _VisibleProjectField(help_text="Id of the project (not changed by an update).")
    title = serializers.CharField(max_length=200)
    planned_date = serializers.DateField(input_formats=["iso-8601"])
    actual_date = serializers.DateField(required=False, allow_null=True, input_formats=["iso-8601"])
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


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


@extend_schema_view(
    list=extend_schema(summary="List indicator values"), retrieve=extend_schema(summary="An indicator value"),
    create=extend_schema(summary="Record an indicator value (coordinators of the project's agreement)"),
    update=extend_schema(summary="Correct an indicator value"),
    partial_update=extend_schema(summary="Correct an indicator value"),
    destroy=extend_schema(summary="Remove an indicator value"),
)
class IndicatorValueViewSet(PortalViewSet):
    """Values the projects (that you may see) achieved, per indicator and period. Writes follow the rules of
    the project page: a number in the indicator's unit, a period within the project's dates."""

    serializer_class = IndicatorValueSerializer
    write_serializer_class = IndicatorValueWriteSerializer
    permission_classes = [PortalReaderCoordinatorWriter]
    filterset_class = IndicatorValueFilter

    def perform_create(self, serializer: Any) -> IndicatorValue:  # type: ignore[override]
        data = serializer.validated_data
        return indicator_value_save(
            project=data["project"], indicator=data["indicator"], value=data["value"],
            period_start=data.get("period_start"), period_end=data["period_end"],
            breakdown_value=data.get("breakdown_value", ""), source_note=data.get("source_note", ""),
            user=self.request.user)

    def perform_update(self, serializer: Any, instance: IndicatorValue) -> IndicatorValue:  # type: ignore[override]
        data = serializer.validated_data
        return indicator_value_save(
            project=instance.project, indicator=data.get("indicator", instance.indicator),
            value=data.get("value", instance.value), period_start=data.get("period_start", instance.period_start),
            period_end=data.get("period_end", instance.period_end),
            breakdown_value=data.get("breakdown_value", instance.breakdown_value),
            source_note=data.get("source_note", instance.source_note), user=self.request.user, instance=instance)

    def perform_destroy(self, instance: IndicatorValue) -> None:  # type: ignore[override]
        indicator_value_delete(record=instance, user=self.request.user)

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


@extend_schema_view(
    list=extend_schema(summary="List milestones"), retrieve=extend_schema(summary="A milestone"),
    create=extend_schema(summary="Add a milestone (coordinators of the project's agreement)"),
    update=extend_schema(summary="Change a milestone"), partial_update=extend_schema(summary="Change a milestone"),
    destroy=extend_schema(summary="Remove a milestone"),
)
class MilestoneViewSet(PortalViewSet):
    """Milestones of the projects you may see, with their planned and actual dates and whether late."""

    serializer_class = MilestoneSerializer
    write_serializer_class = MilestoneWriteSerializer
    permission_classes = [PortalReaderCoordinatorWriter]
    filterset_class = MilestoneFilter

    def perform_create(self, serializer: Any) -> Milestone:  # type: ignore[override]
        data = serializer.validated_data
        return milestone_save(project=data["project"], title=data["title"], planned_date=data["planned_date"],
                              actual_date=data.get("actual_date"), note=data.get("note", ""),
                              user=self.request.user)

    def perform_update(self, serializer: Any, instance: Milestone) -> Milestone:  # type: ignore[override]
        data = serializer.validated_data
        return milestone_save(project=instance.project, title=data.get("title", instance.title),
                              planned_date=data.get("planned_date", instance.planned_date),
                              actual_date=data.get("actual_date", instance.actual_date),
                              note=data.get("note", instance.note), user=self.request.user, instance=instance)

    def perform_destroy(self, instance: Milestone) -> None:  # type: ignore[override]
        milestone_delete(milestone=instance, user=self.request.user)

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

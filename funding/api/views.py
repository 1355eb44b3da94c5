"""API viewsets of funding lines and frames. Writes call `funding.services`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from config.api_views import PortalViewSet, ReadOnlyPortalViewSet
from portfolio.api.permissions import PortalReader, PortalReaderCoordinatorWriter
from portfolio.models import Agreement, Project

from ..filters import FundingDecisionFilter, FundingFrameFilter, FundingLineFilter
from ..models import FundingDecision, FundingFrame, FundingLine
from .serializers import (
    FundingDecisionSerializer,
    FundingDecisionWriteSerializer,
    FundingFrameSerializer,
    FundingFrameWriteSerializer,
    FundingLineSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="List funding lines",
                       description="Funding lines of the projects the user may see. A project's whole "
                                   "financing plan is replaced with `PUT /projects/{id}/funding-lines/`."),
    retrieve=extend_schema(summary="A funding line"),
)
class FundingLineViewSet(ReadOnlyPortalViewSet):
    """Projects' funding lines: planned, granted and spent euros per instrument and year (read-only here)."""

    serializer_class = FundingLineSerializer
    permission_classes = [PortalReader]
    filterset_class = FundingLineFilter

    def get_queryset(self) -> QuerySet[FundingLine]:
        from ..selectors import with_counted_flag

        projects = Project.objects.visible_to(self.request.user)
        return (with_counted_flag(FundingLine.objects.filter(project__in=projects.values("pk")))
                .select_related("instrument", "project")
                .order_by("project_id", "year", "instrument__sort_order", "pk"))


@extend_schema_view(
    list=extend_schema(summary="List funding frames"),
    retrieve=extend_schema(summary="A funding frame"),
    create=extend_schema(summary="Set a funding frame (coordinators)",
                         description="Creates the frame of an agreement, instrument and year, or corrects it "
                                     "from a later allocation decision; the history keeps earlier values."),
    update=extend_schema(summary="Correct a funding frame (coordinators)"),
    partial_update=extend_schema(summary="Correct a funding frame (coordinators)"),
)
class FundingFrameViewSet(PortalViewSet):
    """Agreements' funding frames per instrument and year from TEM's allocation decisions."""

    serializer_class = FundingFrameSerializer
    write_serializer_class = FundingFrameWriteSerializer
    permission_classes = [PortalReaderCoordinatorWriter]
    filterset_class = FundingFrameFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[FundingFrame]:
        user = self.request.user
        agreements = (Agreement.objects.visible_to(user) if self.request.method in ("GET", "HEAD", "OPTIONS")
                      else Agreement.objects.worked_on_by(user))
        return (FundingFrame.objects.filter(agreement__in=agreements).select_related("instrument")
                .order_by("agreement_id", "year", "instrument__sort_order", "pk"))

    def perform_create(self, serializer: Any) -> FundingFrame:
        from ..services import funding_frame_save

        data = serializer.validated_data
        agreement = data["agreement"]
        if not Agreement.objects.worked_on_by(self.request.user).filter(pk=agreement.pk).exists():
            raise serializers.ValidationError({"agreement": [FundingFrameWriteSerializer.not_yours]})
        return funding_frame_save(
            agreement=agreement, instrument_code=data["instrument"], year=data["year"], amount=data["amount"],
            decision_reference=data.get("decision_reference", ""), decision_date=data.get("decision_date"),
            user=self.request.user, reason=data.get("reason", ""),
        )

    def perform_update(self, serializer: Any, instance: FundingFrame) -> FundingFrame:  # type: ignore[override]
        from ..services import funding_frame_save

        data = serializer.validated_data
        return funding_frame_save(
            agreement=instance.agreement, instrument_code=instance.instrument.code, year=instance.year,
            amount=data.get("amount", instance.amount),
            decision_reference=data.get("decision_reference", instance.decision_reference),
            decision_date=data.get("decision_date", instance.decision_date),
            user=self.request.user, reason=data.get("reason", ""),
        )


class FundingDecisionPermission(PortalReader):
    """Portal roles read (what they may see); writes are checked per project by the service
    (``funding.record_funding_decision`` and the agreement), not by role."""

    def has_permission(self, request: Any, view: Any) -> bool:
        from rest_framework.permissions import SAFE_METHODS

        if request.method in SAFE_METHODS:
            return super().has_permission(request, view)
        user = request.user
        return bool(getattr(user, "is_authenticated", False)
                    and (user.is_superuser or user.has_perm("funding.record_funding_decision")))


@extend_schema_view(
    list=extend_schema(summary="List the funding authority's decisions",
                       description="Decisions of the funding authority (e.g. the Regional Council of Uusimaa) "
                                   "on the projects the user may see: date, reference, EURA code and granted "
                                   "amounts per instrument and year."),
    retrieve=extend_schema(summary="A funding decision"),
    create=extend_schema(summary="Record a funding decision (holders of funding.record_funding_decision)",
                         description="Records the decision and sets the project's granted amounts of its "
                                     "lines; the lines' history points to it."),
)
class FundingDecisionViewSet(PortalViewSet):
    """The funding authority's decisions: the only source of granted money besides the steering group."""

    serializer_class = FundingDecisionSerializer
    write_serializer_class = FundingDecisionWriteSerializer
    permission_classes = [FundingDecisionPermission]
    filterset_class = FundingDecisionFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[FundingDecision]:
        projects = Project.objects.visible_to(self.request.user)
        return (FundingDecision.objects.filter(project__in=projects.values("pk")).select_related("project")
                .prefetch_related("lines__instrument").order_by("project_id", "decided_on", "pk"))

    def perform_create(self, serializer: Any) -> FundingDecision:
        from ..services import funding_decision_record

        data = serializer.validated_data
        project = Project.objects.visible_to(self.request.user).filter(pk=data["project"]).first()
        if project is None:
            raise serializers.ValidationError({"project": [gettext_lazy("Unknown project.")]})
        return funding_decision_record(
            project=project, decided_on=data["decided_on"], reference=data["reference"],
            eura_code=data.get("eura_code", ""), authority=data.get("authority", ""), note=data.get("note", ""),
            lines=[dict(line) for line in data["lines"]], user=self.request.user)

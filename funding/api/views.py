"""API viewsets of funding lines and frames. Writes call `funding.services`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from config.api_views import PortalViewSet, ReadOnlyPortalViewSet
from portfolio.api.permissions import PortalReader, PortalReaderCoordinatorWriter
from portfolio.models import Agreement, Project

from ..filters import FundingFrameFilter, FundingLineFilter
from ..models import FundingFrame, FundingLine
from .serializers import FundingFrameSerializer, FundingFrameWriteSerializer, FundingLineSerializer


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
        projects = Project.objects.visible_to(self.request.user)
        return (FundingLine.objects.filter(project__in=projects.values("pk"))
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

"""API viewsets of the portfolio. Thin: scope with `visible_to`, filter with the shared FilterSets, call
one service or selector, render."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.api_views import ERROR_RESPONSE, PortalViewSet, ReadOnlyPortalViewSet
from funding.api.serializers import FundingSummarySerializer
from funding.models import FundingLine
from governance.models import Decision, Proposal

from ..filters import ProjectFilter
from ..models import Agreement, MethodCategory, Organisation, Priority, Project
from .filters import AgreementFilter, MethodCategoryFilter, OrganisationFilter, PriorityFilter
from .permissions import PortalReader, PortalReaderCoordinatorWriter
from .serializers import (
    AgreementSerializer,
    MethodCategorySerializer,
    OrganisationSerializer,
    OrganisationWriteSerializer,
    PrioritySerializer,
    ProjectSerializer,
)

BASIS_PARAMETER = OpenApiParameter(
    "basis", OpenApiTypes.STR, enum=["planned", "granted", "spent"], default="granted",
    description="Which amounts to add up: planned, granted (default) or spent.",
)


class BasisSerializer(serializers.Serializer):
    basis = serializers.ChoiceField(choices=["planned", "granted", "spent"], default="granted", required=False)


@extend_schema_view(
    list=extend_schema(summary="List agreements", description="Every agreement (agreements are public facts)."),
    retrieve=extend_schema(summary="An agreement"),
)
class AgreementViewSet(ReadOnlyPortalViewSet):
    serializer_class = AgreementSerializer
    permission_classes = [PortalReader]
    filterset_class = AgreementFilter

    def get_queryset(self) -> QuerySet[Agreement]:
        return Agreement.objects.visible_to(self.request.user).order_by("name", "pk")

    @extend_schema(
        summary="Funding summary of an agreement",
        description="Totals, the local / EU+state / private split, totals by priority, instrument and year, and "
                    "whether the priority-4 rule holds. Amounts are decimal strings in euros. Only projects "
                    "the user may see count.",
        parameters=[BASIS_PARAMETER], filters=False,
        responses={200: FundingSummarySerializer, 400: ERROR_RESPONSE},
    )
    @action(detail=True, methods=["get"], url_path="funding-summary", filter_backends=[], pagination_class=None)
    def funding_summary(self, request: Request, pk: str | None = None) -> Response:
        from funding.selectors import funding_summary

        agreement = self.get_object()
        params = BasisSerializer(data={"basis": request.query_params.get("basis", "granted")})
        params.is_valid(raise_exception=True)
        summary = funding_summary(agreement_id=agreement.pk, basis=params.validated_data["basis"],
                                  projects=Project.objects.visible_to(request.user))
        return Response(FundingSummarySerializer(summary).data)


@extend_schema_view(list=extend_schema(summary="List priorities"), retrieve=extend_schema(summary="A priority"))
class PriorityViewSet(ReadOnlyPortalViewSet):
    serializer_class = PrioritySerializer
    permission_classes = [PortalReader]
    filterset_class = PriorityFilter

    def get_queryset(self) -> QuerySet[Priority]:
        agreements = Agreement.objects.visible_to(self.request.user)
        return Priority.objects.filter(agreement__in=agreements).order_by("agreement_id", "code", "pk")


@extend_schema_view(list=extend_schema(summary="List method categories"),
                    retrieve=extend_schema(summary="A method category"))
class MethodCategoryViewSet(ReadOnlyPortalViewSet):
    serializer_class = MethodCategorySerializer
    permission_classes = [PortalReader]
    filterset_class = MethodCategoryFilter
    queryset = MethodCategory.objects.order_by("code", "pk")


@extend_schema_view(
    list=extend_schema(summary="List organisations"),
    retrieve=extend_schema(summary="An organisation"),
    create=extend_schema(summary="Create an organisation (coordinators)"),
    update=extend_schema(summary="Replace an organisation (coordinators)"),
    partial_update=extend_schema(summary="Change an organisation (coordinators)"),
)
class OrganisationViewSet(PortalViewSet):
    serializer_class = OrganisationSerializer
    write_serializer_class = OrganisationWriteSerializer
    permission_classes = [PortalReaderCoordinatorWriter]
    filterset_class = OrganisationFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Organisation]:
        return Organisation.objects.order_by("name", "pk")

    def perform_create(self, serializer: Any) -> Organisation:
        organisation = Organisation(**serializer.validated_data)
        return self._save(organisation)

    def perform_update(self, serializer: Any, instance: Organisation) -> Organisation:  # type: ignore[override]
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        return self._save(instance)

    def _save(self, organisation: Organisation) -> Organisation:
        organisation.name = organisation.name_fi or organisation.name
        organisation.full_clean()
        organisation._history_user = self.request.user  # type: ignore[attr-defined]
        organisation.save()
        return organisation


@extend_schema_view(
    list=extend_schema(summary="List projects",
                       description="Projects the user may see, with their funding lines and decisions."),
    retrieve=extend_schema(summary="A project"),
)
class ProjectViewSet(ReadOnlyPortalViewSet):
    serializer_class = ProjectSerializer
    permission_classes = [PortalReaderCoordinatorWriter]
    filterset_class = ProjectFilter

    def get_queryset(self) -> QuerySet[Project]:
        return (
            Project.objects.visible_to(self.request.user)
            .select_related("priority")
            .prefetch_related(
                "methods", "themes", "partnerships",
                Prefetch("funding_lines", queryset=FundingLine.objects.select_related("instrument")
                         .order_by("year", "instrument__sort_order", "pk")),
                Prefetch("proposals", queryset=Proposal.objects.order_by("pk").prefetch_related(
                    Prefetch("decisions", queryset=Decision.objects.order_by("decided_at", "pk")))),
            )
            .order_by("agreement_id", "code", "pk")
        )

    def get_etag(self, obj: Project) -> str:
        return f'"{obj.version}"'

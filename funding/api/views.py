"""API viewsets of funding lines and frames. Writes call `funding.services`."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import PreconditionFailed, parse_if_match
from config.api_views import ERROR_RESPONSE, ID_REGEX, IF_MATCH_OPTIONAL, PortalViewSet, ReadOnlyPortalViewSet
from portfolio.api.asof import AS_OF_PARAMETER, as_of_param
from portfolio.api.permissions import PortalReader, PortalReaderCoordinatorWriter
from portfolio.dataversion import FigureCache
from portfolio.models import Agreement, Project

from ..filters import FundingDecisionFilter, FundingFrameFilter, FundingLineFilter
from ..models import FundingDecision, FundingFrame, FundingLine
from .serializers import (
    FundingDecisionSerializer,
    FundingDecisionWriteSerializer,
    FundingFrameSerializer,
    FundingFrameWriteSerializer,
    FundingLineSerializer,
    FundingPlanSerializer,
    FundingPlanWriteSerializer,
    FundingSummarySerializer,
    NestedFundingLineSerializer,
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


# --- the agreement's funding summary and a project's financing plan ------------------------------------------
# Mounted under the portfolio's collections (agreements/{id}/funding-summary/, projects/{id}/funding-lines/)
# by this app's router: portfolio's viewsets do not know about funding.

BASIS_PARAMETER = OpenApiParameter(
    "basis", OpenApiTypes.STR, enum=["planned", "granted", "spent"], default="granted",
    description="Which amounts to add up: planned, granted (default) or spent.",
)


class BasisSerializer(serializers.Serializer):
    basis = serializers.ChoiceField(choices=["planned", "granted", "spent"], default="granted", required=False)


class DecommitmentSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="EU fund: ERDF, ESF or JTF.")
    year = serializers.IntegerField(help_text="The commitment year N (the funding lines' year).")
    deadline = serializers.DateField(help_text="31 December of N + 3.")
    granted = serializers.DecimalField(max_digits=16, decimal_places=2)
    spent = serializers.DecimalField(max_digits=16, decimal_places=2)
    monthly_rate = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    forecast = serializers.DecimalField(max_digits=16, decimal_places=2)
    at_risk = serializers.DecimalField(max_digits=16, decimal_places=2)
    started = serializers.BooleanField()


class AgreementFundingViewSet(viewsets.GenericViewSet):
    """An agreement's funding figures (the agreement itself is `GET /agreements/{id}/`)."""

    permission_classes = [PortalReader]
    serializer_class = FundingSummarySerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[Agreement]:
        return Agreement.objects.visible_to(self.request.user).order_by("name", "pk")

    @extend_schema(
        summary="Funding summary of an agreement",
        description="Totals, the local / EU+state / private split, totals by priority, instrument and year, and "
                    "whether the priority-4 rule holds. Amounts are decimal strings in euros. Only projects "
                    "the user may see count. `as_of` tells the figures as they stood at the end of that day.",
        parameters=[BASIS_PARAMETER, AS_OF_PARAMETER], filters=False,
        responses={200: FundingSummarySerializer, 400: ERROR_RESPONSE},
    )
    @action(detail=True, methods=["get"], url_path="funding-summary", filter_backends=[], pagination_class=None)
    def funding_summary(self, request: Request, pk: str | None = None) -> Response:
        from ..selectors import funding_summary

        agreement = self.get_object()
        params = BasisSerializer(data={"basis": request.query_params.get("basis", "granted")})
        params.is_valid(raise_exception=True)
        basis, as_of, user = params.validated_data["basis"], as_of_param(request), request.user
        # The serialized figures from the cache, keyed by the data version (portfolio.dataversion).
        data = FigureCache(user=user, as_of=as_of).get("funding_summary_json", lambda: FundingSummarySerializer(
            funding_summary(agreement_id=agreement.pk, basis=basis, projects=Project.objects.visible_to(user),
                            as_of=as_of)).data, agreement=agreement.pk, basis=basis)
        return Response(data)

    @extend_schema(
        summary="N+3 forecast of an agreement",
        description="Per EU fund and commitment year: granted, spent by the day, the monthly spending rate so "
                    "far, the forecast by the deadline (31.12. of N + 3) and the money at risk of "
                    "decommitment. Only projects the user may see count.",
        parameters=[AS_OF_PARAMETER], filters=False,
        responses={200: DecommitmentSerializer(many=True), 400: ERROR_RESPONSE},
    )
    @action(detail=True, methods=["get"], url_path="decommitment-forecast", filter_backends=[],
            pagination_class=None)
    def decommitment_forecast(self, request: Request, pk: str | None = None) -> Response:
        from ..selectors import decommitment_forecast

        agreement = self.get_object()
        rows = decommitment_forecast(agreement=agreement, projects=Project.objects.visible_to(request.user),
                                     as_of=as_of_param(request))
        return Response(DecommitmentSerializer(rows, many=True).data)


class ProjectFundingPlanViewSet(viewsets.GenericViewSet):
    """A project's financing plan as a whole (the project itself is `GET /projects/{id}/`)."""

    permission_classes = [PortalReaderCoordinatorWriter]
    serializer_class = FundingPlanSerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[Project]:
        user = self.request.user
        projects = (Project.objects.visible_to(user) if self.request.method in ("GET", "HEAD", "OPTIONS")
                    else Project.objects.editable_by(user))
        return projects.order_by("agreement_id", "code", "pk")

    @extend_schema(
        methods=["GET"], summary="A project's financing plan",
        description="The funding lines; the `ETag` identifies this version of the plan.",
        responses={200: FundingPlanSerializer}, filters=False,
    )
    @extend_schema(
        methods=["PUT"], summary="Replace a project's financing plan (coordinators)",
        description="Validates every line first (nothing is written when one is bad), then replaces the plan. "
                    "Send the plan's `ETag` in `If-Match` to refuse the save (412) if someone changed it.",
        request=FundingPlanWriteSerializer, responses={200: FundingPlanSerializer, 412: ERROR_RESPONSE},
        filters=False,
        parameters=[IF_MATCH_OPTIONAL],
    )
    @action(detail=True, methods=["get", "put"], url_path="funding-lines", filter_backends=[],
            pagination_class=None)
    def funding_plan(self, request: Request, pk: str | None = None) -> Response:
        from ..selectors import lines_fingerprint
        from ..services import funding_lines_replace

        project = self.get_object()
        if request.method == "PUT":
            serializer = FundingPlanWriteSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            tags = parse_if_match(request.headers.get("If-Match", ""))
            expected = tags[0].strip('"') if tags and tags != ["*"] else None
            try:
                funding_lines_replace(project=project, lines=serializer.validated_data["lines"],
                                      user=request.user, expected_fingerprint=expected)
            except DjangoValidationError as exc:
                if any(error.code == "conflict" for error in exc.error_list if not hasattr(exc, "error_dict")):
                    raise PreconditionFailed() from exc
                raise serializers.ValidationError(_plan_errors(exc)) from exc
        lines = FundingLine.objects.filter(project=project).select_related("instrument").order_by(
            "year", "instrument__sort_order", "pk")
        response = Response(FundingPlanSerializer({"project": project.pk, "lines": lines}).data)
        response["ETag"] = f'"{lines_fingerprint(project=project)}"'
        return response


def _plan_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    """The funding service's line errors keyed `lines.<index>.<field>` like the serializer's own."""
    if hasattr(exc, "error_dict"):
        return {key: [str(m) for m in messages] for key, messages in exc.message_dict.items()}
    errors: dict[str, list[str]] = {}
    for error in exc.error_list:
        params = error.params or {}
        key = "non_field_errors"
        if "index" in params:
            key = f"lines.{params['index']}" + (f".{params['field']}" if params.get("field") else "")
        errors.setdefault(key, []).extend(error.messages)
    return errors


def project_funding_lines_field() -> serializers.Field:
    """The `funding_lines` of the project API (registered in portfolio.api.extensions by FundingConfig.ready)."""
    return NestedFundingLineSerializer(many=True, read_only=True)


def project_funding_lines_prefetch() -> Prefetch:
    return Prefetch("funding_lines", queryset=FundingLine.objects.select_related("instrument")
                    .order_by("year", "instrument__sort_order", "pk"))


def project_funding_lines_rows(project_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The `funding_lines` of a page of the project list, one query: what NestedFundingLineSerializer renders
    for each project's lines, in the prefetch's order."""
    from portfolio.api.serializers import decimal_representation

    amounts = {name: decimal_representation(cast(serializers.DecimalField, field))
               for name, field in NestedFundingLineSerializer().fields.items() if name.endswith("_amount")}
    lines: dict[int, list[dict[str, Any]]] = {}
    for row in (FundingLine.objects.filter(project_id__in=project_ids)
                .order_by("year", "instrument__sort_order", "pk")
                .values("project_id", "id", "instrument__code", "year", "kind", "note", "planned_amount",
                        "granted_amount", "spent_amount")):
        lines.setdefault(row["project_id"], []).append({
            "id": row["id"], "instrument": row["instrument__code"], "year": row["year"], "kind": row["kind"],
            "note": row["note"],
            **{name: None if row[name] is None else convert(row[name]) for name, convert in amounts.items()},
        })
    return lines

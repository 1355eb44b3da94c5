"""`/api/v1/progress-reports/`: reports as JSON, written by the project's contacts, reviewed by coordinators.
The review state changes only through the actions (`submit`, `accept`, `return`), each one service call;
a step the state does not allow is 409, a step the user may not take is 403."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from config.api_views import PortalViewSet
from portfolio.models import Project
from portfolio.permissions import can_view_portal

from ..filters.reports import ProgressReportFilter
from ..models.reports import (
    ProgressReport,
    ProgressReportSpending,
    ProgressReportTransition,
    ReportKind,
    ReportStatus,
)
from ..services import reports as services

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _user(request: Request) -> User:
    # The permission class lets only signed-in portal users through.
    return cast("User", request.user)


class SpendingSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="instrument.code", read_only=True)

    class Meta:
        model = ProgressReportSpending
        fields = ["instrument", "amount"]
        read_only_fields = fields


class TransitionSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True, default=None)

    class Meta:
        model = ProgressReportTransition
        fields = ["from_state", "to_state", "by", "at", "comment"]
        read_only_fields = fields


class ProgressReportSerializer(serializers.ModelSerializer):
    agreement = serializers.IntegerField(source="project.agreement_id", read_only=True)
    spending = SpendingSerializer(many=True, read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = ProgressReport
        fields = ["id", "project", "agreement", "kind", "period_start", "period_end", "due_date", "review_state",
                  "status", "status_reason", "done", "next_steps", "risks", "spending", "attachments",
                  "submitted_at", "submitted_by", "reviewed_at", "reviewed_by", "review_comment", "transitions"]
        read_only_fields = fields

    def get_attachments(self, obj: ProgressReport) -> list[dict[str, str]]:
        return [{"name": a.original_name, "url": a.get_absolute_url()} for a in obj.attachments.all()]


class SpendingInputSerializer(serializers.Serializer):
    instrument = serializers.CharField(max_length=10)
    # A string (or a JSON number): parsed by portfolio.money.parse_amount in the service, so "12 500,50" works
    # and a negative or non-euro amount is a 400 with the field's message.
    amount = serializers.JSONField()


class ProgressReportWriteSerializer(serializers.Serializer):
    project: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.none(), required=False)
    kind = serializers.ChoiceField(choices=ReportKind.choices, default=ReportKind.PERIODIC)
    period_start = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=ReportStatus.choices, required=False, allow_blank=True)
    status_reason = serializers.CharField(required=False, allow_blank=True)
    done = serializers.CharField(required=False, allow_blank=True)
    next_steps = serializers.CharField(required=False, allow_blank=True)
    risks = serializers.CharField(required=False, allow_blank=True)
    spending = SpendingInputSerializer(many=True, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            field = cast(serializers.PrimaryKeyRelatedField, self.fields["project"])
            # (The stubs type `queryset` as a manager descriptor.)
            field.queryset = Project.objects.visible_to(request.user)  # type: ignore[arg-type]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None:
            required = serializers.Field.default_error_messages["required"]
            missing = {name: [str(required)] for name in ("project", "period_start") if name not in attrs}
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ProgressReportPermission(BasePermission):
    """Any portal role reads (scoped by visible_to); writes are authorised per object by the services."""

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return can_view_portal(request.user)


def _content(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in services.TEXT_FIELDS}


@extend_schema_view(
    list=extend_schema(summary="List progress reports"),
    retrieve=extend_schema(summary="A progress report"),
    create=extend_schema(summary="Write a project's expected report of a period (its contacts, coordinators)"),
    update=extend_schema(summary="Replace an open report's content"),
    partial_update=extend_schema(summary="Change an open report's content"),
)
class ProgressReportViewSet(PortalViewSet):
    """Progress reports per project and period: draft → submitted → accepted, or returned → resubmitted."""

    serializer_class = ProgressReportSerializer
    write_serializer_class = ProgressReportWriteSerializer
    permission_classes = [ProgressReportPermission]
    filterset_class = ProgressReportFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[ProgressReport]:
        return (ProgressReport.objects.visible_to(self.request.user).select_related("project")
                .prefetch_related("spending__instrument", "transitions__by", "attachments")
                .order_by("project__code", "period_start", "kind"))

    def perform_create(self, serializer: Any) -> ProgressReport:  # type: ignore[override]
        data = serializer.validated_data
        report = services.progress_report_open(project=data["project"], kind=data["kind"],
                                               period_start=data["period_start"], user=_user(self.request))
        return services.progress_report_update(report=report, data=_content(data), spending=data.get("spending"),
                                               user=_user(self.request))

    def perform_update(self, serializer: Any, instance: ProgressReport) -> ProgressReport:  # type: ignore[override]
        data = serializer.validated_data
        return services.progress_report_update(report=instance, data=_content(data),
                                               spending=data.get("spending"), user=_user(self.request))

    @extend_schema(summary="Submit (or resubmit) a report for review", request=CommentSerializer,
                   responses={200: ProgressReportSerializer}, filters=False)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self.run_action(request, lambda r, d: services.progress_report_submit(
            report=r, user=_user(request), comment=d.get("comment", "")), CommentSerializer)

    @extend_schema(summary="Accept a submitted report (its spending feeds the ledger)", request=CommentSerializer,
                   responses={200: ProgressReportSerializer}, filters=False)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        return self.run_action(request, lambda r, d: services.progress_report_accept(
            report=r, user=_user(request), comment=d.get("comment", "")), CommentSerializer)

    @extend_schema(summary="Return a submitted report with comments", request=CommentSerializer,
                   responses={200: ProgressReportSerializer}, filters=False)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        return self.run_action(request, lambda r, d: services.progress_report_return(
            report=r, user=_user(request), comment=d.get("comment", "")), CommentSerializer)

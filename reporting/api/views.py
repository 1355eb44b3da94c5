"""API viewset of summary reports: list, detail with download links, and starting a compilation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, Throttled
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from config.api_views import ERROR_RESPONSE, PortalViewSet
from portfolio.api.asof import AS_OF_PARAMETER, as_of_param
from portfolio.models import Agreement
from portfolio.permissions import can_view_portal

from ..choices import Audience
from ..models import FilesNotReady, SummaryReport
from ..permissions import can_request_any_summary, can_request_summary, can_view_national
from .filters import SummaryReportFilter
from .serializers import CorrectionSerializer, NarrativeSerializer, NationalViewSerializer, SummaryReportSerializer

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


class FileRenderer(BaseRenderer):
    """Lets clients that ask for the file's own type (or anything) reach the download action."""

    media_type = "*/*"
    format = "file"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return data if isinstance(data, bytes) else b""


class NationalReader(BasePermission):
    """The national view: ministry staff, superusers and the national steering group's members; read only."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return can_view_national(request.user) and request.method in SAFE_METHODS


class ReportPermission(BasePermission):
    """Portal roles read (scoped by visible_to); those who may compile some summary may ask for one."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not can_view_portal(request.user):
            return False
        return request.method in SAFE_METHODS or can_request_any_summary(request.user)


REVIEW_ACTIONS = ("narrative", "approve", "correct", "retry_delivery")


class ReviewPermission(BasePermission):
    """Portal roles reach the review actions; the services decide per object who may act."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return can_view_portal(request.user)


class QueueUnavailableError(APIException):
    """503: the broker refused the job, so nothing was saved; the client may try again after Retry-After."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "queue_unavailable"
    wait = 60  # DRF turns this into Retry-After


class FilesNotReadyError(APIException):
    """409: the summary's files lack the narrative last saved (being made again, or that failed)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "files_not_ready"


class SummaryRequestSerializer(serializers.Serializer):
    """Which summary to compile. A steering summary names its agreement; the national one does not."""

    audience = serializers.ChoiceField(choices=Audience.choices)
    agreement: serializers.PrimaryKeyRelatedField[Agreement] = serializers.PrimaryKeyRelatedField(
        queryset=Agreement.objects.all(), required=False, allow_null=True)
    period = serializers.RegexField(r"^\d{4}(-Q[1-4]|-H[12])?$", max_length=7,
                                    help_text="YYYY, YYYY-Qn or YYYY-Hn, e.g. 2026-Q3.")
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default="fi")
    rerun = serializers.BooleanField(default=False,
                                     help_text="A deliberate re-run: a new version even if the data is unchanged.")


@extend_schema_view(
    list=extend_schema(summary="List summary reports"),
    retrieve=extend_schema(summary="A summary report with its download links"),
    create=extend_schema(
        summary="Start compiling a summary", request=SummaryRequestSerializer,
        responses={202: SummaryReportSerializer, 429: ERROR_RESPONSE, 503: ERROR_RESPONSE},
        description="Queues the compilation (Celery) and answers 202 with the job; poll the report until its "
                    "status is `done` (or `failed`). The same summary of unchanged data is not compiled twice: "
                    "the existing one is returned. 503 (with Retry-After) when the task queue is down: nothing "
                    "was saved, try again later.",
    ),
)
class SummaryReportViewSet(PortalViewSet):
    """Summaries (koosteet) for the steering group and the national steering group."""

    serializer_class = SummaryReportSerializer
    write_serializer_class = SummaryRequestSerializer
    permission_classes = [ReportPermission]
    filterset_class = SummaryReportFilter
    http_method_names = ["get", "post", "head", "options"]
    throttle_scope = "report-request"

    def get_throttles(self) -> list[Any]:
        return [ScopedRateThrottle()] if self.action == "create" else []

    def get_queryset(self) -> QuerySet[SummaryReport]:
        return (SummaryReport.objects.visible_to(self.request.user).prefetch_related("deliveries", "review_events")
                .order_by("-created_at", "pk"))

    def _user(self) -> User:
        # The permission classes let only signed-in portal users this far.
        return cast("User", self.request.user)

    def get_permissions(self) -> Any:
        # The review actions are authorised per object by their services (can_review_summary); reading the
        # summary is enough to reach them.
        if self.action in REVIEW_ACTIONS:
            return [ReviewPermission()]
        return super().get_permissions()

    @extend_schema(summary="Save the narrative of a draft summary", request=NarrativeSerializer,
                   responses={200: SummaryReportSerializer, 400: ERROR_RESPONSE, 403: ERROR_RESPONSE},
                   description="Key messages, risks and what the group is asked to note or decide, in the "
                               "summary's language; the files are rendered again with them. The agreement's "
                               "coordinators only (the ministry for the national summary); 400 `frozen` once "
                               "approved.", filters=False)
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def narrative(self, request: Request, pk: str | None = None) -> Response:
        from ..services import summary_narrative_save

        return self.run_action(request, lambda report, data: summary_narrative_save(
            report=report, user=self._user(), key_messages=data["key_messages"], risks=data.get("risks", ""),
            asks=data.get("asks", "")), NarrativeSerializer)

    @extend_schema(summary="Approve a draft summary and send it to its audience", request=None,
                   responses={200: SummaryReportSerializer, 400: ERROR_RESPONSE, 403: ERROR_RESPONSE},
                   description="Draft → approved: the summary is frozen and one e-mail per recipient is queued "
                               "(`deliveries`); when all are sent, `review_status` becomes `sent`.", filters=False)
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def approve(self, request: Request, pk: str | None = None) -> Response:
        from ..services import summary_approve

        return self.run_action(request, lambda report, data: summary_approve(report=report, user=self._user()))

    @extend_schema(summary="Start a correction of an approved summary (a new version)",
                   request=CorrectionSerializer,
                   responses={202: SummaryReportSerializer, 400: ERROR_RESPONSE, 403: ERROR_RESPONSE},
                   filters=False)
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def correct(self, request: Request, pk: str | None = None) -> Response:
        from ..services import QueueUnavailable, summary_correct

        report = self.get_object()
        serializer = CorrectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            new = summary_correct(report=report, user=self._user(), reason=serializer.validated_data["reason"])
        except QueueUnavailable as exc:
            raise QueueUnavailableError(detail=str(exc)) from exc
        return self._render(new, status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Send a failed delivery again", request=None,
                   responses={200: SummaryReportSerializer, 400: ERROR_RESPONSE, 403: ERROR_RESPONSE},
                   filters=False)
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>[0-9]{1,18})/retry",
            filter_backends=[], pagination_class=None)
    def retry_delivery(self, request: Request, pk: str | None = None, delivery_id: str = "") -> Response:
        from ..services import summary_delivery_retry

        report = self.get_object()
        delivery = report.deliveries.filter(pk=delivery_id).first()
        if delivery is None:
            raise NotFound()
        summary_delivery_retry(delivery=delivery, user=self._user())
        return self._render(report)

    @extend_schema(
        summary="Download one file of a summary",
        description="The file as an attachment (PDF, XLSX, CSV or JSON); each download is logged. 404 when the "
                    "summary has no such file (yet); 409 while the files are made again with a newer narrative "
                    "(`files_state` is not `ready`).",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 409: ERROR_RESPONSE}, filters=False,
    )
    @action(detail=True, methods=["get"], url_path=r"files/(?P<file_format>pdf|xlsx|csv|json)",
            renderer_classes=[JSONRenderer, FileRenderer], pagination_class=None, filter_backends=[])
    def download(self, request: Request, pk: str | None = None, file_format: str = "") -> FileResponse:
        from ..services import report_download_log

        report = self.get_object()
        try:
            field = report.download_file(file_format)
        except FilesNotReady as exc:
            raise FilesNotReadyError(_("The files are being made again with the narrative last saved "
                                       "(files_state: %(state)s); download them when files_state is ready.")
                                     % {"state": exc.args[0]}) from exc
        if field is None:
            raise NotFound()
        report_download_log(report=report, user=request.user, file_format=file_format, request=request)
        response = FileResponse(field.open("rb"), as_attachment=True, filename=field.name.rsplit("/", 1)[-1],
                                content_type=CONTENT_TYPES[file_format])
        response["Cache-Control"] = "no-store"
        return response

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from ..services import MAX_PENDING_PER_USER, QueueUnavailable, summary_request

        serializer = SummaryRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        agreement = data.get("agreement")
        if not can_request_summary(request.user, audience=data["audience"], agreement=agreement):
            raise PermissionDenied()
        # The same guard as the /reports/ page: a few heavy jobs in flight per user at most.
        pending = SummaryReport.objects.in_flight().filter(requested_by=request.user)
        if pending.count() >= MAX_PENDING_PER_USER and not pending.filter(
                audience=data["audience"], agreement=agreement, period=data["period"],
                language=data["language"], rerun=False).exists():
            raise Throttled(detail=_("You have %(n)s summaries being compiled; wait until they are done.")
                            % {"n": pending.count()})
        try:
            report = summary_request(audience=data["audience"], period=data["period"], agreement=agreement,
                                     language=data["language"], rerun=data["rerun"], user=request.user)
        except QueueUnavailable as exc:
            raise QueueUnavailableError(detail=str(exc)) from exc
        return self._render(report, status.HTTP_202_ACCEPTED)


def _national_cells(view: Any, row: dict[str, Any]) -> dict[str, Any]:
    """A national-view row for the serializer: the indicator cells with their codes and units."""
    indicators = []
    for indicator, cell in zip(view.indicators, row["indicators"], strict=True):
        indicators.append({"code": indicator.code, "unit": indicator.unit,
                           "target": None if cell is None else cell.target,
                           "achieved": None if cell is None else cell.achieved})
    enterprises = row["enterprises"]
    return {**row, "indicators": indicators, "enterprises": None if enterprises is None else int(enterprises.achieved)}


class NationalComparisonView(APIView):
    """Every agreement side by side on the same measures (the national view), as of a day."""

    permission_classes = [NationalReader]

    @extend_schema(
        summary="The national view",
        description="One row per agreement you may see: planned, granted and spent money with the local / EU and "
                    "state / private split and the 40/60 check, the priority-4 rule, projects by status, progress "
                    "reports, key results indicators and the enterprises reached (each enterprise once per "
                    "agreement); and the country's totals (each enterprise once in the country). The same "
                    "figures as /national/. Ministry staff and members of the national steering group.",
        parameters=[AS_OF_PARAMETER], responses={200: NationalViewSerializer, 400: ERROR_RESPONSE},
    )
    def get(self, request: Request) -> Response:
        from ..selectors import national_view

        view = national_view(user=request.user, as_of=as_of_param(request))
        data = {"as_of": view.as_of,
                "agreements": [{**_national_cells(view, row), "agreement": {
                    "id": row["agreement"].pk, "code": row["agreement"].code, "name": row["agreement"].name}}
                    for row in view.rows],
                "country": _national_cells(view, view.country)}
        return Response(NationalViewSerializer(data).data)

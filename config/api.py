"""Shared REST framework pieces: pagination, the JSON error shape, ETag/If-Match concurrency, the schema
class that documents the error responses, and JSON answers for unknown or failing /api/ URLs.

Every error the API returns has one shape (``ErrorSerializer``)::

    {"status": 400, "code": "invalid", "detail": "Invalid input.", "errors": {"title": ["..."]}}

``errors`` maps a field (dotted for nested ones, ``non_field_errors`` for the object) to its messages.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, OperationalError
from django.db import InterfaceError as DatabaseInterfaceError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .middleware import NulCharacterInRequest

logger = logging.getLogger(__name__)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int:
        # A malformed or non-positive page_size falls back to the default instead of failing.
        return super().get_page_size(request) or self.page_size


# --- Errors -------------------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """The body of every error response of the API."""

    status = serializers.IntegerField(help_text="The HTTP status code.")
    code = serializers.CharField(help_text="A machine-readable error code, e.g. `invalid`, `not_found`.")
    detail = serializers.CharField(help_text="A human-readable message in the request's language.")
    errors = serializers.DictField(  # type: ignore[assignment]  # the body's field; the stubs see Serializer.errors
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="Field messages of a 400 response: field name (dotted when nested) → messages.",
    )


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The object has changed since you read it (If-Match does not match its ETag).")
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = _("This update needs an If-Match header with the ETag you read.")
    default_code = "precondition_required"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the object.")
    default_code = "conflict"


class BadQuery(exceptions.ParseError):
    default_detail = _("The query string contains characters that are not allowed.")
    default_code = "invalid_query"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The request body is larger than the server accepts.")
    default_code = "request_too_large"


# Domain exceptions recognised by class name, so the API does not import every app's internals. A domain
# exception may also carry `http_status` (409, 412 ...) itself.
DOMAIN_STATUS_BY_NAME = {
    "StaleVersionError": status.HTTP_412_PRECONDITION_FAILED,
    "StaleObjectError": status.HTTP_412_PRECONDITION_FAILED,
    "TransitionError": status.HTTP_409_CONFLICT,
    "InvalidTransition": status.HTTP_409_CONFLICT,
    "IllegalTransition": status.HTTP_409_CONFLICT,
    "TransitionNotAllowed": status.HTTP_409_CONFLICT,
    "ImmutableDecisionError": status.HTTP_409_CONFLICT,
    "PermanentRecordError": status.HTTP_409_CONFLICT,
}


def _messages(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value:
            out.extend(_messages(item))
        return out
    return [str(value)]


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {dotted.field: [messages]}."""
    errors: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else str(key)
            dotted = f"{prefix}.{name}" if prefix else name
            errors.update(flatten_errors(value, dotted))
    elif isinstance(detail, list | tuple) and any(isinstance(item, dict | list) for item in detail):
        for index, item in enumerate(detail):
            if not item:
                continue
            errors.update(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        errors[prefix or api_settings.NON_FIELD_ERRORS_KEY] = _messages(detail)
    return errors


def _django_validation_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {(api_settings.NON_FIELD_ERRORS_KEY if k == NON_FIELD_ERRORS else k): v
                for k, v in exc.message_dict.items()}
    return {api_settings.NON_FIELD_ERRORS_KEY: list(exc.messages)}


def error_body(status_code: int, code: str, detail: Any, errors: dict[str, list[str]] | None = None
               ) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status_code, "code": code, "detail": str(detail)}
    if errors is not None:
        body["errors"] = errors
    return body


def _domain_status(exc: Exception) -> int | None:
    explicit = getattr(exc, "http_status", None)
    if isinstance(explicit, int):
        return explicit
    for klass in type(exc).__mro__:
        if klass.__name__ in DOMAIN_STATUS_BY_NAME:
            return DOMAIN_STATUS_BY_NAME[klass.__name__]
    return None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler plus Django's ValidationError, domain exceptions and integrity conflicts, all in
    the shape of ``ErrorSerializer``. Anything else stays a server error (logged, JSON body)."""
    domain_status = _domain_status(exc)
    if domain_status is not None and not isinstance(exc, exceptions.APIException):
        message = "; ".join(exc.messages) if isinstance(exc, DjangoValidationError) else str(exc)
        code = getattr(exc, "code", None) or {409: "conflict", 412: "precondition_failed"}.get(
            domain_status, "error")
        body = error_body(domain_status, str(code), message or _("Conflict."))
        if isinstance(exc, DjangoValidationError):
            body["errors"] = _django_validation_detail(exc)
        return Response(body, status=domain_status)
    if isinstance(exc, DjangoValidationError):
        return Response(error_body(400, "invalid", _("Invalid input."), _django_validation_detail(exc)),
                        status=400)
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    if isinstance(exc, IntegrityError):
        logger.info("API integrity conflict: %s", exc)
        return Response(error_body(409, "conflict", Conflict.default_detail), status=409)
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(response.status_code, "invalid", _("Invalid input."),
                                   flatten_errors(exc.detail))
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        if isinstance(detail, dict | list):
            codes = exc.get_codes()
            code = codes if isinstance(codes, str) else exc.default_code
            response.data = error_body(response.status_code, str(code), exc.default_detail,
                                       flatten_errors(detail))
        else:
            code = getattr(detail, "code", None) or exc.default_code
            response.data = error_body(response.status_code, str(code), detail)
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


@csrf_exempt  # it changes nothing; without this a POST would get Django's HTML CSRF page
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown URLs under /api/v1/ answer in JSON, like the rest of the API."""
    return JsonResponse(error_body(404, "not_found", exceptions.NotFound.default_detail), status=404)


def handler404(request: HttpRequest, exception: Exception | None = None) -> Any:
    if _is_api(request):
        return api_not_found(request)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)  # type: ignore[arg-type]


def handler400(request: HttpRequest, exception: Exception | None = None) -> Any:
    """Bad requests Django itself refuses (a body over the size limit, NUL characters in the query
    string, ...): the JSON error shape under /api/, the portal's 400 page elsewhere."""
    if _is_api(request):
        if isinstance(exception, RequestDataTooBig):
            body = error_body(400, RequestTooLarge.default_code, RequestTooLarge.default_detail)
        elif isinstance(exception, NulCharacterInRequest):
            body = error_body(400, "invalid_characters",
                              _("The request (its address, a header or a cookie) contains characters that are "
                                "not allowed."))
        else:
            body = error_body(400, "bad_request", _("Bad request."))
        return JsonResponse(body, status=400)
    from django.views.defaults import bad_request

    if exception is None:
        exception = SuspiciousOperation()
    return bad_request(request, exception)


# Errors that mean "a service we depend on is unreachable" (the database, usually): 503, try again later.
_UNAVAILABLE = (OperationalError, DatabaseInterfaceError)
RETRY_AFTER_SECONDS = 30


def _service_unavailable(exc: BaseException | None) -> bool:
    """An OperationalError/InterfaceError anywhere in the chain: the database (or the connection) is down,
    not a bug. (Other DatabaseErrors, e.g. a bad query, stay 500s.)"""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, _UNAVAILABLE):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def handler500(request: HttpRequest) -> Any:
    """The portal's 500 page, or its 503 page when the database is unreachable; a JSON body under /api/.
    Rendered from templates that need no database: no context processors, no session, no user."""
    from django.http import HttpResponse
    from django.template import loader

    from .middleware import current_request_id

    unavailable = _service_unavailable(sys.exc_info()[1])
    status_code = 503 if unavailable else 500
    if _is_api(request):
        if unavailable:
            response: HttpResponse = JsonResponse(
                error_body(503, "service_unavailable", _("The service is temporarily unavailable. Try again in a "
                                                         "moment.")), status=503)
        else:
            response = JsonResponse(error_body(500, "server_error", _("Internal server error.")), status=500)
    else:
        template = loader.get_template("503.html" if unavailable else "500.html")
        response = HttpResponse(template.render({"request_id": current_request_id()}), status=status_code)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


# --- Filtering and ordering ---------------------------------------------------------------------------


class FilterBackend(DjangoFilterBackend):
    """django-filter, refusing NUL characters in the query string (PostgreSQL cannot store or compare
    them) with a 400 instead of a database error."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        for key, values in request.query_params.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise BadQuery()
        return super().filter_queryset(request, queryset, view)


def stable_order(queryset: QuerySet) -> QuerySet:
    """Append the primary key to whatever ordering the client chose, so pages never overlap or skip."""
    ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    if not any(str(term).lstrip("-") in ("pk", "id") for term in ordering):
        ordering.append("pk")
    return queryset.order_by(*ordering)


# --- Optimistic concurrency -----------------------------------------------------------------------------


def etag_of_data(data: Any) -> str:
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder).encode()).hexdigest()
    return f'"{digest[:32]}"'


def parse_if_match(header: str) -> list[str]:
    """The entity tags of an If-Match header, without weakness prefixes (`*` stays `*`)."""
    tags = []
    for part in header.split(","):
        part = part.strip()
        if part.startswith("W/"):
            part = part[2:]
        if part:
            tags.append(part)
    return tags


def if_match_satisfied(header: str, current_etag: str) -> bool:
    tags = parse_if_match(header)
    return "*" in tags or current_etag in tags

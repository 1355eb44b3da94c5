"""A request ID on every request and log line, echoed as the X-Request-ID response header; requests with
NUL characters in the URL refused as bad requests."""

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_request_id() -> str:
    return _request_id.get()


class RequestIDMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        # Only well-formed incoming IDs are trusted, so nobody can inject text into our logs.
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIDLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class NulCharacterInRequest(BadRequest):
    """A NUL character in the path, the query string, a header or a cookie: PostgreSQL can neither store nor
    compare it."""


class RejectNulCharactersMiddleware:
    """Every view reads the query string (`request.GET`, filters, forms), the session reads its cookie and the
    API its token header; refusing NUL characters here once
    makes them a 400 everywhere (the JSON error shape under /api/, the 400 page elsewhere: config.api's
    handler400) instead of a database error on PostgreSQL. Form bodies are checked by the form fields
    themselves (Django's CharField rejects NUL with a field error)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            raise NulCharacterInRequest("NUL character in the URL")
        # Headers and cookies reach the database too (the session key, the API token).
        if any("\x00" in str(value) for key, value in request.META.items() if key.startswith("HTTP_")) or any(
            "\x00" in key or "\x00" in value for key, value in request.COOKIES.items()
        ):
            raise NulCharacterInRequest("NUL character in a header or cookie")
        return self.get_response(request)

"""A request ID on every request and log line, echoed as the X-Request-ID response header; requests with
NUL characters in the URL refused as bad requests; session lifetime."""

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import BadRequest
from django.dispatch import Signal
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


# --- Session lifetime ----------------------------------------------------------------------------------------

SESSION_STARTED_KEY = "_session_started_at"
SESSION_SEEN_KEY = "_session_last_seen_at"
# Writing the last-seen time on every request would save the session on every request; once a minute is
# precise enough for an idle limit counted in minutes.
_SEEN_RESOLUTION = 60

# Sent when a session ends by timeout (receivers: the security log in portfolio.audit, which config may not
# import). Arguments: request, user, reason ("idle" or "absolute").
session_expired = Signal()


class SessionTimeoutMiddleware:
    """Ends a signed-in session after ``SESSION_IDLE_TIMEOUT`` seconds without a request and
    ``SESSION_ABSOLUTE_LIFETIME`` seconds after sign-in, server-side (the session is flushed), so the
    request continues as anonymous (login redirect, or 401/403 from the API)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            self._check(request, user)
        return self.get_response(request)

    def _check(self, request: HttpRequest, user: object) -> None:
        now = int(time.time())
        session = request.session
        started = session.get(SESSION_STARTED_KEY)
        seen = session.get(SESSION_SEEN_KEY)
        reason = ""
        if isinstance(started, int) and now - started > settings.SESSION_ABSOLUTE_LIFETIME:
            reason = "absolute"
        elif isinstance(seen, int) and now - seen > settings.SESSION_IDLE_TIMEOUT:
            reason = "idle"
        if reason:
            session_expired.send(sender=self.__class__, request=request, user=user, reason=reason)
            logout(request)  # flushes the session server-side and makes request.user anonymous
            return
        if not isinstance(started, int):
            session[SESSION_STARTED_KEY] = now
        if not isinstance(seen, int) or now - seen >= _SEEN_RESOLUTION:
            session[SESSION_SEEN_KEY] = now


def session_time_left(request: HttpRequest) -> tuple[int, int] | None:
    """Seconds until the signed-in session of ``request`` ends: (by the idle limit or the absolute limit,
    whichever comes first; by the absolute limit alone). None for an anonymous request. The page's timeout
    warning counts down from the first; the keep-alive cannot move the second."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return None
    now = int(time.time())
    started = request.session.get(SESSION_STARTED_KEY)
    seen = request.session.get(SESSION_SEEN_KEY)
    absolute = settings.SESSION_ABSOLUTE_LIFETIME - (now - started if isinstance(started, int) else 0)
    idle = settings.SESSION_IDLE_TIMEOUT - (now - seen if isinstance(seen, int) else 0)
    return max(0, min(idle, absolute)), max(0, absolute)


def session_touch(request: HttpRequest) -> None:
    """Count this request as activity now, whatever the once-a-minute resolution (the keep-alive)."""
    request.session[SESSION_SEEN_KEY] = int(time.time())

"""The security audit log: one service writes every entry (``security_event_record``), receivers turn
Django's and django-axes' authentication signals into entries, and the request ID goes on every entry and on
every history row. Future code (imports, new downloads) calls ``security_event_record`` directly.

Nothing secret is stored: credentials are never passed in, and ``detail`` drops any key that looks like a
password, token, secret, cookie or session before it is written."""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from config.middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY, current_request_id, session_expired

from .choices import SecurityEventKind
from .models import SecurityEvent

logger = logging.getLogger("portfolio.audit")

_SECRET_KEY = re.compile(r"pass|token|secret|key|auth|cookie|session|csrf|otp|credential", re.IGNORECASE)
_MAX_DETAIL_VALUE = 500


def _scrub(detail: dict[str, Any] | None) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in (detail or {}).items():
        if _SECRET_KEY.search(str(key)):
            continue
        if isinstance(value, dict):
            value = _scrub(value)
        elif not isinstance(value, int | float | bool | type(None) | list):
            value = str(value)[:_MAX_DETAIL_VALUE]
        clean[str(key)] = value
    return clean


def _client_ip(request: HttpRequest) -> str | None:
    # The same client address django-axes locks by (it honours the configured trusted proxies).
    ip = getattr(request, "axes_ip_address", None)
    if not ip:
        try:
            from axes.helpers import get_client_ip_address  # noqa: PLC0415 - optional dependency path

            ip = get_client_ip_address(request)
        except Exception:  # noqa: BLE001 - an address is a nicety; the entry matters more
            ip = request.META.get("REMOTE_ADDR")
    return ip or None


def security_event_record(
    *,
    kind: SecurityEventKind | str,
    request: HttpRequest | None = None,
    user: AbstractBaseUser | AnonymousUser | None = None,
    username: str = "",
    obj: models.Model | None = None,
    detail: dict[str, Any] | None = None,
) -> SecurityEvent | None:
    """Append one entry to the security log. Takes the actor from ``user`` or the request, the request ID from
    the request-ID middleware, and the object's type and id from ``obj``. Never raises: a failure to write the
    log is logged as an error and must not turn a sign-in or a download into a server error."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    actor = user if user is not None and user.is_authenticated else None
    request_id = getattr(request, "request_id", None) or current_request_id()
    event = SecurityEvent(
        kind=kind,
        user=actor,  # type: ignore[misc]
        username=(username or (actor.get_username() if actor is not None else ""))[:150],
        request_id="" if request_id == "-" else request_id,
        detail=_scrub(detail),
    )
    if request is not None:
        event.ip_address = _client_ip(request)
        event.user_agent = request.headers.get("User-Agent", "")[:255]
        event.method = request.method or ""
        event.path = request.path[:255]
    if obj is not None:
        event.object_type = obj._meta.label_lower
        event.object_id = str(obj.pk)
    try:
        with transaction.atomic():  # a savepoint: a failed insert leaves the caller's transaction usable
            event.save()
    except DatabaseError:
        logger.exception("security event not recorded", extra={"kind": str(kind)})
        return None
    logger.info("security event %s", kind, extra={"user": event.user_id, "path": event.path})
    return event


def security_events_purge(*, older_than_days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete entries older than the retention period (``AUDIT_RETENTION_DAYS``); returns how many."""
    days = settings.AUDIT_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _ = SecurityEvent.objects.filter(at__lt=cutoff).delete()
    return deleted


# --- receivers (connected in PortfolioConfig.ready) --------------------------------------------------------

def _on_logged_in(sender: Any, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        # The absolute session lifetime counts from here (config.middleware.SessionTimeoutMiddleware).
        now = int(time.time())
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_SEEN_KEY] = now
    security_event_record(kind=SecurityEventKind.SIGN_IN, request=request, user=user)


def _on_session_expired(sender: Any, request: HttpRequest, user: AbstractBaseUser, reason: str,
                        **kwargs: Any) -> None:
    security_event_record(kind=SecurityEventKind.SESSION_EXPIRED, request=request, user=user,
                          detail={"reason": reason})


def _on_logged_out(sender: Any, request: HttpRequest | None, user: AbstractBaseUser | None, **kwargs: Any) -> None:
    if user is not None:
        security_event_record(kind=SecurityEventKind.SIGN_OUT, request=request, user=user)


def _on_login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                     **kwargs: Any) -> None:
    # Django already masks the password in `credentials`; only the user name is kept, nothing else.
    username = str(credentials.get("username", ""))[:150]
    security_event_record(kind=SecurityEventKind.SIGN_IN_FAILED, request=request, user=AnonymousUser(),
                          username=username)


def _on_locked_out(sender: Any, request: HttpRequest | None, username: str | None = None,
                   ip_address: str | None = None, **kwargs: Any) -> None:
    security_event_record(kind=SecurityEventKind.LOCKED_OUT, request=request, user=AnonymousUser(),
                          username=str(username or "")[:150], detail={"ip_address": ip_address})


def _on_history_row(sender: Any, instance: Any, history_instance: Any, **kwargs: Any) -> None:
    if hasattr(history_instance, "request_id") and not history_instance.request_id:
        request_id = current_request_id()
        history_instance.request_id = "" if request_id == "-" else request_id


def connect_receivers() -> None:
    from axes.signals import user_locked_out  # noqa: PLC0415
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed  # noqa: PLC0415
    from simple_history.signals import pre_create_historical_record  # noqa: PLC0415

    user_logged_in.connect(_on_logged_in, dispatch_uid="audit-logged-in")
    user_logged_out.connect(_on_logged_out, dispatch_uid="audit-logged-out")
    user_login_failed.connect(_on_login_failed, dispatch_uid="audit-login-failed")
    user_locked_out.connect(_on_locked_out, dispatch_uid="audit-locked-out")
    pre_create_historical_record.connect(_on_history_row, dispatch_uid="audit-history-request-id")
    session_expired.connect(_on_session_expired, dispatch_uid="audit-session-expired")

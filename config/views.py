"""Operational endpoints."""

import logging

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .middleware import session_time_left, session_touch

logger = logging.getLogger(__name__)


def _check_database() -> tuple[bool, str]:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        logger.warning("health check: database down: %s", exc)
        return False, "down"
    return True, "up"


def _check_broker() -> tuple[bool, str]:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        logger.warning("health check: broker down: %s", exc)
        return False, "down"
    return True, "up"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when the database and the broker answer, 503 otherwise."""
    db_ok, db_state = _check_database()
    broker_ok, broker_state = _check_broker()
    ok = db_ok and broker_ok
    body = {
        "status": "ok" if ok else "error",
        "database": db_state,
        "broker": broker_state,
        "broker_transport": settings.CELERY_BROKER_URL.split("://", 1)[0],
    }
    return JsonResponse(body, status=200 if ok else 503)


@never_cache
@require_POST
def session_keep_alive(request: HttpRequest) -> JsonResponse:
    """"Stay signed in": counts as activity, so the idle limit starts again; answers the seconds left (the
    absolute limit is not moved). Changes nothing else. 401 (JSON, not the login page) when the session has
    already ended, so the page can say so."""
    if not request.user.is_authenticated:
        return JsonResponse({"status": "signed_out"}, status=401)
    session_touch(request)
    left = session_time_left(request)
    if left is None:  # no session to time (cannot happen for a signed-in user; answered like an ended one)
        return JsonResponse({"status": "signed_out"}, status=401)
    return JsonResponse({"status": "ok", "expires_in": left[0], "ends_in": left[1]})

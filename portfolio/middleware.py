"""Permission denials into the security log (config cannot import the model; this app is the lowest that can)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .audit import security_event_record
from .choices import SecurityEventKind


class SecurityEventMiddleware:
    """Records every 403 answer (PermissionDenied in a view, DRF's permission checks, CSRF failures) with the
    user, path and request ID. Lock-outs are recorded by their own signal and not twice."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403 and not getattr(request, "axes_locked_out", False):
            security_event_record(kind=SecurityEventKind.PERMISSION_DENIED, request=request,
                                  detail={"status": 403})
        return response

"""DRF permission classes of the API, wrapping the predicates of `portfolio.permissions` (one source of
truth with the UI). Object scope is enforced by the viewsets' querysets: an object outside the user's
scope is not found (404), never shown as forbidden."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

from ..permissions import can_view_portal, is_coordinator


class PortalReader(BasePermission):
    """Any portal role (coordinator, steering, ministry, superuser) may read; nobody writes."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return can_view_portal(request.user) and request.method in SAFE_METHODS


class PortalReaderCoordinatorWriter(BasePermission):
    """Any portal role reads; only coordinators (and superusers) write. Read-only roles get 403."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not can_view_portal(request.user):
            return False
        return request.method in SAFE_METHODS or is_coordinator(request.user)

"""Template context shared by every page: the agreement switcher, the navigation and the session's time left."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from config.middleware import session_time_left

from .current import switchable_agreement_list
from .notifications import unread_count
from .permissions import can_view_portal
from .roles import is_project_contact_only
from .selectors import current_agreement


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Computed once per request: a page that renders partials with the request (the dashboard) would
    # otherwise ask for the same agreements and unread count once per partial.
    cached = getattr(request, "_portal_context", None)
    if cached is None:
        cached = _portal(request, user)
        request._portal_context = cached  # type: ignore[attr-defined]
    return cached


def _portal(request: HttpRequest, user: Any) -> dict:
    agreements = switchable_agreement_list(request)
    left = session_time_left(request)
    return {
        # For the session timeout warning (static/js/portal.js), as data attributes of <body>.
        "session_expires_in": left[0] if left else None,
        "session_ends_in": left[1] if left else None,
        "session_idle": settings.SESSION_IDLE_TIMEOUT,
        "session_warn": settings.SESSION_WARNING_BEFORE,
        "portal_agreements": agreements,
        "current_agreement": current_agreement(request),
        # A project contact sees only their projects: the agreement-wide sections are left out of the menu.
        "portal_contact_only": is_project_contact_only(user),
        # A signed-in user without a role may open none of the sections: the menu offers none of them.
        "portal_has_role": can_view_portal(user),
        "portal_unread_notifications": unread_count(user),
    }

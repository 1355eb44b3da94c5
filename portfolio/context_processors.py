"""Template context shared by every page: the agreement switcher and the navigation."""

from django.http import HttpRequest

from .notifications import unread_count
from .roles import is_project_contact_only
from .selectors import current_agreement, switchable_agreements


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    agreements = switchable_agreements(user)
    return {
        "portal_agreements": agreements,
        "current_agreement": current_agreement(request),
        # A project contact sees only their projects: the agreement-wide sections are left out of the menu.
        "portal_contact_only": is_project_contact_only(user),
        "portal_unread_notifications": unread_count(user),
    }

"""The agreement a request works on: the switcher's choice kept in the session, or the user's first one."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Agreement

SESSION_AGREEMENT_KEY = "portal_agreement_id"


def switchable_agreements(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Agreement]:
    return Agreement.objects.worked_on_by(user).order_by("name")


def switchable_agreement_list(request: HttpRequest) -> list[Agreement]:
    """``switchable_agreements`` of the request's user, read once per request (the switcher and
    ``current_agreement`` both use it)."""
    if not hasattr(request, "_portal_agreements"):
        request._portal_agreements = list(switchable_agreements(request.user))  # type: ignore[attr-defined]
    return request._portal_agreements  # type: ignore[attr-defined]


def current_agreement(request: HttpRequest) -> Agreement | None:
    """The agreement the user has selected in the switcher, or their first one."""
    if hasattr(request, "_portal_agreement"):
        return request._portal_agreement  # type: ignore[attr-defined]
    agreements = switchable_agreement_list(request)
    selected = request.session.get(SESSION_AGREEMENT_KEY)
    agreement = None
    if selected:
        agreement = next((a for a in agreements if str(a.pk) == str(selected)), None)
    if agreement is None:
        agreement = agreements[0] if agreements else None
    request._portal_agreement = agreement  # type: ignore[attr-defined]
    return agreement

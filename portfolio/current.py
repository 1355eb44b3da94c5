"""The agreement a request works on: the switcher's choice kept in the session, or the user's first one."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Agreement

SESSION_AGREEMENT_KEY = "portal_agreement_id"


def switchable_agreements(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Agreement]:
    return Agreement.objects.worked_on_by(user).order_by("name")


def current_agreement(request: HttpRequest) -> Agreement | None:
    """The agreement the user has selected in the switcher, or their first one."""
    if hasattr(request, "_portal_agreement"):
        return request._portal_agreement  # type: ignore[attr-defined]
    agreements = switchable_agreements(request.user)
    selected = request.session.get(SESSION_AGREEMENT_KEY)
    agreement = None
    if selected:
        agreement = agreements.filter(pk=selected).first()
    if agreement is None:
        agreement = agreements.first()
    request._portal_agreement = agreement  # type: ignore[attr-defined]
    return agreement

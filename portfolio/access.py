"""Who works on which agreement: the one answer that every app's visibility rules start from.

A user works on an agreement when some app says so: portfolio through `AgreementAccess`, governance through
a seat in the agreement's steering group. This module sits at the bottom (it imports no model), so the
apps register their sources instead of being imported: each app's `AppConfig.ready()` calls
`register_agreement_source` with a function that returns the agreement ids one user works on through it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from .roles import Role, has_role, is_superuser

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

AgreementSource = Callable[["AbstractBaseUser"], Iterable[int]]

_sources: list[AgreementSource] = []


def register_agreement_source(source: AgreementSource) -> None:
    """Add one way of working on an agreement (idempotent: `ready()` may run more than once)."""
    if source not in _sources:
        _sources.append(source)


def agreement_ids_of(user: AnyUser) -> list[int]:
    """The agreements a user works on: explicit access plus the steering groups they sit in."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_portal_agreement_ids", None)
    if cached is None:
        ids: set[int] = set()
        for source in _sources:
            ids |= set(source(user))
        cached = sorted(ids)
        user._portal_agreement_ids = cached  # type: ignore[union-attr,attr-defined]  # a per-request cache
    return cached


def contact_project_ids_of(user: AnyUser) -> list[int]:
    """The projects a user is a project contact of (cached on the user for the request)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_portal_contact_project_ids", None)
    if cached is None:
        # The app registry, not an import: this module sits below the models.
        from django.apps import apps  # noqa: PLC0415

        contacts = apps.get_model("portfolio", "ProjectContact").objects
        cached = sorted(set(contacts.filter(user_id=user.pk).values_list("project_id", flat=True)))
        user._portal_contact_project_ids = cached  # type: ignore[union-attr,attr-defined]
    return cached


def is_contact_of(user: AnyUser, project_id: int) -> bool:
    return project_id in contact_project_ids_of(user)


def is_coordinator(user: AnyUser) -> bool:
    return bool(user.is_authenticated and (is_superuser(user) or has_role(user, Role.COORDINATOR)))

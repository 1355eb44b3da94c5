"""Notifications inside the portal (besides e-mail): written by the apps' notification tasks for the same
people their e-mails go to, shown in the top bar (unread count) and on /notifications/, marked read there."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import Notification

# A list page shows this many; older ones stay in the database until the user's data is removed.
LIST_SIZE = 100


def notify(*, users: Iterable[Any], kind: str, params: dict[str, Any], url: str = "") -> int:
    """One notification per distinct active user (None and inactive users are skipped). Returns the count."""
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or not getattr(user, "is_active", False) or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, kind=kind, params={k: str(v) for k, v in params.items()}, url=url[:255]))
    Notification.objects.bulk_create(rows)
    return len(rows)


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_of(user: Any) -> QuerySet[Notification]:
    """The user's own notifications, newest first (never anyone else's)."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


@transaction.atomic
def notifications_mark_read(*, user: Any, pk: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; another user's id changes nothing."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())

"""Chainable querysets. Every list starts from `visible_to(user)`, so nothing leaks by a forgotten filter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from .choices import PUBLIC_PROJECT_STATUSES
from .roles import sees_all_agreements

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def agreement_ids_of(user: AbstractBaseUser | AnonymousUser) -> list[int]:
    """The agreements a user works on: explicit access plus the steering groups they sit in."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_portal_agreement_ids", None)
    if cached is None:
        from governance.models import Membership

        from .models import AgreementAccess

        ids = set(AgreementAccess.objects.filter(user=user).values_list("agreement_id", flat=True))
        ids |= set(
            Membership.objects.filter(user=user, group__agreement__isnull=False).values_list(
                "group__agreement_id", flat=True
            )
        )
        cached = sorted(ids)
        user._portal_agreement_ids = cached  # type: ignore[union-attr]
    return cached


class AgreementQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> AgreementQuerySet:
        # Agreements themselves are public facts (name, parties, priorities); drafts are hidden per project.
        return self.all() if user.is_authenticated else self.none()

    def worked_on_by(self, user: AbstractBaseUser | AnonymousUser) -> AgreementQuerySet:
        """The agreements whose whole portfolio the user sees."""
        if not user.is_authenticated:
            return self.none()
        if sees_all_agreements(user):
            return self.all()
        return self.filter(pk__in=agreement_ids_of(user))


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> ProjectQuerySet:
        """All projects of the user's own agreements; of other agreements only decided ones."""
        if not user.is_authenticated:
            return self.none()
        if sees_all_agreements(user):
            return self.all()
        return self.filter(
            Q(agreement_id__in=agreement_ids_of(user)) | Q(status__in=PUBLIC_PROJECT_STATUSES)
        )

    def editable_by(self, user: AbstractBaseUser | AnonymousUser) -> ProjectQuerySet:
        from .permissions import is_coordinator

        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        if not is_coordinator(user):
            return self.none()
        return self.filter(agreement_id__in=agreement_ids_of(user))

    def for_agreement(self, agreement_id: int | None) -> ProjectQuerySet:
        return self.filter(agreement_id=agreement_id) if agreement_id else self

    def active(self) -> ProjectQuerySet:
        from .choices import ProjectStatus

        return self.filter(status__in=[ProjectStatus.APPROVED, ProjectStatus.RUNNING])

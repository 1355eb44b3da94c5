"""Chainable querysets of the governance app. Every list starts from `visible_to(user)`.

Who sees what (docs: shared/domain.md, "the tenant boundary is the agreement"):
- ministry staff and superusers: everything of every agreement;
- users who work on an agreement (coordinators with access, members of its steering group): all of its
  proposals (drafts included), meetings and decisions;
- members of the national steering group: every agreement's proposals except drafts, and its own meetings;
- everybody else (including signed-in users without a portal role): nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils import timezone

from portfolio.access import agreement_ids_of
from portfolio.roles import sees_all_agreements

from .choices import GroupKind, MeetingStatus, ProposalStatus
from .errors import PermanentRecordError

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser


def _portal_user(user: AnyUser) -> bool:
    from portfolio.permissions import can_view_portal

    return can_view_portal(user)


def _model(name: str) -> Any:
    """A model of this app. The querysets sit below the models (which attach them as managers), so they
    reach a sibling model through the app registry instead of importing models.py (a cycle)."""
    return apps.get_model("governance", name)


def group_ids_of(user: AnyUser) -> list[int]:
    """The steering groups a user sits in (any role, any term), cached on the user object."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_governance_group_ids", None)
    if cached is None:
        cached = sorted(_model("Membership").objects.filter(user=user).values_list("group_id", flat=True))
        user._governance_group_ids = cached  # type: ignore[attr-defined]  # a per-request cache on the user
    return cached


def is_national_member(user: AnyUser) -> bool:
    ids = group_ids_of(user)
    return bool(ids) and _model("SteeringGroup").objects.filter(pk__in=ids, kind=GroupKind.NATIONAL).exists()


class MembershipQuerySet(models.QuerySet):
    def active(self, on: dt.date | None = None) -> MembershipQuerySet:
        """Seats whose term covers the day (open-ended terms included)."""
        day = on or timezone.localdate()
        return self.filter(Q(term_start__isnull=True) | Q(term_start__lte=day),
                           Q(term_end__isnull=True) | Q(term_end__gte=day))


class ProjectIdeaQuerySet(models.QuerySet):
    def visible_to(self, user: AnyUser) -> ProjectIdeaQuerySet:
        """Preparation records (need, overlaps, coordinator's notes) are internal to the agreement: its
        coordinators and steering group, and the ministry; another agreement's users see none, not even
        of a project that has since been decided."""
        if not _portal_user(user):
            return self.none()
        if sees_all_agreements(user):
            return self.all()
        return self.filter(project__agreement_id__in=agreement_ids_of(user))


class SteeringGroupQuerySet(models.QuerySet):
    def visible_to(self, user: AnyUser) -> SteeringGroupQuerySet:
        """The groups of the user's agreements and the groups they sit in (as permissions.can_view_group)."""
        if not _portal_user(user):
            return self.none()
        if sees_all_agreements(user):
            return self.all()
        return self.filter(Q(agreement_id__in=agreement_ids_of(user)) | Q(pk__in=group_ids_of(user)))


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user: AnyUser) -> MeetingQuerySet:
        if not _portal_user(user):
            return self.none()
        if sees_all_agreements(user):
            return self.all()
        return self.filter(Q(group__agreement_id__in=agreement_ids_of(user)) | Q(group_id__in=group_ids_of(user)))

    def upcoming(self, now: dt.datetime | None = None) -> MeetingQuerySet:
        """Meetings not yet closed whose day has not passed, soonest first."""
        start_of_today = timezone.localtime(now or timezone.now()).replace(hour=0, minute=0, second=0,
                                                                           microsecond=0)
        return self.filter(starts_at__gte=start_of_today).exclude(
            status=MeetingStatus.MINUTES_CONFIRMED).order_by("starts_at")

    def for_agreement(self, agreement: Any) -> MeetingQuerySet:
        """The meetings of the agreement's groups (the agreement or its id; None: every meeting)."""
        return self.filter(group__agreement=agreement) if agreement else self


class ProposalQuerySet(models.QuerySet):
    def visible_to(self, user: AnyUser) -> ProposalQuerySet:
        if not _portal_user(user):
            return self.none()
        if sees_all_agreements(user):
            return self.all()
        condition = Q(project__agreement_id__in=agreement_ids_of(user))
        if is_national_member(user):
            condition |= ~Q(status=ProposalStatus.DRAFT)
        return self.filter(condition)

    def for_agreement(self, agreement: Any) -> ProposalQuerySet:
        """The proposals of the agreement's projects (the agreement or its id; None: every proposal)."""
        return self.filter(project__agreement=agreement) if agreement else self

    def open(self) -> ProposalQuerySet:
        return self.filter(status__in=[ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.ON_AGENDA])


class DecisionQuerySet(models.QuerySet):
    def visible_to(self, user: AnyUser) -> DecisionQuerySet:
        if not _portal_user(user):
            return self.none()
        if sees_all_agreements(user):
            return self.all()
        return self.filter(proposal__in=_model("Proposal").objects.visible_to(user).values("pk"))

    def permanent(self) -> DecisionQuerySet:
        return self.filter(meeting__status=MeetingStatus.MINUTES_CONFIRMED)

    def current(self) -> DecisionQuerySet:
        """Decisions not superseded by a correction."""
        return self.filter(corrections__isnull=True)

    # Bulk writes bypass save()/delete(); they must not be a way around the permanent record.
    def update(self, **kwargs: Any) -> int:
        if self.permanent().exists():
            raise PermanentRecordError()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.permanent().exists():
            raise PermanentRecordError()
        return super().delete()


class DecisionChildQuerySet(models.QuerySet):
    """Funding lines and recusals of decisions: permanent with their decision."""

    def update(self, **kwargs: Any) -> int:
        if self.filter(decision__meeting__status=MeetingStatus.MINUTES_CONFIRMED).exists():
            raise PermanentRecordError()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(decision__meeting__status=MeetingStatus.MINUTES_CONFIRMED).exists():
            raise PermanentRecordError()
        return super().delete()

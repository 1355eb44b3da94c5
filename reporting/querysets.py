"""Who sees which summaries. Every list of summaries starts from `SummaryReport.objects.visible_to(user)`.

Decided (the agreement is silent):
- Ministry staff and superusers see every summary.
- A steering-group summary is seen by the people who work on its agreement: its coordinators
  (AgreementAccess) and the members of its steering group.
- A national summary compares every agreement side by side, so it is seen by ministry staff and by the
  members of the national steering group (cities, TEM, national actors), not by every coordinator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def is_national_group_member(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_portal_national_member", None)
    if cached is None:
        from governance.choices import GroupKind
        from governance.models import Membership

        cached = Membership.objects.filter(user_id=user.pk, group__kind=GroupKind.NATIONAL).exists()
        user._portal_national_member = cached  # type: ignore[attr-defined]  # a per-request cache on the user
    return cached


class SummaryReportQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> SummaryReportQuerySet:
        from portfolio.access import agreement_ids_of
        from portfolio.permissions import can_view_portal
        from portfolio.roles import sees_all_agreements

        from .choices import Audience

        if not can_view_portal(user):
            return self.none()
        if sees_all_agreements(user):
            return self.all()
        scope = Q(audience=Audience.STEERING, agreement_id__in=agreement_ids_of(user))
        if is_national_group_member(user):
            scope |= Q(audience=Audience.NATIONAL)
        return self.filter(scope)

    def done(self) -> SummaryReportQuerySet:
        from .choices import ReportStatus

        return self.filter(status=ReportStatus.DONE)

    def in_flight(self) -> SummaryReportQuerySet:
        from .choices import ReportStatus

        return self.filter(status__in=[ReportStatus.QUEUED, ReportStatus.COMPILING, ReportStatus.RENDERING])


class FrozenRecordError(Exception):
    """An annex version is frozen: it is never changed or deleted once made."""


class ActionPlanVersionQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> ActionPlanVersionQuerySet:
        """The annex versions of the agreements the user works on (ministry staff: every agreement); the
        annex is the agreement's own document, read by those who see its whole portfolio."""
        from portfolio.permissions import can_view_portal

        if not can_view_portal(user):
            return self.none()
        from django.apps import apps

        agreements = apps.get_model("portfolio", "Agreement").objects.worked_on_by(user)
        return self.filter(agreement__in=agreements)

    def update(self, **kwargs: object) -> int:
        raise FrozenRecordError("an annex version is frozen")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise FrozenRecordError("an annex version is frozen")

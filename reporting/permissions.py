"""Permission predicates for summaries. The list scope is `SummaryReport.objects.visible_to(user)`
(querysets.py documents who sees what); these answer single questions for views and the API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portfolio.permissions import can_edit_agreement_portfolio, can_edit_some_agreement_portfolio, can_view_portal
from portfolio.roles import sees_all_agreements

from .choices import Audience
from .querysets import is_national_group_member

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from governance.models import SteeringGroup
    from portfolio.models import Agreement

    from .models import SummaryReport

    AnyUser = AbstractBaseUser | AnonymousUser


def can_view_reports(user: AnyUser) -> bool:
    return can_view_portal(user)


def can_download_report(user: AnyUser, report: SummaryReport) -> bool:
    """Whoever sees a summary may download its files (each download is logged)."""
    from .models import SummaryReport

    return SummaryReport.objects.visible_to(user).filter(pk=report.pk).exists()


def can_request_summary(user: AnyUser, *, audience: str, agreement: Agreement | int | None) -> bool:
    """Coordinators compile their agreement's steering summary; the national summary is compiled by ministry
    staff (and superusers), since it covers every agreement."""
    if not user.is_authenticated:
        return False
    if audience == Audience.STEERING:
        return agreement is not None and can_edit_agreement_portfolio(user, agreement)
    if audience == Audience.NATIONAL:
        return sees_all_agreements(user)
    return False


def can_review_summary(user: AnyUser, report: SummaryReport) -> bool:
    """Write the narrative, approve, correct and retry deliveries (per object): a steering-group summary by
    its agreement's coordinators (and superusers); the national summary, which has no agreement, by those
    who compile it: ministry staff (and superusers)."""
    if not can_download_report(user, report):
        return False
    return can_request_summary(user, audience=report.audience, agreement=report.agreement_id)


def can_manage_recipients(user: AnyUser, group: SteeringGroup) -> bool:
    """Keep a group's additional summary recipients: those who approve its summaries (the agreement's
    coordinators; the ministry for the national steering group)."""
    if group.agreement_id is None:
        return can_request_summary(user, audience=Audience.NATIONAL, agreement=None)
    return can_request_summary(user, audience=Audience.STEERING, agreement=group.agreement_id)


def can_view_national(user: AnyUser) -> bool:
    """The national view (every agreement side by side): ministry staff and superusers, who see every
    agreement whole, and the members of the national steering group, who see there what they may see
    elsewhere (of an agreement they do not work on, its decided projects only). Not a coordinator or a
    steering-group member as such: the national comparison is the national steering group's tool."""
    return can_view_portal(user) and (sees_all_agreements(user) or is_national_group_member(user))


def can_request_any_summary(user: AnyUser) -> bool:
    return bool(requestable_audiences(user))


def requestable_audiences(user: AnyUser) -> list[str]:
    """The audiences whose summary the user may compile (for some agreement): the form offers only these."""
    audiences: list[str] = []
    if can_edit_some_agreement_portfolio(user):
        audiences.append(Audience.STEERING)
    if can_request_summary(user, audience=Audience.NATIONAL, agreement=None):
        audiences.append(Audience.NATIONAL)
    return audiences


__all__ = ["can_view_reports", "can_download_report", "can_request_summary", "can_review_summary",
           "can_manage_recipients", "can_view_national",
           "can_request_any_summary",
           "is_national_group_member", "requestable_audiences"]


def can_view_action_plan(user: AnyUser, agreement: Agreement) -> bool:
    """The action plan's coverage and its annex versions are read by those who see the agreement's whole
    portfolio: its coordinators and steering group, and ministry staff."""
    from portfolio.models import Agreement

    return can_view_portal(user) and Agreement.objects.worked_on_by(user).filter(pk=agreement.pk).exists()


def can_edit_action_plan(user: AnyUser, agreement: Agreement) -> bool:
    """Themes, priority descriptions and new annex versions: the agreement's coordinators (and superusers)."""
    return can_edit_agreement_portfolio(user, agreement)

"""Who may read and write funding data. Frames and plans are written by the agreement's coordinators."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import PermissionsMixin

from portfolio.permissions import can_edit_agreement_portfolio, can_view_portal, works_on

RECORD_FUNDING_DECISION = "funding.record_funding_decision"

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from portfolio.models import Agreement, Project

    AnyUser = AbstractBaseUser | AnonymousUser


def can_view_frames(user: AnyUser, agreement: Agreement) -> bool:
    """Frames come from public allocation decisions: any portal user may read them."""
    return can_view_portal(user)


def can_change_frames(user: AnyUser, agreement: Agreement) -> bool:
    return can_edit_agreement_portfolio(user, agreement)


def can_run_what_if(user: AnyUser, agreement: Agreement) -> bool:
    """Scenarios use pending proposals (not public): the agreement's coordinators only."""
    return can_edit_agreement_portfolio(user, agreement)


def can_view_pending_use(user: AnyUser, agreement: Agreement) -> bool:
    """Planned use from pending proposals is internal to the agreement (and the ministry)."""
    return works_on(user, agreement.pk)


def can_record_funding_decision(user: AnyUser, project: Project) -> bool:
    """The funding authority's decisions are facts with a reference, recorded by the holder of the dedicated
    permission ``funding.record_funding_decision`` (given per user in the admin, e.g. to the coordination
    office's financial officer; no role has it by default) who works on the project's agreement. Being a
    coordinator is not enough: a coordinator plans; a coordinator never grants."""
    # The portal's users have PermissionsMixin (is_superuser, has_perm); an anonymous user is not one.
    if not getattr(user, "is_authenticated", False) or not isinstance(user, PermissionsMixin):
        return False
    if user.is_superuser:
        return True
    return user.has_perm(RECORD_FUNDING_DECISION) and works_on(user, project.agreement_id)

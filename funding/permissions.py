"""Who may read and write funding data. Frames and plans are written by the agreement's coordinators."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portfolio.permissions import can_edit_agreement_portfolio, can_view_portal, works_on

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from portfolio.models import Agreement

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

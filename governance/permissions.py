"""Permission predicates of the governance app: can_<verb>_<entity>(user, obj).

Decisions (docs: shared/reliability-checklist.md #4, "only steering-group members decide"):
- Recording a group's decisions, keeping its minutes and confirming them: members of THAT group whose seat
  is in its term and whose role is chair or secretary; a substitute acts for the chair or secretary they
  stand in for. Superusers do NOT decide: administrators run the system, the steering group decides.
  (They can still read everything.)
- Preparing proposals and ideas: coordinators who work on the proposal's agreement (and superusers, as for
  every other portfolio edit).
- Preparing agendas (creating meetings, putting proposals on them, publishing): coordinators of the group's
  agreement and the group's chair/secretary. The national group's meetings: its chair/secretary only.
- Reading: see querysets.py (ministry staff read every agreement; nobody else sees another agreement's
  drafts).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from rest_framework.permissions import SAFE_METHODS, BasePermission

from portfolio.access import agreement_ids_of
from portfolio.permissions import can_edit_agreement_portfolio, can_view_portal, is_coordinator
from portfolio.roles import is_superuser, sees_all_agreements

from .choices import RECORDING_ROLES, MeetingStatus, ProposalStatus
from .querysets import group_ids_of, is_national_member

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from portfolio.models import Agreement

    from .models import Decision, Meeting, Proposal, SteeringGroup

    AnyUser = AbstractBaseUser | AnonymousUser


def recording_membership(user: AnyUser, group: SteeringGroup | int, *, on: dt.date | None = None) -> Any:
    """The user's seat that lets them record the group's decisions, or None."""
    from .models import Membership

    if not user.is_authenticated:
        return None
    # ``group=`` takes the group or its id alike.
    seats = Membership.objects.active(on).filter(group=group, user=user).select_related("substitute_for")
    for seat in seats:
        if seat.role in RECORDING_ROLES:
            return seat
        if seat.substitute_for is not None and seat.substitute_for.role in RECORDING_ROLES:
            return seat
    return None


def is_group_member(user: AnyUser, group: SteeringGroup | int) -> bool:
    group_id = group if isinstance(group, int) else group.pk
    return group_id in group_ids_of(user)


def can_record_decision(user: AnyUser, meeting: Meeting) -> bool:
    """Chair or secretary (or their substitute) of the meeting's group, in their term on the meeting day."""
    if not can_view_portal(user):
        return False
    day = timezone.localdate(meeting.starts_at)  # (a meeting always has its start; without one: today)
    return recording_membership(user, meeting.group_id, on=day) is not None


def can_keep_minutes(user: AnyUser, meeting: Meeting) -> bool:
    return can_record_decision(user, meeting)


def can_prepare_proposal(user: AnyUser, agreement: Agreement | int) -> bool:
    """Coordinators of that agreement."""
    return bool(can_view_portal(user) and can_edit_agreement_portfolio(user, agreement))


def can_change_proposal(user: AnyUser, proposal: Proposal) -> bool:
    return proposal.status == ProposalStatus.DRAFT and can_prepare_proposal(user, proposal.project.agreement_id)


def can_view_proposal(user: AnyUser, proposal: Proposal) -> bool:
    if not can_view_portal(user):
        return False
    if sees_all_agreements(user) or proposal.project.agreement_id in agreement_ids_of(user):
        return True
    return proposal.status != ProposalStatus.DRAFT and is_national_member(user)


def can_view_meeting(user: AnyUser, meeting: Meeting) -> bool:
    if not can_view_portal(user):
        return False
    if sees_all_agreements(user) or is_group_member(user, meeting.group_id):
        return True
    return meeting.group.agreement_id is not None and meeting.group.agreement_id in agreement_ids_of(user)


def can_view_decision(user: AnyUser, decision: Decision) -> bool:
    return can_view_proposal(user, decision.proposal)


def can_view_group(user: AnyUser, group: SteeringGroup) -> bool:
    if not can_view_portal(user):
        return False
    if sees_all_agreements(user) or is_group_member(user, group.pk):
        return True
    return group.agreement_id is not None and group.agreement_id in agreement_ids_of(user)


def can_manage_meeting(user: AnyUser, group: SteeringGroup) -> bool:
    """Create meetings, build and publish the agenda: the agreement's coordinators, the chair/secretary."""
    if not can_view_portal(user):
        return False
    if recording_membership(user, group.pk) is not None:
        return True
    if group.agreement_id is None:
        return False
    return is_coordinator(user) and can_edit_agreement_portfolio(user, group.agreement_id)


def can_put_on_agenda(user: AnyUser, proposal: Proposal) -> bool:
    """Whether the user manages the meetings of any steering group of the proposal's agreement (the one
    check that can come before the meeting is chosen)."""
    from .models import SteeringGroup

    if not can_view_portal(user):
        return False
    groups = SteeringGroup.objects.filter(agreement_id=proposal.project.agreement_id)
    return any(can_manage_meeting(user, group) for group in groups)


def can_manage_members(user: AnyUser, group: SteeringGroup) -> bool:
    """Seats are kept by the group's chair/secretary (and administrators, who set groups up)."""
    if not user.is_authenticated:
        return False
    return is_superuser(user) or (can_view_portal(user) and recording_membership(user, group.pk) is not None)


def can_prepare_agenda(user: AnyUser, meeting: Meeting) -> bool:
    return meeting.status in (MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED) and can_manage_meeting(
        user, meeting.group)


def can_change_decision(user: AnyUser, decision: Decision) -> bool:
    """Nobody changes a recorded decision; a correction is a new decision (see can_correct_decision)."""
    return False


def can_correct_decision(user: AnyUser, decision: Decision, meeting: Meeting) -> bool:
    return meeting.group_id == decision.meeting.group_id and can_record_decision(user, meeting)


class GovernanceReadOnlyOrCoordinator(BasePermission):
    """For the API: any portal role reads (lists are scoped by visible_to); writes are authorised by the
    services' own predicates, which raise PermissionDenied."""

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        if not can_view_portal(request.user):
            return False
        if request.method in SAFE_METHODS:
            return True
        return is_coordinator(request.user) or bool(group_ids_of(request.user))

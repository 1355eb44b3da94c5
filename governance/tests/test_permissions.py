"""The governance permission predicates, one truth table per role and object: views, the API and the
services only ask these, so each answer is pinned here for every kind of user (docstring of
governance/permissions.py: who decides, prepares and reads)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from governance.tests.factories import draft, meeting, regional_group, submitted

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no_role", "coordinator", "other_coordinator", "chair", "secretary", "member", "substitute",
         "ended_chair", "future_chair", "seat_no_role", "national_chair", "ministry", "superuser"]


def national_group():  # type: ignore[no-untyped-def]
    from governance.choices import GroupKind
    from governance.models import SteeringGroup

    return SteeringGroup.objects.get_or_create(kind=GroupKind.NATIONAL, agreement=None,
                                               defaults={"name": "Kansallinen ohjausryhmä"})[0]


@pytest.fixture
def people(agreement, other_agreement, coordinator, other_coordinator, steering_member, ministry_user, plain_user,
           admin_user):
    from django.contrib.auth.models import AnonymousUser, Group

    from governance.choices import MemberRole
    from governance.models import Membership
    from tests.factories import UserFactory

    ours = regional_group(agreement)
    national = national_group()
    today = timezone.localdate()

    def seat(username, group, role, *, steering=True, **kwargs):  # type: ignore[no-untyped-def]
        user = UserFactory(username=username)
        if steering:
            user.groups.add(Group.objects.get(name="steering"))
        Membership.objects.create(group=group, user=user, role=role, **kwargs)
        return user

    chair_seat = Membership.objects.get(group=ours, user=steering_member)
    return {
        "anonymous": AnonymousUser(), "no_role": plain_user, "coordinator": coordinator,
        "other_coordinator": other_coordinator, "chair": steering_member,
        "secretary": seat("secretary", ours, MemberRole.SECRETARY),
        "member": seat("member", ours, MemberRole.MEMBER),
        "substitute": seat("substitute", ours, MemberRole.MEMBER, substitute_for=chair_seat),
        "ended_chair": seat("ended", ours, MemberRole.CHAIR, term_start=today - dt.timedelta(days=400),
                            term_end=today - dt.timedelta(days=1)),
        # Takes the seat in a week: not yet today, but on the day of a meeting two weeks ahead.
        "future_chair": seat("future", ours, MemberRole.CHAIR, term_start=today + dt.timedelta(days=7)),
        "seat_no_role": seat("noportal", ours, MemberRole.CHAIR, steering=False),
        "national_chair": seat("natchair", national, MemberRole.CHAIR),
        "ministry": ministry_user, "superuser": admin_user,
    }


def _table(answers: dict[str, object], ones: str) -> None:
    """``ones``: "1" for each role (in ROLES order) answered True."""
    assert len(ones) == len(ROLES)
    assert {role: answers[role] for role in ROLES} == {
        role: flag == "1" for role, flag in zip(ROLES, ones, strict=True)}


@pytest.fixture
def objects(agreement, other_agreement, coordinator, other_coordinator):  # type: ignore[no-untyped-def]
    from governance.choices import GroupKind
    from governance.models import SteeringGroup

    return SimpleNamespace(
        group=regional_group(agreement), national=national_group(),
        other_group=SteeringGroup.objects.get_or_create(kind=GroupKind.REGIONAL, agreement=other_agreement,
                                                        defaults={"name": "Toinen ohjausryhmä"})[0],
        meeting=meeting(coordinator, agreement, days=14),
        draft=draft(coordinator, agreement), submitted=submitted(coordinator, agreement),
        their_draft=draft(other_coordinator, other_agreement),
        their_submitted=submitted(other_coordinator, other_agreement))


def test_recording_seat(people, objects):
    from governance.permissions import recording_membership

    _table({r: recording_membership(u, objects.group) is not None for r, u in people.items()}, "00001101001000")
    _table({r: recording_membership(u, objects.group.pk) is not None for r, u in people.items()}, "00001101001000")
    _table({r: recording_membership(u, objects.national) is not None for r, u in people.items()}, "00000000000100")
    # On a day in the future chair's term (and no longer in the ended chair's).
    on = timezone.localdate() + dt.timedelta(days=14)
    _table({r: recording_membership(u, objects.group, on=on) is not None for r, u in people.items()},
           "00001101011000")


def test_who_records_decisions_and_keeps_minutes(people, objects):
    from governance.permissions import can_keep_minutes, can_record_decision

    _table({r: can_record_decision(u, objects.meeting) for r, u in people.items()}, "00001101010000")
    _table({r: can_keep_minutes(u, objects.meeting) for r, u in people.items()}, "00001101010000")
    objects.meeting.starts_at = None  # no day: today's seats
    _table({r: can_record_decision(u, objects.meeting) for r, u in people.items()}, "00001101000000")


def test_who_prepares_and_changes_proposals(people, objects, agreement, other_agreement):
    from governance.permissions import can_change_proposal, can_prepare_proposal

    _table({r: can_prepare_proposal(u, agreement) for r, u in people.items()}, "00100000000001")
    _table({r: can_prepare_proposal(u, agreement.pk) for r, u in people.items()}, "00100000000001")
    _table({r: can_prepare_proposal(u, other_agreement) for r, u in people.items()}, "00010000000001")
    _table({r: can_change_proposal(u, objects.draft) for r, u in people.items()}, "00100000000001")
    _table({r: can_change_proposal(u, objects.submitted) for r, u in people.items()}, "00000000000000")


def test_who_sees_proposals_and_decisions(people, objects):
    from governance.permissions import can_view_decision, can_view_proposal

    _table({r: can_view_proposal(u, objects.draft) for r, u in people.items()}, "00101111110011")
    _table({r: can_view_proposal(u, objects.submitted) for r, u in people.items()}, "00101111110111")
    _table({r: can_view_proposal(u, objects.their_draft) for r, u in people.items()}, "00010000000011")
    _table({r: can_view_proposal(u, objects.their_submitted) for r, u in people.items()}, "00010000000111")
    decision = SimpleNamespace(proposal=objects.their_submitted)
    _table({r: can_view_decision(u, decision) for r, u in people.items()}, "00010000000111")


def test_who_sees_groups_and_meetings(people, objects, coordinator):
    from governance.permissions import can_view_group, can_view_meeting

    _table({r: can_view_group(u, objects.group) for r, u in people.items()}, "00101111110011")
    _table({r: can_view_group(u, objects.other_group) for r, u in people.items()}, "00010000000011")
    _table({r: can_view_group(u, objects.national) for r, u in people.items()}, "00000000000111")
    _table({r: can_view_meeting(u, objects.meeting) for r, u in people.items()}, "00101111110011")
    national_meeting = SimpleNamespace(group_id=objects.national.pk, group=objects.national)
    _table({r: can_view_meeting(u, national_meeting) for r, u in people.items()}, "00000000000111")


def test_who_manages_meetings_members_and_agendas(people, objects, coordinator):
    from governance.choices import MeetingStatus
    from governance.permissions import can_manage_meeting, can_manage_members, can_prepare_agenda, can_put_on_agenda

    _table({r: can_manage_meeting(u, objects.group) for r, u in people.items()}, "00101101000001")
    _table({r: can_manage_meeting(u, objects.other_group) for r, u in people.items()}, "00010000000001")
    _table({r: can_manage_meeting(u, objects.national) for r, u in people.items()}, "00000000000100")
    _table({r: can_manage_members(u, objects.group) for r, u in people.items()}, "00001101000001")
    _table({r: can_manage_members(u, objects.national) for r, u in people.items()}, "00000000000101")
    _table({r: can_put_on_agenda(u, objects.submitted) for r, u in people.items()}, "00101101000001")
    _table({r: can_put_on_agenda(u, objects.their_submitted) for r, u in people.items()}, "00010000000001")
    for status, ones in ((MeetingStatus.PLANNED, "00101101000001"), (MeetingStatus.AGENDA_PUBLISHED, "00101101000001"),
                         (MeetingStatus.HELD, "00000000000000"), (MeetingStatus.MINUTES_CONFIRMED, "00000000000000")):
        objects.meeting.status = status
        _table({r: can_prepare_agenda(u, objects.meeting) for r, u in people.items()}, ones)


def test_decisions_are_corrected_in_their_own_group_only(people, objects, agreement, coordinator):
    from governance.permissions import can_change_decision, can_correct_decision

    decision = SimpleNamespace(meeting=objects.meeting)
    _table({r: can_change_decision(u, decision) for r, u in people.items()}, "00000000000000")
    _table({r: can_correct_decision(u, decision, objects.meeting) for r, u in people.items()}, "00001101010000")
    elsewhere = SimpleNamespace(group_id=objects.national.pk, starts_at=objects.meeting.starts_at)
    _table({r: can_correct_decision(u, SimpleNamespace(meeting=elsewhere), objects.meeting)
            for r, u in people.items()}, "00000000000000")


@pytest.mark.parametrize(("method", "ones"), [("GET", "00111111110111"), ("HEAD", "00111111110111"),
                                              ("POST", "00111111110101"), ("DELETE", "00111111110101")])
def test_api_reads_for_every_role_and_writes_for_coordinators_and_members(people, method, ones):
    from governance.permissions import GovernanceReadOnlyOrCoordinator

    permission = GovernanceReadOnlyOrCoordinator()
    _table({r: permission.has_permission(SimpleNamespace(user=u, method=method), None) for r, u in people.items()},
           ones)

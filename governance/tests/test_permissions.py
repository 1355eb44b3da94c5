"""The governance permission predicates, one truth table per role and object: views, the API and the
services only ask these, so each answer is pinned here for every kind of user (docstring of
governance/permissions.py: who decides, prepares and reads)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from governance.tests.conftest import assert_table as _table

pytestmark = pytest.mark.django_db


def test_recording_seat(seat_people, governance_objects):
    objs = governance_objects
    from governance.permissions import recording_membership

    _table(seat_people, lambda u: recording_membership(u, objs.group) is not None, "00001101001000")
    _table(seat_people, lambda u: recording_membership(u, objs.group.pk) is not None, "00001101001000")
    _table(seat_people, lambda u: recording_membership(u, objs.national) is not None, "00000000000100")
    # On a day in the future chair's term (and no longer in the ended chair's).
    on = timezone.localdate() + dt.timedelta(days=14)
    _table(seat_people, lambda u: recording_membership(u, objs.group, on=on) is not None,
           "00001101011000")


def test_who_records_decisions_and_keeps_minutes(seat_people, governance_objects):
    objs = governance_objects
    from governance.permissions import can_keep_minutes, can_record_decision

    _table(seat_people, lambda u: can_record_decision(u, objs.meeting), "00001101010000")
    _table(seat_people, lambda u: can_keep_minutes(u, objs.meeting), "00001101010000")
    objs.meeting.starts_at = None  # no day: today's seats
    _table(seat_people, lambda u: can_record_decision(u, objs.meeting), "00001101000000")


def test_who_prepares_and_changes_proposals(seat_people, governance_objects, agreement, other_agreement):
    objs = governance_objects
    from governance.permissions import can_change_proposal, can_prepare_proposal

    _table(seat_people, lambda u: can_prepare_proposal(u, agreement), "00100000000001")
    _table(seat_people, lambda u: can_prepare_proposal(u, agreement.pk), "00100000000001")
    _table(seat_people, lambda u: can_prepare_proposal(u, other_agreement), "00010000000001")
    _table(seat_people, lambda u: can_change_proposal(u, objs.draft), "00100000000001")
    _table(seat_people, lambda u: can_change_proposal(u, objs.submitted), "00000000000000")


def test_who_sees_proposals_and_decisions(seat_people, governance_objects):
    objs = governance_objects
    from governance.permissions import can_view_decision, can_view_proposal

    _table(seat_people, lambda u: can_view_proposal(u, objs.draft), "00101111110011")
    _table(seat_people, lambda u: can_view_proposal(u, objs.submitted), "00101111110111")
    _table(seat_people, lambda u: can_view_proposal(u, objs.their_draft), "00010000000011")
    _table(seat_people, lambda u: can_view_proposal(u, objs.their_submitted), "00010000000111")
    decision = SimpleNamespace(proposal=objs.their_submitted)
    _table(seat_people, lambda u: can_view_decision(u, decision), "00010000000111")


def test_who_sees_groups_and_meetings(seat_people, governance_objects, coordinator):
    objs = governance_objects
    from governance.permissions import can_view_group, can_view_meeting

    _table(seat_people, lambda u: can_view_group(u, objs.group), "00101111110011")
    _table(seat_people, lambda u: can_view_group(u, objs.other_group), "00010000000011")
    _table(seat_people, lambda u: can_view_group(u, objs.national), "00000000000111")
    _table(seat_people, lambda u: can_view_meeting(u, objs.meeting), "00101111110011")
    national_meeting = SimpleNamespace(group_id=objs.national.pk, group=objs.national)
    _table(seat_people, lambda u: can_view_meeting(u, national_meeting), "00000000000111")


def test_who_manages_meetings_members_and_agendas(seat_people, governance_objects, coordinator):
    objs = governance_objects
    from governance.choices import MeetingStatus
    from governance.permissions import can_manage_meeting, can_manage_members, can_prepare_agenda, can_put_on_agenda

    _table(seat_people, lambda u: can_manage_meeting(u, objs.group), "00101101000001")
    _table(seat_people, lambda u: can_manage_meeting(u, objs.other_group), "00010000000001")
    _table(seat_people, lambda u: can_manage_meeting(u, objs.national), "00000000000100")
    _table(seat_people, lambda u: can_manage_members(u, objs.group), "00001101000001")
    _table(seat_people, lambda u: can_manage_members(u, objs.national), "00000000000101")
    _table(seat_people, lambda u: can_put_on_agenda(u, objs.submitted), "00101101000001")
    _table(seat_people, lambda u: can_put_on_agenda(u, objs.their_submitted), "00010000000001")
    for status, ones in ((MeetingStatus.PLANNED, "00101101000001"), (MeetingStatus.AGENDA_PUBLISHED, "00101101000001"),
                         (MeetingStatus.HELD, "00000000000000"), (MeetingStatus.MINUTES_CONFIRMED, "00000000000000")):
        objs.meeting.status = status
        _table(seat_people, lambda u: can_prepare_agenda(u, objs.meeting), ones)


def test_decisions_are_corrected_in_their_own_group_only(seat_people, governance_objects, agreement, coordinator):
    objs = governance_objects
    from governance.permissions import can_change_decision, can_correct_decision

    decision = SimpleNamespace(meeting=objs.meeting)
    _table(seat_people, lambda u: can_change_decision(u, decision), "00000000000000")
    _table(seat_people, lambda u: can_correct_decision(u, decision, objs.meeting), "00001101010000")
    elsewhere = SimpleNamespace(group_id=objs.national.pk, starts_at=objs.meeting.starts_at)
    _table(seat_people, lambda u: can_correct_decision(u, SimpleNamespace(meeting=elsewhere), objs.meeting)
           , "00000000000000")


@pytest.mark.parametrize(("method", "ones"), [("GET", "00111111110111"), ("HEAD", "00111111110111"),
                                              ("POST", "00111111110101"), ("DELETE", "00111111110101")])
def test_api_reads_for_every_role_and_writes_for_coordinators_and_members(seat_people, method, ones):
    from governance.permissions import GovernanceReadOnlyOrCoordinator

    permission = GovernanceReadOnlyOrCoordinator()
    _table(seat_people, lambda u: permission.has_permission(SimpleNamespace(user=u, method=method), None),
           ones)


def test_group_membership_by_group_or_its_id(seat_people, governance_objects):
    from governance.permissions import is_group_member

    objs = governance_objects
    for group in (objs.group, objs.group.pk):
        _table(seat_people, lambda u, g=group: is_group_member(u, g), "00001111111000")
    _table(seat_people, lambda u: is_group_member(u, objs.national), "00000000000100")


def test_a_substitutes_seat_is_read_with_the_seat_it_stands_in_for(seat_people, governance_objects,
                                                                   django_assert_num_queries):
    from governance.permissions import recording_membership

    with django_assert_num_queries(1):
        seat = recording_membership(seat_people["substitute"], governance_objects.group)
    assert seat.substitute_for.user == seat_people["chair"]

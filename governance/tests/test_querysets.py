"""The governance scopes every list starts from (`visible_to`), as truth tables per kind of user, and the
chainable filters (upcoming meetings, open proposals, per agreement). The scopes must agree with the single
predicates of governance/permissions.py (tests/test_permissions.py asks those with the same tables)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from governance.tests.conftest import assert_table

pytestmark = pytest.mark.django_db


def _sees(model, obj):  # type: ignore[no-untyped-def]
    return lambda user: model.objects.visible_to(user).filter(pk=obj.pk).exists()


def test_who_sees_each_proposal(seat_people, governance_objects):
    from governance.models import Proposal

    objs = governance_objects
    assert_table(seat_people, _sees(Proposal, objs.draft), "00101111110011")
    assert_table(seat_people, _sees(Proposal, objs.submitted), "00101111110111")
    assert_table(seat_people, _sees(Proposal, objs.their_draft), "00010000000011")
    assert_table(seat_people, _sees(Proposal, objs.their_submitted), "00010000000111")


def test_who_sees_each_group_and_meeting(seat_people, governance_objects):
    from governance.models import Meeting, SteeringGroup

    objs = governance_objects
    assert_table(seat_people, _sees(SteeringGroup, objs.group), "00101111110011")
    assert_table(seat_people, _sees(SteeringGroup, objs.other_group), "00010000000011")
    assert_table(seat_people, _sees(SteeringGroup, objs.national), "00000000000111")
    assert_table(seat_people, _sees(Meeting, objs.meeting), "00101111110011")
    national = Meeting.objects.create(group=objs.national, title="Kansallinen 1/2026",
                                      starts_at=timezone.now() + dt.timedelta(days=3))
    assert_table(seat_people, _sees(Meeting, national), "00000000000111")
    theirs = Meeting.objects.create(group=objs.other_group, title="Heidän 1/2026",
                                    starts_at=timezone.now() + dt.timedelta(days=3))
    assert_table(seat_people, _sees(Meeting, theirs), "00010000000011")


def test_who_sees_idea_records(seat_people, governance_objects):
    from governance.models import ProjectIdea

    objs = governance_objects
    ours = ProjectIdea.objects.get(project=objs.draft.project)
    theirs = ProjectIdea.objects.get(project=objs.their_submitted.project)
    assert_table(seat_people, _sees(ProjectIdea, ours), "00101111110011")
    # Not even the national group reads another agreement's preparation records.
    assert_table(seat_people, _sees(ProjectIdea, theirs), "00010000000011")


def test_upcoming_meetings_from_the_start_of_today_soonest_first(governance_objects):
    from governance.choices import MeetingStatus
    from governance.models import Meeting

    group = governance_objects.group
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)

    def at(title, when, **kwargs):  # type: ignore[no-untyped-def]
        return Meeting.objects.create(group=group, title=title, starts_at=when, **kwargs)

    at("eilen", midnight - dt.timedelta(seconds=1))
    at("aamulla", midnight)
    at("huomenna", midnight + dt.timedelta(days=1))
    at("vahvistettu", midnight + dt.timedelta(days=2), status=MeetingStatus.MINUTES_CONFIRMED)
    at("pidetty", midnight + dt.timedelta(days=3), status=MeetingStatus.HELD)
    titles = list(Meeting.objects.filter(group=group).upcoming(now).values_list("title", flat=True))
    assert titles == ["aamulla", "huomenna", "pidetty", governance_objects.meeting.title]
    # Without a moment: now.
    assert list(Meeting.objects.filter(group=group).upcoming().values_list("title", flat=True)) == titles


def test_per_agreement_and_open(governance_objects, agreement, other_agreement):
    from governance.choices import ProposalStatus
    from governance.models import Meeting, Proposal

    objs = governance_objects
    ours = {objs.draft.pk, objs.submitted.pk}
    theirs = {objs.their_draft.pk, objs.their_submitted.pk}
    for key in (agreement, agreement.pk):
        assert set(Proposal.objects.for_agreement(key).values_list("pk", flat=True)) == ours
        assert list(Meeting.objects.for_agreement(key)) == [objs.meeting]
    assert set(Proposal.objects.for_agreement(other_agreement).values_list("pk", flat=True)) == theirs
    assert set(Proposal.objects.for_agreement(None).values_list("pk", flat=True)) == ours | theirs
    assert Meeting.objects.for_agreement(other_agreement).count() == 0
    assert Meeting.objects.for_agreement(None).count() == Meeting.objects.count() == 1
    Proposal.objects.filter(pk=objs.their_draft.pk).update(status=ProposalStatus.ON_AGENDA, meeting=objs.meeting)
    Proposal.objects.filter(pk=objs.their_submitted.pk).update(status=ProposalStatus.DECIDED, meeting=objs.meeting)
    Proposal.objects.filter(pk=objs.submitted.pk).update(status=ProposalStatus.WITHDRAWN)
    assert set(Proposal.objects.open().values_list("pk", flat=True)) == {objs.draft.pk, objs.their_draft.pk}

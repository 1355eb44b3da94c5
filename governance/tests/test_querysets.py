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


def test_seats_in_their_term_on_a_day(seat_people, governance_objects):
    from governance.models import Membership

    today = timezone.localdate()
    group = governance_objects.group

    def holders(on):  # type: ignore[no-untyped-def]
        return sorted(Membership.objects.filter(group=group).active(on).values_list("user__username", flat=True))

    always = ["member", "noportal", "secretary", "steer", "substitute"]
    assert holders(None) == holders(today) == always
    assert holders(today - dt.timedelta(days=1)) == sorted([*always, "ended"])  # the ended chair's last day
    assert holders(today - dt.timedelta(days=400)) == sorted([*always, "ended"])  # and the first
    assert holders(today - dt.timedelta(days=401)) == always
    assert holders(today + dt.timedelta(days=7)) == sorted([*always, "future"])  # the future chair's first day
    assert holders(today + dt.timedelta(days=6)) == always


def test_the_groups_a_user_sits_in_are_read_once(seat_people, governance_objects, django_assert_num_queries):
    from django.contrib.auth import get_user_model

    from governance.querysets import group_ids_of, is_national_member

    objs = governance_objects
    fresh = get_user_model().objects.get(pk=seat_people["chair"].pk)  # nothing cached on it yet
    with django_assert_num_queries(1):
        assert group_ids_of(fresh) == [objs.group.pk]
    with django_assert_num_queries(0):
        assert group_ids_of(fresh) == [objs.group.pk]
    national = get_user_model().objects.get(pk=seat_people["national_chair"].pk)
    assert group_ids_of(national) == [objs.national.pk] and is_national_member(national) is True
    assert is_national_member(fresh) is False
    assert group_ids_of(seat_people["anonymous"]) == [] and is_national_member(seat_people["anonymous"]) is False
    assert group_ids_of(seat_people["coordinator"]) == []


def test_a_national_member_who_works_on_an_agreement_sees_its_drafts_too(seat_people, governance_objects):
    from governance.choices import MemberRole
    from governance.models import Membership, Proposal

    objs = governance_objects
    both = seat_people["member"]
    Membership.objects.create(group=objs.national, user=both, role=MemberRole.MEMBER)
    fresh = type(both).objects.get(pk=both.pk)
    assert set(Proposal.objects.visible_to(fresh).values_list("pk", flat=True)) == {
        objs.draft.pk, objs.submitted.pk, objs.their_submitted.pk}


def test_upcoming_counts_from_the_day_of_the_moment_given(governance_objects):
    from governance.models import Meeting

    group = governance_objects.group
    then = timezone.localtime() - dt.timedelta(days=30)
    midnight = then.replace(hour=0, minute=0, second=0, microsecond=0)
    Meeting.objects.create(group=group, title="kuukausi sitten", starts_at=midnight + dt.timedelta(hours=9))
    Meeting.objects.create(group=group, title="päivää aiemmin", starts_at=midnight - dt.timedelta(hours=1))
    assert list(Meeting.objects.filter(group=group).upcoming(then).values_list("title", flat=True)) == [
        "kuukausi sitten", governance_objects.meeting.title]
    assert list(Meeting.objects.filter(group=group).upcoming().values_list("title", flat=True)) == [
        governance_objects.meeting.title]


def test_who_sees_each_decision(seat_people, governance_objects, coordinator, agreement):
    from governance.models import Decision
    from governance.tests.factories import approve, deciding_meeting

    meet, (proposal,) = deciding_meeting(coordinator, agreement, seat_people["chair"])
    decision = approve(meet, proposal, seat_people["chair"])
    assert_table(seat_people, _sees(Decision, decision), "00101111110111")


def test_confirmed_decisions_and_their_lines_are_permanent_and_corrected_ones_not_current(
        seat_people, coordinator, agreement):
    from governance.choices import MeetingStatus
    from governance.errors import PermanentRecordError
    from governance.models import Decision, DecisionFundingLine, Meeting
    from governance.services import decision_correct
    from governance.tests.factories import approve, deciding_meeting

    chair = seat_people["chair"]
    meet, (first, second) = deciding_meeting(coordinator, agreement, chair, proposals=2)
    kept, corrected = approve(meet, first, chair), approve(meet, second, chair)
    correction = decision_correct(decision=corrected, meeting=meet, outcome="rejected", rationale="Korjaus.",
                                  user=chair)
    assert set(Decision.objects.current().values_list("pk", flat=True)) == {kept.pk, correction.pk}
    assert Decision.objects.permanent().count() == 0
    # Not yet confirmed: bulk writes pass.
    assert DecisionFundingLine.objects.filter(decision=kept).update(year=2026) == len(kept.funding_lines.all())
    Meeting.objects.filter(pk=meet.pk).update(status=MeetingStatus.MINUTES_CONFIRMED)
    assert set(Decision.objects.permanent().values_list("pk", flat=True)) == {kept.pk, corrected.pk, correction.pk}
    lines = DecisionFundingLine.objects.filter(decision=kept)
    assert lines.exists()
    for write in (lambda: lines.update(year=2027), lines.delete, lambda: Decision.objects.filter(pk=kept.pk).update(
            rationale="Muutettu"), Decision.objects.filter(pk=kept.pk).delete):
        with pytest.raises(PermanentRecordError):
            write()
    assert set(lines.values_list("year", flat=True)) == {2026}

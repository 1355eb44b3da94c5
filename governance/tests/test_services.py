"""The governance workflow: legal and illegal transitions, decisions and their project effects, atomicity,
the permanent record, corrections and notifications after commit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from funding.models import FundingLine
from governance import services
from governance.choices import MeetingStatus, MemberRole, ProposalStatus
from governance.models import (
    Decision,
    DecisionFundingLine,
    Meeting,
    PermanentRecordError,
    Proposal,
    ProposalTransition,
    Recusal,
)
from governance.services import TransitionError
from governance.tests import factories as f
from tests.factories import FundingFrameFactory, instrument

pytestmark = pytest.mark.django_db


# --- proposals -------------------------------------------------------------------------------------------

def test_proposal_create_records_draft_transition_and_lines(coordinator, agreement):
    proposal = f.draft(coordinator, agreement)
    assert proposal.status == ProposalStatus.DRAFT
    assert proposal.funding_lines.aggregate(t=Sum("amount"))["t"] == Decimal("200000.00")
    step = ProposalTransition.objects.get(proposal=proposal)
    assert (step.from_status, step.to_status, step.by) == ("", ProposalStatus.DRAFT, coordinator)


def test_proposal_create_refused_for_other_agreements_coordinator(other_coordinator, agreement):
    with pytest.raises(PermissionDenied):
        f.draft(other_coordinator, agreement)


def test_steering_member_cannot_prepare_proposals(steering_member, agreement):
    with pytest.raises(PermissionDenied):
        f.draft(steering_member, agreement)


def test_proposal_create_refuses_akke_after_its_end(coordinator, agreement):
    with pytest.raises(ValidationError) as exc:
        f.draft(coordinator, agreement, lines=[{"instrument": "AKKE", "year": 2026, "amount": "1000"}])
    assert "AKKE" in exc.value.messages[0]


def test_proposal_create_refuses_year_outside_agreement_and_negative_amount(coordinator, agreement):
    with pytest.raises(ValidationError) as exc:
        f.draft(coordinator, agreement, lines=[{"instrument": "ERDF", "year": 2031, "amount": "10"},
                                               {"instrument": "CITY", "year": 2026, "amount": "-1"}])
    assert len(exc.value.messages) == 2


def test_second_open_proposal_for_a_project_is_refused(coordinator, agreement):
    first = f.draft(coordinator, agreement)
    with pytest.raises(TransitionError, match="already has an open proposal"):
        f.draft(coordinator, agreement, project=first.project)


def test_submit_moves_idea_project_to_proposal(coordinator, agreement):
    proposal = f.submitted(coordinator, agreement)
    proposal.project.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED and proposal.submitted_at is not None
    assert proposal.project.status == "proposal"


def test_submit_without_plan_or_funding_lists_what_is_missing(coordinator, agreement):
    proposal = f.draft(coordinator, agreement, plan="", lines=[])
    with pytest.raises(TransitionError) as exc:
        services.proposal_submit(proposal=proposal, user=coordinator)
    assert len(exc.value.messages) == 2
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.DRAFT


def test_submit_requires_every_criterion_assessed(coordinator, steering_member, agreement, group):
    criteria = services.criteria_version_create(group=group, title="Hakukriteerit", text="", user=steering_member,
                                                items=["Vastaa painopisteeseen", "Kansainvälisyys"],
                                                valid_from=dt.date(2024, 1, 1))
    proposal = f.draft(coordinator, agreement)
    assert proposal.criteria == criteria
    with pytest.raises(TransitionError, match="2 not assessed"):
        services.proposal_submit(proposal=proposal, user=coordinator)
    items = list(criteria.items.all())
    services.proposal_assess(proposal=proposal, user=coordinator,
                             answers={items[0].pk: ("met", "ok"), items[1].pk: ("partly", "EU-kumppanit")})
    assert services.proposal_submit(proposal=proposal, user=coordinator).status == ProposalStatus.SUBMITTED


def test_criteria_versions_are_numbered(steering_member, group):
    one = services.criteria_version_create(group=group, title="K", text="", items=["a"], user=steering_member,
                                           valid_from=dt.date(2024, 1, 1))
    two = services.criteria_version_create(group=group, title="K", text="", items=["a", "b"], user=steering_member,
                                           valid_from=dt.date(2025, 1, 1))
    assert (one.version, two.version) == (1, 2)
    assert one.items.count() == 1


@pytest.mark.parametrize("status_maker", ["submitted", "on_agenda"])
def test_update_is_refused_after_draft(coordinator, agreement, status_maker):
    proposal = getattr(f, status_maker)(coordinator, agreement)
    with pytest.raises(TransitionError, match="only when it is “Draft”"):
        services.proposal_update(proposal=proposal, user=coordinator, title="x")


def test_submit_twice_is_refused(coordinator, agreement):
    proposal = f.submitted(coordinator, agreement)
    with pytest.raises(TransitionError, match="Cannot submit the proposal"):
        services.proposal_submit(proposal=proposal, user=coordinator)


def test_add_to_agenda_requires_submitted(coordinator, agreement):
    proposal = f.draft(coordinator, agreement)
    with pytest.raises(TransitionError, match="put the proposal on an agenda"):
        services.proposal_add_to_agenda(proposal=proposal, meeting=f.meeting(coordinator, agreement), user=coordinator)


def test_add_to_agenda_refuses_another_agreements_meeting(coordinator, agreement, other_agreement):
    """A coordinator who works on both agreements may manage both groups' meetings, so the permission
    check passes and the wrong-agreement rule itself must refuse."""
    from governance.models import SteeringGroup
    from portfolio.models import AgreementAccess

    AgreementAccess.objects.create(user=coordinator, agreement=other_agreement)
    other_group = SteeringGroup.objects.create(kind="regional", agreement=other_agreement, name="Toinen")
    meeting = Meeting.objects.create(group=other_group, title="Toinen", starts_at=timezone.now(), location="x")
    proposal = f.submitted(coordinator, agreement)
    with pytest.raises(TransitionError, match="belongs to another agreement") as exc:
        services.proposal_add_to_agenda(proposal=proposal, meeting=meeting, user=coordinator)
    assert exc.value.code == "wrong_group"
    proposal.refresh_from_db()
    assert (proposal.status, proposal.meeting) == (ProposalStatus.SUBMITTED, None)


def test_withdraw_from_agenda_and_project_follows(coordinator, agreement):
    proposal = f.on_agenda(coordinator, agreement)
    services.proposal_withdraw(proposal=proposal, user=coordinator, reason="Hanke yhdistetään toiseen")
    proposal.refresh_from_db()
    proposal.project.refresh_from_db()
    assert (proposal.status, proposal.meeting, proposal.project.status) == ("withdrawn", None, "withdrawn")
    with pytest.raises(TransitionError):
        services.proposal_submit(proposal=proposal, user=coordinator)


def test_remove_from_agenda_returns_to_submitted(coordinator, agreement):
    proposal = f.on_agenda(coordinator, agreement)
    services.proposal_remove_from_agenda(proposal=proposal, user=coordinator)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.meeting) == ("submitted", None)


# --- meetings --------------------------------------------------------------------------------------------

def test_publish_empty_agenda_is_refused(coordinator, agreement):
    meeting = f.meeting(coordinator, agreement)
    with pytest.raises(TransitionError, match="agenda is empty"):
        services.meeting_publish_agenda(meeting=meeting, user=coordinator)


def test_publish_twice_is_refused(coordinator, agreement):
    meeting = f.meeting(coordinator, agreement)
    services.meeting_add_item(meeting=meeting, title="Tilannekatsaus", user=coordinator)
    services.meeting_publish_agenda(meeting=meeting, user=coordinator)
    with pytest.raises(TransitionError, match="publish the agenda"):
        services.meeting_publish_agenda(meeting=meeting, user=coordinator)


def test_meeting_needs_place_or_link(coordinator, group):
    with pytest.raises(ValidationError):
        services.meeting_create(group=group, title="x", starts_at=timezone.now(), user=coordinator)


def test_confirm_requires_minutes_and_postpones_undecided(coordinator, steering_member, agreement):
    meeting, (decided, postponed) = f.deciding_meeting(coordinator, agreement, steering_member, proposals=2)
    f.approve(meeting, decided, steering_member)
    with pytest.raises(TransitionError, match="Write the minutes"):
        services.meeting_confirm_minutes(meeting=meeting, user=steering_member)
    services.meeting_update_minutes(meeting=meeting, minutes="Pöytäkirja.", user=steering_member)
    services.meeting_confirm_minutes(meeting=meeting, user=steering_member)
    meeting.refresh_from_db()
    postponed.refresh_from_db()
    assert meeting.status == MeetingStatus.MINUTES_CONFIRMED and meeting.minutes_confirmed_by == steering_member
    assert (postponed.status, postponed.meeting) == (ProposalStatus.SUBMITTED, None)


def test_coordinator_cannot_confirm_minutes(coordinator, steering_member, agreement):
    meeting, _ = f.deciding_meeting(coordinator, agreement, steering_member)
    with pytest.raises(PermissionDenied):
        services.meeting_confirm_minutes(meeting=meeting, user=coordinator)


# --- decisions -------------------------------------------------------------------------------------------

def test_approve_sets_project_status_and_granted_funding(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    lines = [{"instrument": "ERDF", "year": 2026, "amount": Decimal("100000.00")},
             {"instrument": "CITY", "year": 2026, "amount": Decimal("66666.67")}]
    decision = f.approve(meeting, proposal, steering_member, approved_lines=lines)
    proposal.refresh_from_db()
    proposal.project.refresh_from_db()
    meeting.refresh_from_db()
    assert (proposal.status, proposal.project.status, meeting.status) == ("decided", "approved", "held")
    granted = dict(FundingLine.objects.filter(project=proposal.project)
                   .values_list("instrument__code", "granted_amount"))
    assert granted == {"ERDF": Decimal("100000.00"), "CITY": Decimal("66666.67")}
    assert decision.funding_lines.count() == 2 and decision.recorded_by == steering_member


def test_approve_keeps_existing_planned_and_spent(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    FundingLine.objects.create(project=proposal.project, instrument=instrument("ERDF"), year=2026,
                               planned_amount=Decimal("130000.00"), spent_amount=Decimal("5.00"))
    f.approve(meeting, proposal, steering_member)
    line = FundingLine.objects.get(project=proposal.project, instrument__code="ERDF", year=2026)
    assert (line.planned_amount, line.granted_amount, line.spent_amount) == (
        Decimal("130000.00"), Decimal("120000.00"), Decimal("5.00"))


def test_reject_sets_project_rejected_and_grants_nothing(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    services.decision_record(proposal=proposal, meeting=meeting, outcome="rejected", user=steering_member,
                             rationale="Päällekkäinen.")
    proposal.project.refresh_from_db()
    assert proposal.project.status == "rejected"
    assert not FundingLine.objects.filter(project=proposal.project, granted_amount__gt=0).exists()


def test_returned_proposal_goes_back_to_draft_and_can_be_resubmitted(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    services.decision_record(proposal=proposal, meeting=meeting, outcome="returned", user=steering_member)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.meeting) == ("draft", None)
    services.proposal_update(proposal=proposal, user=coordinator, plan="Tarkennettu suunnitelma.")
    services.proposal_submit(proposal=proposal, user=coordinator)
    steps = list(ProposalTransition.objects.filter(proposal=proposal).values_list("to_status", flat=True))
    assert steps == ["draft", "submitted", "on_agenda", "decided", "draft", "submitted"]


def test_conditional_approval_needs_conditions(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    with pytest.raises(ValidationError) as exc:
        services.decision_record(proposal=proposal, meeting=meeting, outcome="conditional", user=steering_member,
                                 approved_lines=f.LINES)
    assert "conditions" in exc.value.message_dict


def test_approval_needs_amounts_and_rejection_has_none(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    with pytest.raises(ValidationError, match="approved funding"):
        services.decision_record(proposal=proposal, meeting=meeting, outcome="approved", user=steering_member)
    with pytest.raises(ValidationError, match="Only an approval grants funding"):
        services.decision_record(proposal=proposal, meeting=meeting, outcome="rejected", user=steering_member,
                                 approved_lines=f.LINES)


def test_vote_counts_are_checked(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    with pytest.raises(ValidationError, match="only 3 members could vote"):
        f.approve(meeting, proposal, steering_member, method="vote", votes_for=3, votes_against=1)
    with pytest.raises(ValidationError, match="went against"):
        f.approve(meeting, proposal, steering_member, method="vote", votes_for=1, votes_against=2)
    decision = f.approve(meeting, proposal, steering_member, method="vote", votes_for=2, votes_against=1)
    assert (decision.votes_for, decision.votes_against, decision.votes_abstain) == (2, 1, 0)


def test_decision_without_quorum_is_refused(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    services.meeting_record_attendance(meeting=meeting, attendees=[steering_member], user=steering_member)
    with pytest.raises(ValidationError, match="No quorum"):
        f.approve(meeting, proposal, steering_member)


def test_recused_members_do_not_count_for_quorum(coordinator, steering_member, agreement, group):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    other = next(u for u in meeting.attendees.all() if u != steering_member)
    with pytest.raises(ValidationError, match="No quorum"):
        f.approve(meeting, proposal, steering_member, recusals=[(other, "Hakijan hallituksessa")])
    extra = f.add_member(group)
    meeting.attendees.add(extra)
    decision = f.approve(meeting, proposal, steering_member, recusals=[(other, "Hakijan hallituksessa")])
    assert list(Recusal.objects.filter(decision=decision).values_list("user", "reason")) == [
        (other.pk, "Hakijan hallituksessa")]


def test_recused_recorder_is_refused(coordinator, steering_member, agreement, group):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    meeting.attendees.add(f.add_member(group))
    with pytest.raises(ValidationError, match="You are recused"):
        f.approve(meeting, proposal, steering_member, recusals=[steering_member])


@pytest.mark.parametrize("who", ["coordinator", "ministry_user", "admin_user", "other_coordinator"])
def test_only_chair_or_secretary_records_decisions(request, coordinator, steering_member, agreement, who):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    with pytest.raises(PermissionDenied):
        f.approve(meeting, proposal, request.getfixturevalue(who))


def test_plain_member_cannot_record_but_substitute_of_chair_can(coordinator, steering_member, agreement, group):
    from governance.models import Membership

    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    member = f.add_member(group)
    with pytest.raises(PermissionDenied):
        f.approve(meeting, proposal, member)
    substitute = f.add_member(group)
    Membership.objects.filter(user=substitute).update(
        substitute_for=Membership.objects.get(user=steering_member, group=group))
    meeting.attendees.add(member, substitute)
    assert f.approve(meeting, proposal, substitute).recorded_by == substitute


def test_member_whose_term_ended_cannot_record(coordinator, steering_member, agreement, group):
    from governance.models import Membership

    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    Membership.objects.filter(user=steering_member).update(term_end=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        f.approve(meeting, proposal, steering_member)


def test_deciding_twice_is_refused(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    f.approve(meeting, proposal, steering_member)
    with pytest.raises(TransitionError, match="record a decision"):
        f.approve(meeting, proposal, steering_member)


def test_deciding_a_proposal_not_on_the_agenda_is_refused(coordinator, steering_member, agreement):
    meeting, _ = f.deciding_meeting(coordinator, agreement, steering_member)
    draft = f.draft(coordinator, agreement)
    with pytest.raises(TransitionError, match="not on this meeting's agenda"):
        f.approve(meeting, draft, steering_member)


def test_deciding_in_a_planned_meeting_is_refused(coordinator, steering_member, agreement):
    proposal = f.on_agenda(coordinator, agreement)
    with pytest.raises(TransitionError, match="record a decision"):
        f.approve(proposal.meeting, proposal, steering_member)


def test_frame_overrun_refuses_approval(coordinator, steering_member, agreement):
    FundingFrameFactory(agreement=agreement, instrument=instrument("ERDF"), year=2026, amount=Decimal("50000.00"))
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    with pytest.raises(ValidationError, match="exceed the frame"):
        f.approve(meeting, proposal, steering_member)
    assert not Decision.objects.exists()


# --- atomicity -------------------------------------------------------------------------------------------

def test_failure_half_way_through_approval_leaves_nothing_changed(coordinator, steering_member, agreement,
                                                                   monkeypatch):
    """The decision row, its lines, the first funding line are written, then the next write fails."""
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    real = FundingLine.save
    calls = []

    def failing_save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(self)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(FundingLine, "save", failing_save)
    before = (Decision.objects.count(), DecisionFundingLine.objects.count(), FundingLine.objects.count(),
              ProposalTransition.objects.count())
    with pytest.raises(RuntimeError):
        f.approve(meeting, proposal, steering_member)
    assert len(calls) == 2
    after = (Decision.objects.count(), DecisionFundingLine.objects.count(), FundingLine.objects.count(),
             ProposalTransition.objects.count())
    assert after == before
    proposal.refresh_from_db()
    proposal.project.refresh_from_db()
    meeting.refresh_from_db()
    assert (proposal.status, proposal.project.status, meeting.status) == ("on_agenda", "proposal", "published")


# --- permanent record ------------------------------------------------------------------------------------

@pytest.fixture
def confirmed(coordinator, steering_member, agreement):  # type: ignore[no-untyped-def]
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    decision = f.approve(meeting, proposal, steering_member)
    services.meeting_update_minutes(meeting=meeting, minutes="Hyväksyttiin.", user=steering_member)
    services.meeting_confirm_minutes(meeting=meeting, user=steering_member)
    return Decision.objects.get(pk=decision.pk)


def test_decision_cannot_be_saved_after_minutes_confirmed(confirmed):
    confirmed.rationale = "Muutettu jälkikäteen"
    with pytest.raises(PermanentRecordError):
        confirmed.save()
    assert Decision.objects.get(pk=confirmed.pk).rationale == "Vastaa hakukriteerejä."


def test_decision_cannot_be_deleted_after_minutes_confirmed(confirmed):
    with pytest.raises(PermanentRecordError):
        confirmed.delete()
    with pytest.raises(PermanentRecordError):
        Decision.objects.filter(pk=confirmed.pk).delete()
    assert Decision.objects.filter(pk=confirmed.pk).exists()


def test_bulk_update_of_confirmed_decision_is_refused(confirmed):
    with pytest.raises(PermanentRecordError):
        Decision.objects.filter(pk=confirmed.pk).update(outcome="rejected")
    with pytest.raises(PermanentRecordError):
        DecisionFundingLine.objects.filter(decision=confirmed).update(amount=Decimal("1.00"))
    line = confirmed.funding_lines.first()
    line.amount = Decimal("1.00")
    with pytest.raises(PermanentRecordError):
        line.save()
    with pytest.raises(PermanentRecordError):
        line.delete()


def test_no_new_decision_in_confirmed_meeting(confirmed, coordinator, steering_member):
    with pytest.raises(TransitionError, match="permanent record"):
        services.decision_record(proposal=confirmed.proposal, meeting=confirmed.meeting, outcome="rejected",
                                 user=steering_member)


def test_confirmed_meeting_cannot_be_changed(confirmed, steering_member, coordinator):
    with pytest.raises(TransitionError, match="permanent record"):
        services.meeting_update_minutes(meeting=confirmed.meeting, minutes="x", user=steering_member)
    with pytest.raises(TransitionError, match="permanent record"):
        services.meeting_confirm_minutes(meeting=confirmed.meeting, user=steering_member)


def test_correction_is_a_new_decision_and_replaces_the_grant(confirmed, coordinator, steering_member, agreement):
    later, _ = f.deciding_meeting(coordinator, agreement, steering_member)
    correction = services.decision_correct(
        decision=confirmed, meeting=later, outcome="approved", user=steering_member,
        rationale="Kirjoitusvirhe summassa.",
        approved_lines=[{"instrument": "ERDF", "year": 2026, "amount": "110000.00"}])
    assert correction.corrects == confirmed and correction.pk != confirmed.pk
    original = Decision.objects.get(pk=confirmed.pk)
    assert original.funding_lines.get(instrument__code="ERDF").amount == Decimal("120000.00")
    granted = dict(FundingLine.objects.filter(project=confirmed.proposal.project)
                   .values_list("instrument__code", "granted_amount"))
    # CITY was granted by the corrected decision and not by the correction: withdrawn.
    assert granted == {"ERDF": Decimal("110000.00"), "CITY": Decimal("0.00")}
    with pytest.raises(TransitionError, match="already been corrected"):
        services.decision_correct(decision=confirmed, meeting=later, outcome="rejected", user=steering_member,
                                  rationale="x")


def test_correction_to_rejection_rejects_the_project(confirmed, coordinator, steering_member, agreement):
    later, _ = f.deciding_meeting(coordinator, agreement, steering_member)
    services.decision_correct(decision=confirmed, meeting=later, outcome="rejected", user=steering_member,
                              rationale="Rahoittaja ei hyväksy.")
    project = confirmed.proposal.project
    project.refresh_from_db()
    assert project.status == "rejected"
    assert not FundingLine.objects.filter(project=project, granted_amount__gt=0).exists()


def test_correction_needs_rationale(confirmed, coordinator, steering_member, agreement):
    later, _ = f.deciding_meeting(coordinator, agreement, steering_member)
    with pytest.raises(ValidationError, match="why"):
        services.decision_correct(decision=confirmed, meeting=later, outcome="rejected", user=steering_member,
                                  rationale=" ")


# --- ideas -----------------------------------------------------------------------------------------------

def test_idea_pipeline(coordinator, agreement):
    from portfolio.models import Organisation, Priority

    idea = services.idea_create(agreement=agreement, user=coordinator, title="Kiertotalouden testialusta",
                                priority=Priority.objects.get(agreement=agreement, code=1),
                                lead_organisation=Organisation.objects.filter(kind="city").first(),
                                need="Rakennusjätteen uudelleenkäyttö")
    assert idea.project.status == "idea" and idea.stage == "idea"
    services.idea_set_stage(idea=idea, stage="preparing", user=coordinator)
    with pytest.raises(TransitionError):
        services.idea_set_stage(idea=idea, stage="proposal", user=coordinator)
    services.proposal_create(project=idea.project, title="Esitys", user=coordinator)
    idea.refresh_from_db()
    assert idea.stage == "preparing"  # "proposal" once it is submitted (test_idea_path.py)


def test_idea_dropped_withdraws_project(coordinator, agreement):
    from portfolio.models import Organisation, Priority

    idea = services.idea_create(agreement=agreement, user=coordinator, title="Idea",
                                priority=Priority.objects.get(agreement=agreement, code=2),
                                lead_organisation=Organisation.objects.filter(kind="city").first())
    services.idea_set_stage(idea=idea, stage="dropped", user=coordinator)
    idea.project.refresh_from_db()
    assert idea.project.status == "withdrawn"
    with pytest.raises(TransitionError):
        services.idea_update(idea=idea, user=coordinator, need="x")


# --- notifications ---------------------------------------------------------------------------------------

def test_submission_mails_chair_after_commit_only(coordinator, steering_member, agreement,
                                                  django_capture_on_commit_callbacks):
    proposal = f.draft(coordinator, agreement)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.proposal_submit(proposal=proposal, user=coordinator)
        assert mail.outbox == []  # nothing before the commit
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [[steering_member.email]]
    assert proposal.title in mail.outbox[0].subject


def test_rolled_back_transaction_sends_nothing(coordinator, steering_member, agreement,
                                               django_capture_on_commit_callbacks):
    proposal = f.draft(coordinator, agreement)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.proposal_submit(proposal=proposal, user=coordinator)
            raise RuntimeError("rolled back")
    assert callbacks == [] and mail.outbox == []
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.DRAFT


def test_agenda_and_decision_notifications(coordinator, steering_member, agreement,
                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    agenda_mails = [m for m in mail.outbox if meeting.title in m.subject]
    recipients = {to for m in agenda_mails for to in m.to}
    assert {steering_member.email, coordinator.email} <= recipients
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        f.approve(meeting, proposal, steering_member)
    assert {to for m in mail.outbox for to in m.to} == {coordinator.email}
    assert "120" in mail.outbox[0].body


def test_failed_decision_sends_nothing(coordinator, steering_member, agreement, django_capture_on_commit_callbacks):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ValidationError):
            services.decision_record(proposal=proposal, meeting=meeting, outcome="conditional",
                                     user=steering_member, approved_lines=f.LINES)
    assert callbacks == [] and mail.outbox == []


def test_the_chair_records_decisions_and_a_member_does_not(coordinator, steering_member, agreement):
    """Was a test of the fixture (the chair's membership row); now the rule the role carries."""
    from governance.permissions import can_record_decision

    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    member = f.add_member(f.regional_group(agreement), role=MemberRole.MEMBER)
    meeting.attendees.add(member)
    assert can_record_decision(steering_member, meeting) is True
    assert can_record_decision(member, meeting) is False
    with pytest.raises(PermissionDenied):
        f.approve(meeting, proposal, member)
    assert not proposal.decisions.exists()


def test_withdrawn_project_can_be_proposed_again(coordinator, agreement):
    proposal = f.submitted(coordinator, agreement)
    services.proposal_withdraw(proposal=proposal, user=coordinator)
    again = f.draft(coordinator, agreement, project=proposal.project)
    again.project.refresh_from_db()
    assert again.status == "draft" and again.project.status == "idea"


def test_rejected_project_cannot_be_proposed_again(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    services.decision_record(proposal=proposal, meeting=meeting, outcome="rejected", user=steering_member,
                             rationale="Ei vastaa hakukriteerejä.")
    with pytest.raises(TransitionError, match="cannot be made for a project"):
        f.draft(coordinator, agreement, project=proposal.project)


def test_notification_links_are_absolute_with_base_url(coordinator, steering_member, agreement, settings,
                                                       django_capture_on_commit_callbacks):
    settings.PORTAL_BASE_URL = "https://portaali.example.fi/"
    proposal = f.draft(coordinator, agreement)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_submit(proposal=proposal, user=coordinator)
    assert f"https://portaali.example.fi/governance/proposals/{proposal.pk}/" in mail.outbox[0].body


def test_project_status_change_bumps_version_and_history(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    project = proposal.project
    project.refresh_from_db()
    version = project.version
    f.approve(meeting, proposal, steering_member)
    project.refresh_from_db()
    assert project.version == version + 1
    latest = project.history.order_by("-history_date").first()
    assert (latest.status, latest.history_user) == ("approved", steering_member)

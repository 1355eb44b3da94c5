"""Issue 12 (governance side) and issue 19's untested rules: decisions dated by their meeting, refused
before it starts, rejections with reasons, instruments available by date, grants within the request,
commitments only within a frame; quorum, votes and corrections at their edges."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import formats, timezone

from funding.models import FundingLine
from funding.selectors import frame_use
from governance import services
from governance.choices import MeetingStatus, ProposalStatus
from governance.models import Decision, Membership, Proposal, ProposalFundingLine
from governance.services import TransitionError
from governance.tests import factories as f
from tests.factories import instrument

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()


def _short(day: dt.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


# --- point 6: dated by the meeting, not before it starts, a rejection has reasons -------------------------

def test_decision_is_dated_by_its_meeting_not_by_when_it_was_typed_in(coordinator, steering_member, agreement):
    started = timezone.localtime() - dt.timedelta(days=3)
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member, starts_at=started)
    decision = f.approve(meeting, proposal, steering_member)
    stored = Decision.objects.get(pk=decision.pk)
    assert stored.decided_on == started.date()
    assert timezone.localdate(stored.decided_at) == timezone.localdate()  # the recording moment is kept too


def test_decision_before_the_meeting_starts_is_refused(coordinator, steering_member, agreement):
    later = timezone.now() + dt.timedelta(hours=2)
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member, starts_at=later)
    with pytest.raises(TransitionError, match="its decisions can be recorded once it has started") as exc:
        f.approve(meeting, proposal, steering_member)
    assert exc.value.code == "meeting_not_started"
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.AGENDA_PUBLISHED  # it did not mark itself held
    assert not Decision.objects.exists()
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.ON_AGENDA


def test_rejection_needs_reasons(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    with pytest.raises(ValidationError) as exc:
        services.decision_record(proposal=proposal, meeting=meeting, outcome="rejected", user=steering_member,
                                 rationale="  ")
    assert "rationale" in exc.value.message_dict
    assert not Decision.objects.exists()


def test_migration_dates_existing_decisions_by_their_meeting(coordinator, steering_member, agreement):
    from django.apps import apps

    started = timezone.localtime() - dt.timedelta(days=10)
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member, starts_at=started)
    decision = f.approve(meeting, proposal, steering_member)
    Decision.objects.filter(pk=decision.pk).update(decided_on=dt.date(2000, 1, 1))
    migration = importlib.import_module("governance.migrations.0003_decision_decided_on")
    migration.date_from_meeting(apps, None)
    assert Decision.objects.get(pk=decision.pk).decided_on == started.date()


# --- point 3: instrument availability by date ------------------------------------------------------------

@pytest.mark.parametrize("code,year,ended", [("RRF", 2026, dt.date(2026, 8, 31)),
                                             ("AKKE", 2025, dt.date(2025, 1, 31))])
def test_proposal_refuses_an_instrument_that_ended_before_today(coordinator, agreement, code, year, ended):
    with pytest.raises(ValidationError) as exc:
        f.draft(coordinator, agreement, lines=[{"instrument": code, "year": year, "amount": "1000"}])
    assert code in exc.value.messages[0] and _short(ended) in exc.value.messages[0]


def test_draft_written_before_the_end_is_refused_at_submission_after_it(coordinator, agreement):
    with time_machine.travel(dt.datetime(2026, 8, 20, 12, 0, tzinfo=TZ)):
        proposal = f.draft(coordinator, agreement, lines=[{"instrument": "RRF", "year": 2026, "amount": "5000"}])
    with pytest.raises(TransitionError) as exc:
        services.proposal_submit(proposal=proposal, user=coordinator)
    assert any("RRF" in m and _short(dt.date(2026, 8, 31)) in m for m in exc.value.messages)
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.DRAFT


def _request(proposal: Proposal, code: str, year: int, amount: str) -> None:
    """A requested line written as it stood when the instrument was still available."""
    ProposalFundingLine.objects.create(proposal=proposal, instrument=instrument(code), year=year,
                                       amount=Decimal(amount))


def test_decision_refuses_an_instrument_ended_before_the_meeting(coordinator, steering_member, agreement):
    f.ensure_frame(agreement, "RRF", 2026)
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    _request(proposal, "RRF", 2026, "30000.00")
    with pytest.raises(ValidationError) as exc:
        f.approve(meeting, proposal, steering_member,
                  approved_lines=[*f.LINES, {"instrument": "RRF", "year": 2026, "amount": "30000.00"}])
    messages = exc.value.message_dict["approved_lines"]
    assert any("RRF" in m and _short(dt.date(2026, 8, 31)) in m for m in messages)
    assert not Decision.objects.exists()


def test_decision_checks_availability_on_the_meetings_date(coordinator, steering_member, agreement):
    """A meeting held before RRF ended may grant it, even when the decision is typed in afterwards."""
    f.ensure_frame(agreement, "RRF", 2026)
    held = dt.datetime(2026, 8, 25, 13, 0, tzinfo=TZ)
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member, starts_at=held)
    _request(proposal, "RRF", 2026, "30000.00")
    decision = f.approve(meeting, proposal, steering_member,
                         approved_lines=[*f.LINES, {"instrument": "RRF", "year": 2026, "amount": "30000.00"}])
    assert decision.funding_lines.filter(instrument__code="RRF").get().amount == Decimal("30000.00")


def test_proposal_form_does_not_offer_ended_instruments(coordinator, agreement):
    from governance.forms import ProposalForm

    project = f.idea_project(agreement)
    codes = {instrument.code for instrument in ProposalForm(project=project).grid_instruments}
    assert {"ERDF", "CITY"} <= codes
    assert "RRF" not in codes and "AKKE" not in codes  # ended before today (RRF on 31.8.2026, AKKE in 2025)


# --- point 8: no more than requested ---------------------------------------------------------------------

def test_decision_cannot_grant_more_than_requested(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)  # ERDF 2026 120 000
    with pytest.raises(ValidationError) as exc:
        f.approve(meeting, proposal, steering_member,
                  approved_lines=[{"instrument": "ERDF", "year": 2026, "amount": "500000.00"}])
    (message,) = exc.value.message_dict["approved_lines"]
    assert "ERDF 2026" in message and "amend the proposal first" in message
    assert not Decision.objects.exists()
    assert not FundingLine.objects.filter(project=proposal.project, granted_amount__gt=0).exists()


def test_decision_cannot_grant_an_instrument_or_year_not_requested(coordinator, steering_member, agreement):
    f.ensure_frame(agreement, "ERDF", 2027)
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    with pytest.raises(ValidationError, match="ERDF 2027: the decision grants"):
        f.approve(meeting, proposal, steering_member,
                  approved_lines=[{"instrument": "ERDF", "year": 2026, "amount": "60000.00"},
                                  {"instrument": "ERDF", "year": 2027, "amount": "60000.00"}])


def test_decision_may_grant_less_than_requested(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    decision = f.approve(meeting, proposal, steering_member,
                         approved_lines=[{"instrument": "ERDF", "year": 2026, "amount": "120000.00"},
                                         {"instrument": "CITY", "year": 2026, "amount": "79999.99"}])
    assert decision.funding_lines.aggregate(t=Sum("amount"))["t"] == Decimal("199999.99")


# --- point 12: no commitment without a frame -------------------------------------------------------------

def test_commitment_in_a_year_without_a_frame_is_refused_until_the_frame_exists(coordinator, steering_member,
                                                                                agreement):
    lines = [{"instrument": "ERDF", "year": 2027, "amount": Decimal("90000.00")},
             {"instrument": "CITY", "year": 2027, "amount": Decimal("60000.00")}]
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member, lines=lines)
    with pytest.raises(ValidationError) as exc:
        f.approve(meeting, proposal, steering_member, approved_lines=lines)
    (message,) = exc.value.message_dict["approved_lines"]  # CITY money needs no frame
    assert "ERDF 2027 has no funding frame yet" in message
    assert not Decision.objects.exists()
    f.ensure_frame(agreement, "ERDF", 2027)
    assert f.approve(meeting, proposal, steering_member, approved_lines=lines).funding_lines.count() == 2


# --- issue 19: quorum, votes, corrections ----------------------------------------------------------------

def test_member_whose_term_ended_does_not_count_for_quorum(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    assert services.meeting_quorum(meeting)["present"] == 3
    other = next(u for u in meeting.attendees.all() if u != steering_member)
    Membership.objects.filter(user=other).update(term_end=timezone.localdate() - dt.timedelta(days=1))
    assert services.meeting_quorum(meeting) == {"present": 2, "quorum": 3, "ok": False}
    with pytest.raises(ValidationError, match="No quorum: 2 members present"):
        f.approve(meeting, proposal, steering_member)


def test_negative_vote_counts_are_refused(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    with pytest.raises(ValidationError) as exc:
        f.approve(meeting, proposal, steering_member, method="vote", votes_for=2, votes_against=-1)
    assert exc.value.message_dict["votes_for"] == ["Vote counts cannot be negative."]
    with pytest.raises(ValidationError, match="Vote counts cannot be negative"):
        f.approve(meeting, proposal, steering_member, method="vote", votes_for=2, votes_against=0,
                  votes_abstain=-1)
    assert not Decision.objects.exists()


def test_consensus_with_vote_counts_is_refused(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    with pytest.raises(ValidationError) as exc:
        f.approve(meeting, proposal, steering_member, method="consensus", votes_for=3, votes_against=0)
    assert "method" in exc.value.message_dict
    assert "A consensus decision has no vote counts" in exc.value.message_dict["method"][0]


def test_corrected_decision_counts_in_frame_use_only_through_its_correction(coordinator, steering_member,
                                                                             agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    original = f.approve(meeting, proposal, steering_member)  # ERDF 2026 120 000
    services.meeting_update_minutes(meeting=meeting, minutes="Hyväksyttiin.", user=steering_member)
    services.meeting_confirm_minutes(meeting=meeting, user=steering_member)
    later, _ = f.deciding_meeting(coordinator, agreement, steering_member)
    services.decision_correct(decision=original, meeting=later, outcome="returned", user=steering_member,
                              rationale="Esitys valmistellaan uudelleen.")
    proposal.project.refresh_from_db()
    assert proposal.project.status == "proposal"
    # Independently: what decided projects (the coordination project) hold; the proposal's only approval
    # has been corrected away and must not count beside its correction.
    granted = FundingLine.objects.filter(project__agreement=agreement, instrument__code="ERDF", year=2026,
                                         project__status__in=["approved", "running", "closed"]
                                         ).aggregate(t=Sum("granted_amount"))["t"] or Decimal("0.00")
    assert not FundingLine.objects.filter(project=proposal.project, granted_amount__gt=0).exists()
    erdf = next(r for r in frame_use(agreement=agreement, year=2026) if r["code"] == "ERDF")
    assert erdf["committed"] == granted


def test_huge_exponent_amount_is_refused_not_a_crash(coordinator, agreement):
    """Hypothesis found "1e400": quantizing it raised InvalidOperation instead of a refusal."""
    with pytest.raises(ValidationError, match="The amount is too large"):
        f.draft(coordinator, agreement, lines=[{"instrument": "ERDF", "year": 2026, "amount": "1e400"}])


def _granted_of_decided(agreement, **filters) -> Decimal:  # type: ignore[no-untyped-def]
    """Independently: granted money on decided projects of the agreement (RRF is shown apart)."""
    return FundingLine.objects.filter(project__agreement=agreement, project__status__in=["approved", "running",
                                                                                         "closed"],
                                      **filters).exclude(instrument__code="RRF").aggregate(
        t=Sum("granted_amount"))["t"] or Decimal("0.00")


def test_a_decision_corrected_once_counts_once_in_frame_use_and_granted_totals(coordinator, steering_member,
                                                                                agreement):
    from funding.selectors import funding_summary

    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)

    def committed(code: str) -> Decimal:
        return next((r["committed"] for r in frame_use(agreement=agreement, year=2026) if r["code"] == code),
                    Decimal("0.00"))

    before = {"ERDF": committed("ERDF"), "CITY": committed("CITY"),
              "total": funding_summary(agreement_id=agreement.pk)["total"]}
    assert before["total"] == _granted_of_decided(agreement)
    original = f.approve(meeting, proposal, steering_member)  # ERDF 2026 120 000, CITY 2026 80 000
    services.meeting_update_minutes(meeting=meeting, minutes="Hyväksyttiin.", user=steering_member)
    services.meeting_confirm_minutes(meeting=meeting, user=steering_member)
    later, _ = f.deciding_meeting(coordinator, agreement, steering_member)
    services.decision_correct(decision=original, meeting=later, outcome="approved", user=steering_member,
                              rationale="Kirjoitusvirhe summassa.",
                              approved_lines=[{"instrument": "ERDF", "year": 2026, "amount": "110000.00"}])
    # By hand: the correction's 110 000 ERDF once; the corrected 120 000 ERDF and 80 000 CITY not at all.
    assert committed("ERDF") == before["ERDF"] + Decimal("110000.00")
    assert committed("CITY") == before["CITY"]
    summary = funding_summary(agreement_id=agreement.pk)
    assert summary["total"] == before["total"] + Decimal("110000.00")
    assert summary["total"] == _granted_of_decided(agreement)
    # Both decisions stay on the record; the correction names the one it corrects.
    assert Decision.objects.filter(proposal=proposal).count() == 2
    assert Decision.objects.get(corrects=original).proposal_id == proposal.pk

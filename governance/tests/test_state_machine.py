"""Generated sequences of workflow steps (hypothesis RuleBasedStateMachine): every step the services
accept is legal by the workflow table below, every illegal one is refused with a message and changes
nothing, and "decided ⇒ was submitted and has a decision" always holds."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from governance import services
from governance.choices import MeetingStatus, ProposalStatus
from governance.models import Decision, Meeting, Proposal, ProposalTransition
from governance.tests import factories as f

pytestmark = pytest.mark.django_db

STEPS: Counter[str] = Counter()  # what the generated sequences exercised (asserted below)
OPEN_FOR_AGENDA = (MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED)
DECIDING = (MeetingStatus.AGENDA_PUBLISHED, MeetingStatus.HELD)


class Workflow(RuleBasedStateMachine):
    proposals = Bundle("proposals")

    def __init__(self, *, agreement, coordinator, chair, members) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.agreement, self.coordinator, self.chair, self.members = agreement, coordinator, chair, members
        # Each generated example runs in a savepoint that is rolled back in teardown().
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        f.ensure_frame(agreement)
        self.meeting = self._new_meeting()
        self.confirmed_decisions: dict[int, tuple] = {}

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _new_meeting(self) -> Meeting:
        meeting = services.meeting_create(group=f.regional_group(self.agreement), title="Kokous",
                                          starts_at=f.started_today(), location="Sali",
                                          user=self.coordinator)
        services.meeting_add_item(meeting=meeting, title="Avaus", user=self.coordinator)
        return meeting

    def _attempt(self, proposal: Proposal, legal: bool, call) -> bool:  # type: ignore[no-untyped-def]
        import inspect

        call_name = inspect.stack()[1].function
        before = (proposal.status, proposal.meeting_id, ProposalTransition.objects.filter(proposal=proposal).count())
        try:
            with transaction.atomic():
                call()
        except ValidationError as exc:
            assert not legal, f"legal step refused: {exc.messages}"
            STEPS[f"refused {call_name}"] += 1
            assert exc.messages and all(m.strip() for m in exc.messages)
            proposal.refresh_from_db()
            after = (proposal.status, proposal.meeting_id,
                     ProposalTransition.objects.filter(proposal=proposal).count())
            assert after == before, "a refused step changed the proposal"
            return False
        assert legal, f"illegal step accepted from {before[0]}"
        STEPS[f"accepted {call_name}"] += 1
        proposal.refresh_from_db()
        return True

    @rule(target=proposals)
    def create(self) -> Proposal:
        return f.draft(self.coordinator, self.agreement)

    @rule(target=proposals)
    def create_submitted(self) -> Proposal:
        return f.submitted(self.coordinator, self.agreement)

    @rule(target=proposals)
    def create_on_agenda(self) -> Proposal:
        self.meeting.refresh_from_db()
        proposal = f.submitted(self.coordinator, self.agreement)
        if self.meeting.status in OPEN_FOR_AGENDA:
            services.proposal_add_to_agenda(proposal=proposal, meeting=self.meeting, user=self.coordinator)
        return proposal

    @rule(proposal=proposals)
    def submit(self, proposal: Proposal) -> None:
        proposal.refresh_from_db()
        legal = proposal.status == ProposalStatus.DRAFT
        if self._attempt(proposal, legal, lambda: services.proposal_submit(proposal=proposal, user=self.coordinator)):
            assert proposal.status == ProposalStatus.SUBMITTED

    @rule(proposal=proposals)
    def withdraw(self, proposal: Proposal) -> None:
        proposal.refresh_from_db()
        legal = proposal.status in (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.ON_AGENDA)
        if self._attempt(proposal, legal,
                         lambda: services.proposal_withdraw(proposal=proposal, user=self.coordinator)):
            assert (proposal.status, proposal.meeting_id) == (ProposalStatus.WITHDRAWN, None)

    @rule(proposal=proposals)
    def add_to_agenda(self, proposal: Proposal) -> None:
        proposal.refresh_from_db()
        self.meeting.refresh_from_db()
        legal = proposal.status == ProposalStatus.SUBMITTED and self.meeting.status in OPEN_FOR_AGENDA
        if self._attempt(proposal, legal, lambda: services.proposal_add_to_agenda(
                proposal=proposal, meeting=self.meeting, user=self.coordinator)):
            assert (proposal.status, proposal.meeting_id) == (ProposalStatus.ON_AGENDA, self.meeting.pk)

    @rule(proposal=proposals)
    def remove_from_agenda(self, proposal: Proposal) -> None:
        proposal.refresh_from_db()
        legal = proposal.status == ProposalStatus.ON_AGENDA and proposal.meeting.status in OPEN_FOR_AGENDA
        if self._attempt(proposal, legal,
                         lambda: services.proposal_remove_from_agenda(proposal=proposal, user=self.coordinator)):
            assert proposal.status == ProposalStatus.SUBMITTED

    @rule(proposal=proposals, outcome=st.sampled_from(["approved", "conditional", "returned", "rejected"]))
    def decide(self, proposal: Proposal, outcome: str) -> None:
        proposal.refresh_from_db()
        self.meeting.refresh_from_db()
        legal = (proposal.status == ProposalStatus.ON_AGENDA and proposal.meeting_id == self.meeting.pk
                 and self.meeting.status in DECIDING)
        approving = outcome in ("approved", "conditional")
        kwargs = {"approved_lines": f.LINES if approving else [],
                  "conditions": "Ehto" if outcome == "conditional" else "", "rationale": "Perustelu"}
        if self._attempt(proposal, legal, lambda: services.decision_record(
                proposal=proposal, meeting=self.meeting, outcome=outcome, user=self.chair, **kwargs)):
            expected = ProposalStatus.DRAFT if outcome == "returned" else ProposalStatus.DECIDED
            assert proposal.status == expected

    @rule()
    def publish(self) -> None:
        self.meeting.refresh_from_db()
        legal = self.meeting.status == MeetingStatus.PLANNED
        try:
            services.meeting_publish_agenda(meeting=self.meeting, user=self.coordinator)
            services.meeting_record_attendance(meeting=self.meeting, attendees=[self.chair, *self.members],
                                               user=self.chair)
        except ValidationError:
            assert not legal
        else:
            assert legal

    @rule()
    def confirm_minutes(self) -> None:
        self.meeting.refresh_from_db()
        legal = self.meeting.status in DECIDING
        try:
            services.meeting_update_minutes(meeting=self.meeting, minutes="Pöytäkirja", user=self.chair)
            services.meeting_confirm_minutes(meeting=self.meeting, user=self.chair)
        except ValidationError:
            assert not legal
            return
        assert legal
        for decision in Decision.objects.filter(meeting=self.meeting):
            self.confirmed_decisions[decision.pk] = (decision.outcome, decision.rationale)
        assert not Proposal.objects.filter(meeting=self.meeting, status=ProposalStatus.ON_AGENDA).exists()
        self.meeting = self._new_meeting()

    @invariant()
    def decided_was_submitted_and_has_a_decision(self) -> None:
        for proposal in Proposal.objects.filter(status=ProposalStatus.DECIDED):
            steps = list(proposal.transitions.values_list("to_status", flat=True))
            assert ProposalStatus.SUBMITTED in steps and ProposalStatus.ON_AGENDA in steps
            assert proposal.decisions.exists() and proposal.meeting_id is not None

    @invariant()
    def transitions_form_a_chain(self) -> None:
        for proposal in Proposal.objects.all():
            steps = list(proposal.transitions.order_by("at", "pk").values_list("from_status", "to_status"))
            assert steps[0] == ("", ProposalStatus.DRAFT)
            for (_, to_status), (from_status, _) in zip(steps, steps[1:], strict=False):
                assert to_status == from_status
            assert steps[-1][1] == proposal.status

    @invariant()
    def confirmed_decisions_unchanged(self) -> None:
        for pk, values in self.confirmed_decisions.items():
            decision = Decision.objects.get(pk=pk)
            assert (decision.outcome, decision.rationale) == values


def test_workflow_state_machine(coordinator, steering_member, agreement):
    group = f.regional_group(agreement)
    members = [f.add_member(group) for _ in range(group.quorum - 1)]
    run_state_machine_as_test(
        lambda: Workflow(agreement=agreement, coordinator=coordinator, chair=steering_member, members=members),
        settings=settings(max_examples=30, stateful_step_count=30, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]),
    )
    print(dict(STEPS))
    # The sequences must reach the interesting states, not only bounce off refusals.
    assert STEPS["accepted decide"] and STEPS["refused decide"] and STEPS["accepted add_to_agenda"]

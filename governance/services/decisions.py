"""The permanent decision record: decisions and their corrections."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from portfolio.choices import ProjectStatus
from portfolio.models import Project
from portfolio.services import project_admit

from .. import permissions
from ..choices import (
    APPROVING_OUTCOMES,
    DECIDING_MEETING_STATUSES,
    DecisionMethod,
    DecisionOutcome,
    MeetingStatus,
    ProposalStatus,
)
from ..models import (
    Decision,
    DecisionFundingLine,
    Meeting,
    Membership,
    Proposal,
    ProposalTransition,
    Recusal,
)
from ..selectors import meeting_quorum
from ._common import (
    LineError,
    TransitionError,
    _clean_lines,
    _deny,
    _lock_meeting,
    _lock_proposal,
    _now,
    _on_commit,
    _require_meeting_status,
    _require_proposal_status,
    _set_project_status,
    _transition,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from portfolio.models import Agreement


# --- decisions -------------------------------------------------------------------------------------------

def _clean_recusals(recusals: Iterable[Any], group_id: int) -> list[tuple[Any, str]]:
    result: list[tuple[Any, str]] = []
    seen = set()
    for item in recusals:
        if isinstance(item, Mapping):
            member, reason = item.get("user"), item.get("reason", "")
        elif isinstance(item, tuple | list):
            member, reason = item[0], (item[1] if len(item) > 1 else "")
        else:
            member, reason = item, ""
        member_id = getattr(member, "pk", member)
        if member_id in seen:
            continue
        seen.add(member_id)
        # A recusal without a user matches no seat (user_id=None) and is refused here.
        if not Membership.objects.filter(group_id=group_id, user_id=member_id).exists():  # type: ignore[misc]
            raise ValidationError({"recusals": _("Only members of the steering group can be recorded as recused.")})
        result.append((member_id, str(reason or "")[:255]))
    return result


def _validate_decision_input(*, meeting: Meeting, outcome: str, method: str, votes_for: int | None,
                             votes_against: int | None, votes_abstain: int | None, approved: list[dict[str, Any]],
                             conditions: str, recused_ids: set[int], user: User, rationale: str = "") -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if outcome not in DecisionOutcome.values:
        add("outcome", _("Choose the outcome of the decision."))
    if method not in DecisionMethod.values:
        add("method", _("Say whether the decision was reached by consensus or by vote."))
    quorum = meeting_quorum(meeting, excluding=recused_ids)
    if not quorum["ok"]:
        add("__all__", _("No quorum: %(present)s members present and not recused, %(quorum)s needed. Record the "
                         "attendance first.") % quorum)
    if user.pk in recused_ids:
        add("recusals", _("You are recused from this decision; another chair or secretary records it."))
    if method == DecisionMethod.VOTE:
        if votes_for is None or votes_against is None:
            add("votes_for", _("A vote records the votes for and against."))
        else:
            if min(votes_for, votes_against, votes_abstain or 0) < 0:
                add("votes_for", _("Vote counts cannot be negative."))
            total = votes_for + votes_against + (votes_abstain or 0)
            if total > quorum["present"]:
                add("votes_for", _("%(total)s votes were counted but only %(present)s members could vote.")
                    % {"total": total, "present": quorum["present"]})
            if outcome in APPROVING_OUTCOMES and votes_for < votes_against:
                add("outcome", _("The vote went against the proposal; it cannot be recorded as approved."))
    elif method == DecisionMethod.CONSENSUS and any(v is not None for v in (votes_for, votes_against, votes_abstain)):
        add("method", _("A consensus decision has no vote counts; choose “vote” to record them."))
    if outcome in APPROVING_OUTCOMES:
        if not any(line["amount"] > 0 for line in approved):
            add("approved_lines", _("An approval states the approved funding by instrument and year."))
    elif approved and any(line["amount"] for line in approved):
        add("approved_lines", _("Only an approval grants funding; remove the amounts or change the outcome."))
    if outcome == DecisionOutcome.APPROVED_WITH_CONDITIONS and not conditions.strip():
        add("conditions", _("Write the conditions of the approval."))
    if outcome == DecisionOutcome.REJECTED and not rationale.strip():
        add("rationale", _("Give the reasons for the rejection: a rejection is recorded with its grounds."))
    if errors:
        raise ValidationError(errors, code="invalid_decision")


def _apply_decision(decision: Decision, approved: list[dict[str, Any]], corrected: Decision | None) -> None:
    """The decision's effects on the project, in the caller's transaction: status and granted funding."""
    from funding import services as funding_services

    project = Project.objects.select_for_update().get(pk=decision.proposal.project_id)
    by = decision.recorded_by
    wanted: dict[tuple[str, int], Decimal] = {}
    if decision.outcome in APPROVING_OUTCOMES:
        funding_services.frame_check_commit(
            agreement=project.agreement,
            lines=[{"instrument": line["instrument"].code, "year": line["year"], "amount": line["amount"]}
                   for line in approved],
            exclude_project=project)
        wanted = {(line["instrument"].code, line["year"]): line["amount"] for line in approved}
    # A correction withdraws what the corrected decision granted and did not grant again.
    withdrawn: set[tuple[str, int]] = set()
    if corrected is not None and corrected.outcome in APPROVING_OUTCOMES:
        withdrawn = {(line.instrument.code, line.year) for line in corrected.funding_lines.select_related(
            "instrument")} - set(wanted)
    requested = {(line.instrument.code, line.year): line.amount
                 for line in decision.proposal.funding_lines.select_related("instrument")}
    # Granted money changes only through the funding app's ledger service, which records this decision as
    # the source of each amount.
    keys = [*wanted, *sorted(withdrawn)]
    if keys:
        funding_services.granted_set_from_decision(
            project=project, amounts={key: wanted.get(key, Decimal("0.00")) for key in keys},
            planned_if_new={key: requested.get(key, wanted.get(key, Decimal("0.00"))) for key in keys},
            source=_("Steering-group decision %(id)s (%(meeting)s)") % {"id": decision.pk,
                                                                          "meeting": decision.meeting},
            user=by)
    if decision.outcome in APPROVING_OUTCOMES:
        _set_project_status(project, ProjectStatus.APPROVED,
                            only_from=[ProjectStatus.IDEA, ProjectStatus.PROPOSAL, ProjectStatus.REJECTED], user=by)
        # In the portfolio now: its code of the agreement's series and its dates from the approved years.
        years = sorted({line["year"] for line in approved if line["amount"]}) or sorted({y for _c, y in requested})
        project_admit(project=project, first_year=years[0] if years else None,
                      last_year=years[-1] if years else None, decided_on=decision.decided_on, user=by,
                      reason="governance")
    elif decision.outcome == DecisionOutcome.REJECTED:
        _set_project_status(project, ProjectStatus.REJECTED,
                            only_from=[ProjectStatus.IDEA, ProjectStatus.PROPOSAL, ProjectStatus.APPROVED]
                            if corrected is not None else [ProjectStatus.IDEA, ProjectStatus.PROPOSAL], user=by)
    elif decision.outcome == DecisionOutcome.RETURNED and corrected is not None:
        _set_project_status(project, ProjectStatus.PROPOSAL,
                            only_from=[ProjectStatus.APPROVED, ProjectStatus.REJECTED], user=by)


def _check_grant_against_request(proposal: Proposal, approved: list[dict[str, Any]]) -> None:
    """A decision grants at most what the proposal requests, per instrument and year (the stricter reading:
    moving money between instruments or years is a change of the proposal too). More is an amendment of
    the proposal first: return it for preparation, change the request, and decide it again."""
    requested = {(line.instrument.code, line.year): line.amount
                 for line in proposal.funding_lines.select_related("instrument")}
    errors = []
    for line in approved:
        key = (line["instrument"].code, line["year"])
        asked = requested.get(key, Decimal("0.00"))
        if line["amount"] and line["amount"] > asked:
            params = {"code": key[0], "year": key[1], "granted": _euros(line["amount"]), "requested": _euros(asked)}
            message = _("%(code)s %(year)s: the decision grants %(granted)s but the proposal requests "
                        "%(requested)s. A decision cannot grant more than requested: amend the proposal "
                        "first (return it for preparation).") % params
            detail = _("The decision grants %(granted)s but the proposal requests %(requested)s. A decision "
                       "cannot grant more than requested: amend the proposal first (return it for preparation).") \
                % params
            errors.append(LineError(message, detail=detail, instrument_code=key[0], year=key[1],
                                    code="more_than_requested"))
    if errors:
        raise ValidationError({"approved_lines": errors}, code="more_than_requested")


def _check_frames_exist(agreement: Agreement, approved: list[dict[str, Any]]) -> None:
    """EU and state money is committed only within a funding frame: a year whose frame TEM has not yet
    allocated (no regional allocation decision) cannot take commitments until the frame is recorded."""
    from funding.choices import ShareGroup
    from funding.selectors import frames_for

    framed = {(frame.instrument.code, frame.year) for frame in frames_for(agreement=agreement)}
    detail = _("No funding frame yet (no regional allocation decision): the funding can be decided once the "
               "frame for this year is recorded.")
    errors = [
        LineError(_("%(code)s %(year)s has no funding frame yet (no regional allocation decision): the funding can be "
                    "decided once the frame for that year is recorded.") % {"code": line["instrument"].code,
                                                                             "year": line["year"]},
                  detail=detail, instrument_code=line["instrument"].code, year=line["year"], code="no_frame")
        for line in approved
        if line["amount"] and line["instrument"].share_group == ShareGroup.EU_STATE
        and (line["instrument"].code, line["year"]) not in framed]
    if errors:
        raise ValidationError({"approved_lines": errors}, code="no_frame")


def _euros(value: Decimal) -> str:
    return f"{formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)} €"


def _create_decision(*, proposal: Proposal, meeting: Meeting, outcome: str, method: str, votes_for: int | None,
                     votes_against: int | None, votes_abstain: int | None, approved_lines: Iterable[Any],
                     conditions: str, rationale: str, recusals: Iterable[Any], user: User,
                     corrects: Decision | None) -> Decision:
    now = _now()
    if now < meeting.starts_at:
        raise TransitionError(
            _("The meeting starts on %(when)s: its decisions can be recorded once it has started.")
            % {"when": formats.date_format(timezone.localtime(meeting.starts_at), "SHORT_DATETIME_FORMAT")},
            code="meeting_not_started")
    decided_on = timezone.localdate(meeting.starts_at)
    already = {(line.instrument.code, line.year) for line in corrects.funding_lines.select_related("instrument")
               } if corrects is not None else set()
    try:
        approved = _clean_lines(agreement=proposal.project.agreement, lines=approved_lines, new_money=True,
                                on=decided_on, already_granted=already)
    except ValidationError as exc:
        raise ValidationError({"approved_lines": exc.error_list}, code="invalid_lines") from exc
    recused = _clean_recusals(recusals, meeting.group_id)
    if method == DecisionMethod.VOTE and votes_abstain is None and votes_for is not None:
        votes_abstain = 0
    _validate_decision_input(meeting=meeting, outcome=outcome, method=method, votes_for=votes_for,
                             votes_against=votes_against, votes_abstain=votes_abstain, approved=approved,
                             conditions=conditions, recused_ids={pk for pk, _r in recused}, user=user,
                             rationale=rationale)
    if outcome in APPROVING_OUTCOMES:
        _check_grant_against_request(proposal, approved)
        _check_frames_exist(proposal.project.agreement, approved)
    decision = Decision(proposal=proposal, meeting=meeting, outcome=outcome, method=method, votes_for=votes_for,
                        votes_against=votes_against, votes_abstain=votes_abstain, conditions=conditions,
                        rationale=rationale, corrects=corrects, recorded_by=user, decided_at=now,
                        decided_on=decided_on)
    decision.full_clean()
    decision.save()
    DecisionFundingLine.objects.bulk_create([
        DecisionFundingLine(decision=decision, instrument=line["instrument"], year=line["year"],
                            amount=line["amount"]) for line in approved if line["amount"]])
    Recusal.objects.bulk_create([Recusal(decision=decision, user_id=pk, reason=reason) for pk, reason in recused])
    _apply_decision(decision, approved, corrects)
    if meeting.status == MeetingStatus.AGENDA_PUBLISHED:
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["status"])
    _on_commit("decision_recorded_notify_task", decision.pk)
    return decision


def decision_record(*, proposal: Proposal, meeting: Meeting, outcome: str, user: User,
                    method: str = DecisionMethod.CONSENSUS, votes_for: int | None = None,
                    votes_against: int | None = None, votes_abstain: int | None = None,
                    approved_lines: Iterable[Any] = (), conditions: str = "", rationale: str = "",
                    recusals: Iterable[Any] = ()) -> Decision:
    """Record the steering group's decision on a proposal on the meeting's agenda. An approval moves the
    project to "approved" and sets its granted funding; all of it commits together or not at all.
    ``approved_lines``: [{instrument (code), year, amount}]; ``recusals``: users or (user, reason)."""
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        proposal = _lock_proposal(proposal)
        _deny(permissions.can_record_decision(user, meeting))
        _require_meeting_status(meeting, DECIDING_MEETING_STATUSES, _("record a decision"))
        if proposal.meeting_id != meeting.pk:
            if proposal.status == ProposalStatus.DECIDED:
                raise TransitionError(_("This proposal has already been decided; a change is a correcting "
                                        "decision."), code="proposal_decided")
            raise TransitionError(_("The proposal is not on this meeting's agenda."), code="not_on_agenda")
        _require_proposal_status(proposal, [ProposalStatus.ON_AGENDA], _("record a decision"))
        decision = _create_decision(proposal=proposal, meeting=meeting, outcome=outcome, method=method,
                                    votes_for=votes_for, votes_against=votes_against, votes_abstain=votes_abstain,
                                    approved_lines=approved_lines, conditions=conditions, rationale=rationale,
                                    recusals=recusals, user=user, corrects=None)
        if outcome == DecisionOutcome.RETURNED:
            _transition(proposal, ProposalStatus.DECIDED, user=user, meeting=meeting,
                        note=str(DecisionOutcome(outcome).label))
            _transition(proposal, ProposalStatus.DRAFT, user=user, meeting=meeting,
                        note=_("Returned for preparation"))
            proposal.meeting = None
            proposal.submitted_at = None
            proposal.save(update_fields=["status", "meeting", "submitted_at", "updated_at"])
        else:
            _transition(proposal, ProposalStatus.DECIDED, user=user, meeting=meeting,
                        note=str(DecisionOutcome(outcome).label))
            proposal.save(update_fields=["status", "updated_at"])
    return decision


def decision_correct(*, decision: Decision, meeting: Meeting, outcome: str, rationale: str, user: User,
                     method: str = DecisionMethod.CONSENSUS, votes_for: int | None = None,
                     votes_against: int | None = None, votes_abstain: int | None = None,
                     approved_lines: Iterable[Any] = (), conditions: str = "",
                     recusals: Iterable[Any] = ()) -> Decision:
    """A new decision, taken at a meeting of the same group, that corrects an earlier one. The earlier
    decision is left as it was (the permanent record); its project effects are replaced by the new ones."""
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        original = (Decision.objects.select_for_update(of=("self",)).select_related("proposal", "meeting")
                    .get(pk=decision.pk))
        proposal = _lock_proposal(original.proposal)
        _deny(permissions.can_correct_decision(user, original, meeting))
        _require_meeting_status(meeting, DECIDING_MEETING_STATUSES, _("record a correcting decision"))
        if Decision.objects.filter(corrects=original).exists():
            raise TransitionError(_("This decision has already been corrected; correct the latest correction "
                                    "instead."), code="already_corrected")
        if not rationale.strip():
            raise ValidationError({"rationale": _("Say why the decision is corrected.")})
        if original.outcome == DecisionOutcome.RETURNED and proposal.status != ProposalStatus.DRAFT:
            raise TransitionError(_("The returned proposal has moved on; decide it again instead of correcting."),
                                  code="returned_moved_on")
        corrected = _create_decision(proposal=proposal, meeting=meeting, outcome=outcome, method=method,
                                     votes_for=votes_for, votes_against=votes_against,
                                     votes_abstain=votes_abstain, approved_lines=approved_lines,
                                     conditions=conditions, rationale=rationale, recusals=recusals, user=user,
                                     corrects=original)
        target = ProposalStatus.DRAFT if outcome == DecisionOutcome.RETURNED else ProposalStatus.DECIDED
        note = _("Corrected by a new decision")
        if proposal.status != target:
            if target == ProposalStatus.DECIDED:
                proposal.meeting = meeting
            else:
                proposal.meeting = None
            _transition(proposal, target, user=user, meeting=meeting, note=note)
            proposal.save(update_fields=["status", "meeting", "updated_at"])
        else:
            ProposalTransition.objects.create(proposal=proposal, from_status=proposal.status, to_status=target,
                                              meeting=meeting, by=user, at=_now(), note=note)
    return corrected

"""Shared steps of the governance services: the workflow error, locks, status checks, the notification
outbox hand-off, and the funding lines of proposals and decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from funding.models import FundingInstrument
from portfolio.choices import ProjectStatus
from portfolio.models import Project

from ..choices import (
    IDEA_STAGE_OF_STATUS,
    OPEN_IDEA_STAGES,
    IdeaStage,
    MeetingStatus,
    ProposalStatus,
)
from ..models import (
    Meeting,
    ProjectIdea,
    Proposal,
    ProposalFundingLine,
    ProposalTransition,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from portfolio.models import Agreement


CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # the DecimalField's 14 digits


class TransitionError(ValidationError):
    """An illegal step of the proposal or meeting workflow."""

    def __init__(self, message: Any, code: str = "illegal_transition", params: Any = None) -> None:
        super().__init__(message, code=code, params=params)


class LineError(ValidationError):
    """A problem of one funding line. ``message`` names the line for a list or the API ("Line 2: …");
    ``detail`` is the problem alone, for a form that shows it next to the line's instrument × year cell,
    which ``instrument_code`` and ``year`` name (None when the line has no known instrument or year)."""

    def __init__(self, message: str, *, detail: str, instrument_code: str | None = None, year: int | None = None,
                 code: str = "invalid_line") -> None:
        super().__init__(message, code=code)
        self.detail = detail
        self.instrument_code = instrument_code
        self.year = year


def _line_error(n: int, detail: str, *, instrument_code: str | None = None, year: int | None = None) -> LineError:
    return LineError(_("Line %(n)s: %(error)s") % {"n": n, "error": detail}, detail=detail,
                     instrument_code=instrument_code, year=year)


def _deny(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You do not have permission to do this."))


def _now() -> dt.datetime:
    return timezone.now()


def _transition(proposal: Proposal, to_status: str, *, user: User | None, meeting: Meeting | None = None,
                note: str = "", from_status: str | None = None) -> None:
    ProposalTransition.objects.create(
        proposal=proposal, from_status=proposal.status if from_status is None else from_status,
        to_status=to_status, meeting=meeting, by=user, at=_now(), note=note[:255],
    )
    proposal.status = to_status


def _lock_proposal(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update(of=("self",)).select_related("project", "meeting").get(pk=proposal.pk)


def _lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).select_related("group").get(pk=meeting.pk)


def _status_label(status: str) -> str:
    return str(ProposalStatus(status).label)


def _meeting_status_label(status: str) -> str:
    return str(MeetingStatus(status).label)


def _require_proposal_status(proposal: Proposal, allowed: Iterable[str], action: str) -> None:
    allowed = tuple(allowed)
    if proposal.status not in allowed:
        raise TransitionError(
            _("Cannot %(action)s: the proposal is “%(status)s”; this is possible only when it is %(allowed)s.")
            % {"action": action, "status": _status_label(proposal.status),
               "allowed": _(" or ").join(f"“{_status_label(s)}”" for s in allowed)},
            code=f"proposal_{proposal.status}",
        )


def _require_meeting_status(meeting: Meeting, allowed: Iterable[str], action: str) -> None:
    allowed = tuple(allowed)
    if meeting.status not in allowed:
        if meeting.status == MeetingStatus.MINUTES_CONFIRMED:
            raise TransitionError(
                _("Cannot %(action)s: the minutes of this meeting are confirmed and it is a permanent record.")
                % {"action": action}, code="meeting_confirmed")
        raise TransitionError(
            _("Cannot %(action)s: the meeting is “%(status)s”; this is possible only when it is %(allowed)s.")
            % {"action": action, "status": _meeting_status_label(meeting.status),
               "allowed": _(" or ").join(f"“{_meeting_status_label(s)}”" for s in allowed)},
            code=f"meeting_{meeting.status}",
        )


def _on_commit(task_name: str, object_id: int) -> None:
    """Write the notification into the outbox inside the surrounding transaction (committed with the change
    or not at all) and hand it to the broker once committed (never before). A broker that refuses it then
    does not undo or fail the saved change: the recovery sweep sends it later."""
    from ..notifications import outbox_add, outbox_send

    entry_id = outbox_add(task_name=task_name, object_id=object_id)
    transaction.on_commit(lambda: outbox_send(entry_id=entry_id))


def _set_project_status(project: Project, status: str, *, only_from: Iterable[str], user: User | None) -> None:
    """The project's status follows the governance workflow. Saved like portfolio's own status service
    (project_status_advance): locked, version bumped (ETags and edit forms see the change), with history."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.status not in list(only_from):
        return
    locked.status = status
    locked.version += 1
    locked._history_user = user  # type: ignore[attr-defined]  # read by simple_history
    locked._change_reason = "governance"  # type: ignore[attr-defined]  # read by simple_history
    locked.save(update_fields=["status", "version", "updated_at"])
    project.status, project.version = locked.status, locked.version
    _idea_follow(locked, user=user)


def _idea_follow(project: Project, *, user: User | None) -> None:
    """The idea's record follows its project's status (one path: idea → proposal → project): a project in
    status "idea" always has a record in an open stage, any other status has its stage
    (IDEA_STAGE_OF_STATUS). A project that never was an idea (no record) gets none later."""
    idea = ProjectIdea.objects.select_for_update().filter(project=project).first()
    if project.status == ProjectStatus.IDEA:
        if idea is None:
            ProjectIdea.objects.create(project=project, created_by=user)
        elif idea.stage not in OPEN_IDEA_STAGES:
            idea.stage = IdeaStage.IDEA
            idea.save(update_fields=["stage", "updated_at"])
        return
    stage = IDEA_STAGE_OF_STATUS.get(project.status)
    if idea is not None and stage is not None and idea.stage != stage:
        idea.stage = stage
        idea.save(update_fields=["stage", "updated_at"])


# --- funding lines ---------------------------------------------------------------------------------------

def _instrument(value: Any) -> FundingInstrument:
    if isinstance(value, FundingInstrument):
        return value
    code = str(getattr(value, "code", value) or "").strip().upper()
    try:
        return FundingInstrument.objects.get(code=code)
    except FundingInstrument.DoesNotExist as exc:
        raise ValidationError(_("Unknown funding instrument “%(code)s”.") % {"code": code},
                              code="unknown_instrument") from exc


def _instrument_unavailable(instrument: FundingInstrument, year: int, on: dt.date) -> str | None:
    """Why new money of the instrument cannot be requested or decided on the day for the year, or None.
    The day is what counts (the submission date of a proposal, the meeting's date of a decision): AKKE
    ended on 31.1.2025 and RRF on 31.8.2026 whatever year a line names."""
    from funding.services import instrument_available_on

    params = {"code": instrument.code, "year": year,
              "until": formats.date_format(instrument.available_until, "SHORT_DATE_FORMAT")
              if instrument.available_until else "",
              "from": formats.date_format(instrument.available_from, "SHORT_DATE_FORMAT")
              if instrument.available_from else ""}
    if not instrument_available_on(instrument, on):
        if instrument.available_until and on > instrument.available_until:
            return _("%(code)s ended on %(until)s; it is no longer available for new funding.") % params
        return _("%(code)s is available only from %(from)s.") % params
    if instrument.available_from and year < instrument.available_from.year:
        return _("%(code)s is not available for %(year)s.") % params
    if instrument.available_until and year > instrument.available_until.year:
        return _("%(code)s ends on %(until)s; it is not available for %(year)s.") % params
    return None


def _clean_lines(*, agreement: Agreement, lines: Iterable[Any], new_money: bool, on: dt.date | None = None,
                 already_granted: Iterable[tuple[str, int]] = ()) -> list[dict[str, Any]]:
    """Funding lines as [{instrument, year, amount}], validated; raises one ValidationError listing all
    problems. ``new_money``: refuse instruments not available on the day ``on`` (default today) or in the
    line's year. ``already_granted``: (code, year) pairs a corrected decision granted, which its
    correction may keep even after the instrument ended."""
    day = on or timezone.localdate()
    kept = set(already_granted)
    errors: list[LineError] = []
    clean: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()
    years = agreement.years
    for n, line in enumerate(lines, start=1):
        get = line.get if isinstance(line, Mapping) else lambda k, _line=line: getattr(_line, k, None)
        try:
            instrument = _instrument(get("instrument") or get("instrument_code"))
        except ValidationError as exc:
            errors.append(_line_error(n, exc.messages[0]))
            continue
        try:
            year = int(get("year"))  # type: ignore[arg-type]  # a missing year: TypeError, caught below
        except (TypeError, ValueError):
            errors.append(_line_error(n, _("Enter a year and an amount in euros."), instrument_code=instrument.code))
            continue

        def fail(detail: str, _n: int = n, _code: str = instrument.code, _year: int = year) -> None:
            errors.append(_line_error(_n, detail, instrument_code=_code, year=_year))

        raw = get("amount")
        try:
            amount = Decimal(str(raw).strip()) if raw not in (None, "") and not isinstance(raw, bool) else None
        except (TypeError, ValueError, InvalidOperation):
            fail(_("Enter a year and an amount in euros."))
            continue
        if amount is None or not amount.is_finite():
            fail(_("Enter an amount in euros."))
            continue
        if amount < 0:
            fail(_("An amount cannot be negative."))
        elif amount > MAX_AMOUNT:  # before quantize, which fails on huge exponents ("1e400")
            fail(_("The amount is too large."))
        elif amount != amount.quantize(CENT):
            fail(_("An amount has at most two decimals (cents)."))
        else:
            amount = amount.quantize(CENT)
        if year not in years:
            fail(_("%(year)s is outside the agreement's years %(first)s–%(last)s.")
                 % {"year": year, "first": years.start, "last": years.stop - 1})
        elif new_money and (instrument.code, year) not in kept and (
                unavailable := _instrument_unavailable(instrument, year, day)):
            fail(unavailable)
        if (instrument.code, year) in seen:
            fail(_("%(code)s %(year)s appears twice.") % {"code": instrument.code, "year": year})
        seen.add((instrument.code, year))
        clean.append({"instrument": instrument, "year": year, "amount": amount})
    if errors:
        raise ValidationError(errors, code="invalid_lines")
    return clean


def _replace_proposal_lines(proposal: Proposal, lines: list[dict[str, Any]]) -> None:
    proposal.funding_lines.all().delete()
    ProposalFundingLine.objects.bulk_create([
        ProposalFundingLine(proposal=proposal, instrument=line["instrument"], year=line["year"],
                            amount=line["amount"])
        for line in lines if line["amount"]
    ])

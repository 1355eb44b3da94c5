"""Granted and spent money, only from recorded sources: funding decisions and spending entries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.models import Agreement, Project
from portfolio.money import parse_amount

from ..models import (
    ZERO,
    FundingDecision,
    FundingDecisionLine,
    FundingInstrument,
    FundingLine,
    SpendingEntry,
)
from .frames import frame_check_commit
from .loading import instrument_and_year
from .plans import _check_net_not_negative

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# --- granted and spent money: only from recorded sources -------------------------------------------------

def granted_set_from_decision(*, project: Project, amounts: dict[tuple[str, int], Decimal], source: str,
                              user: User | None,
                              planned_if_new: dict[tuple[str, int], Decimal] | None = None,
                              funding_decision: FundingDecision | None = None) -> list[FundingLine]:
    """Set the granted amounts of a project's regular lines from a recorded decision: the steering group's
    (governance calls this when a decision is recorded or corrected) or the funding authority's
    (``funding_decision``). ``amounts`` maps (instrument code, year) to euros; other lines are left as they
    are. ``source`` says which decision it was; it is kept on each line (``granted_source``) and in its
    history (the change reason). A missing line is created with ``planned_if_new`` (else the amount) as its
    plan. This is the only way granted amounts change (besides corrections, which have their reason)."""

    if not source.strip():
        raise ValueError("a granted amount needs its source")
    instruments = {i.code: i for i in FundingInstrument.objects.all()}
    clean: dict[tuple[str, int], Decimal] = {}
    for (code, year), raw in amounts.items():
        if code not in instruments:
            raise ValidationError(_("Unknown funding instrument."), code="unknown_instrument")
        clean[(code, int(year))] = parse_amount(raw)
    changed: list[FundingLine] = []
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        existing = {(line.instrument.code, line.year): line for line in
                    FundingLine.objects.regular().filter(project=project).select_related("instrument")}
        for key, amount in sorted(clean.items()):
            line = existing.get(key)
            if line is None:
                if not amount:
                    continue
                planned = (planned_if_new or {}).get(key, amount)
                line = FundingLine(project=project, instrument=instruments[key[0]], year=key[1],
                                   planned_amount=planned)
            elif line.granted_amount == amount and line.granted_decision_id == getattr(funding_decision, "pk", None):
                continue
            line.granted_amount = amount
            line.granted_decision = funding_decision
            line.granted_source = source.strip()[:200]
            line._history_user = user  # type: ignore[attr-defined]  # read by simple_history
            line._change_reason = source.strip()[:100]  # type: ignore[attr-defined]  # read by simple_history
            line.full_clean()
            line.save()
            changed.append(line)
        _check_net_not_negative(project)
    return changed


def _clean_money_lines(*, agreement: Agreement, lines: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """(instrument, year, amount) lines of a funding decision: known instrument, a year of the agreement,
    an amount from the money parser, no instrument and year twice. Returns the clean lines and messages."""
    instruments = {i.code: i for i in FundingInstrument.objects.all()}
    errors: list[str] = []
    clean: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()
    for n, raw in enumerate(lines, start=1):
        given = raw.get("instrument") or raw.get("instrument_code") or ""
        code = (given.code if isinstance(given, FundingInstrument) else str(given)).strip().upper()
        try:
            year = int(str(raw.get("year", "")).strip())
        except ValueError:
            year = 0
        try:
            amount = parse_amount(raw.get("amount"))
        except ValidationError as exc:
            errors.append(_("Line %(line)s: %(message)s") % {"line": n, "message": exc.messages[0]})
            continue
        if code not in instruments:
            errors.append(_("Line %(line)s: unknown funding instrument “%(code)s”.") % {"line": n, "code": code})
        elif year not in agreement.years:
            errors.append(_("Line %(line)s: the year %(year)s is outside the agreement (%(first)s–%(last)s).") % {
                "line": n, "year": year, "first": agreement.years.start, "last": agreement.years.stop - 1})
        elif (code, year) in seen:
            errors.append(_("Line %(line)s: %(code)s %(year)s appears twice.") % {"line": n, "code": code,
                                                                                  "year": year})
        else:
            seen.add((code, year))
            clean.append({"instrument": instruments[code], "year": year, "amount": amount})
    return clean, errors


def funding_decision_record(*, project: Project, decided_on: date, reference: str, lines: list[dict[str, Any]],
                            user: User | None, eura_code: str = "", authority: str = "", note: str = "",
                            kind: str = FundingDecision.Kind.DECISION) -> FundingDecision:
    """Record the funding authority's decision on a project (date, reference, EURA code, granted euros per
    instrument and year) and set the project's granted amounts of those lines from it, all or nothing.
    Only a project the steering group has selected (approved, running or closed) gets a funding decision;
    the decision date cannot be in the future; a reference is recorded once per project."""
    from portfolio.choices import ProjectStatus

    from ..permissions import can_record_funding_decision

    if user is not None and not can_record_funding_decision(user, project):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    reference = (reference or "").strip()
    if not reference:
        errors["reference"] = [_("Give the decision's reference (diary number).")]
    elif FundingDecision.objects.filter(project=project, reference=reference).exists():
        errors["reference"] = [_("This decision is recorded already.")]
    if not isinstance(decided_on, date):
        errors["decided_on"] = [_("Enter the decision date.")]
    elif decided_on > timezone.localdate():
        errors["decided_on"] = [_("The decision date cannot be in the future.")]
    if kind not in FundingDecision.Kind.values:
        errors["kind"] = [_("Choose the kind of decision.")]
    elif kind != FundingDecision.Kind.MIGRATED and project.status not in (
            ProjectStatus.APPROVED, ProjectStatus.RUNNING, ProjectStatus.CLOSED):
        errors["project"] = [_("Only a project selected by the steering group (approved, running or closed) "
                               "gets a funding decision.")]
    clean, line_errors = _clean_money_lines(agreement=project.agreement, lines=list(lines))
    if line_errors:
        errors["lines"] = line_errors
    elif not clean:
        errors["lines"] = [_("A funding decision states the granted amounts by instrument and year.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        if kind != FundingDecision.Kind.MIGRATED:
            _check_granted_raise_within_frames(project=project, lines=clean)
        decision = FundingDecision(project=project, kind=kind, decided_on=decided_on, reference=reference,
                                   eura_code=(eura_code or project.eura_code or "").strip(),
                                   authority=(authority or "").strip(), note=(note or "").strip(),
                                   recorded_by=user)
        decision._history_user = user  # type: ignore[attr-defined]  # read by simple_history
        decision.full_clean()
        decision.save()
        FundingDecisionLine.objects.bulk_create([
            FundingDecisionLine(decision=decision, instrument=line["instrument"], year=line["year"],
                                amount=line["amount"]) for line in clean])
        granted_set_from_decision(
            project=project, amounts={(line["instrument"].code, line["year"]): line["amount"] for line in clean},
            source=decision.source_label, user=user, planned_if_new={}, funding_decision=decision)
    return decision


def _check_granted_raise_within_frames(*, project: Project, lines: list[dict[str, Any]]) -> None:
    """A funding decision that raises a granted amount of EU or state money commits it against the frame:
    refused when the year has no frame yet, or when the committed money would exceed the frame (the same rule
    as the steering group's decision). Lowering a granted amount is always allowed."""
    from ..selectors import frame_exists, needs_frame

    current = {(code, year): amount for code, year, amount in FundingLine.objects.regular().filter(project=project)
               .values_list("instrument__code", "year", "granted_amount")}
    corrected = {(code, year): total or ZERO for code, year, total in FundingLine.objects.corrections()
                 .filter(project=project).order_by().values("instrument__code", "year")
                 .annotate(total=Sum("granted_amount")).values_list("instrument__code", "year", "total")}
    raised = [line for line in lines if needs_frame(line["instrument"].code)
              and line["amount"] > current.get((line["instrument"].code, line["year"]), ZERO)]
    if not raised:
        return
    missing = [_("%(code)s %(year)s has no funding frame yet (no regional allocation decision): the funding can be "
                 "granted once the frame for that year is recorded.") % {"code": line["instrument"].code,
                                                                         "year": line["year"]}
               for line in raised if not frame_exists(agreement=project.agreement_id,
                                                      instrument=line["instrument"], year=line["year"])]
    if missing:
        raise ValidationError({"lines": missing}, code="no_frame")
    try:
        frame_check_commit(agreement=project.agreement, exclude_project=project, lines=[
            {"instrument": line["instrument"].code, "year": line["year"],
             "amount": line["amount"] + corrected.get((line["instrument"].code, line["year"]), ZERO)}
            for line in raised])
    except ValidationError as exc:
        raise ValidationError({"lines": exc.messages}, code="frame_overrun") from exc


def spending_entry_record(*, project: Project, instrument_code: str, year: int | str, entry_date: date, source: str,
                          reference: str, amount: object, user: User | None) -> SpendingEntry:
    """Record a dated spending figure with its source; the project's spent amount of that instrument and
    year becomes the sum of its entries (the line's history says which entry changed it). Only a
    correction may be negative, and the sum cannot go below zero."""
    from portfolio.permissions import can_change_project

    if user is not None and not can_change_project(user, project):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    instrument, year = instrument_and_year(project=project, instrument_code=instrument_code, year=year,
                                           errors=errors)
    if source not in SpendingEntry.Source.values:
        errors["source"] = [_("Choose the source of the figure.")]
    if not (reference or "").strip():
        errors["reference"] = [_("Give the reference of the source, e.g. the payment claim's number.")]
    if not isinstance(entry_date, date):
        errors["date"] = [_("Enter the date of the figure.")]
    elif entry_date > timezone.localdate():
        errors["date"] = [_("The date cannot be in the future.")]
    try:
        value = parse_amount(amount, allow_negative=source == SpendingEntry.Source.CORRECTION)
    except ValidationError as exc:
        errors["amount"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        entry = SpendingEntry(project=project, instrument=instrument, year=year, date=entry_date, source=source,
                              reference=reference.strip(), amount=value, recorded_by=user)
        entry._history_user = user  # type: ignore[attr-defined]  # read by simple_history
        entry.full_clean()
        entry.save()
        total = SpendingEntry.objects.filter(project=project, instrument=instrument, year=year).aggregate(
            total=Sum("amount"))["total"] or ZERO
        if total < 0:
            raise ValidationError({"amount": [_("The spent amount cannot go below zero.")]})
        line = FundingLine.objects.regular().filter(project=project, instrument=instrument, year=year).first()
        if line is None:
            line = FundingLine(project=project, instrument=instrument, year=year)
        line.spent_amount = total
        line.spent_source = entry.source_label
        line._history_user = user  # type: ignore[attr-defined]  # read by simple_history
        line._change_reason = entry.source_label  # type: ignore[attr-defined]  # read by simple_history
        line.full_clean()
        line.save()
    return entry

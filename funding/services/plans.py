"""A project's financing plan: validating and replacing its lines, planned-money corrections."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portfolio.models import Agreement, Project
from portfolio.money import parse_amount

from ..choices import FundingLineKind
from ..models import (
    ZERO,
    FundingInstrument,
    FundingLine,
)
from .loading import _euros, instrument_and_year

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

# --- funding plans ---------------------------------------------------------------------------------------

AMOUNT_FIELDS = ("planned_amount", "granted_amount", "spent_amount")
LINE_AMOUNT_MESSAGES = {
    "not_numeric": gettext_lazy("Line %(line)s: “%(value)s” is not an amount in euros."),
    "negative": gettext_lazy("Line %(line)s: an amount cannot be negative."),
    "too_large": gettext_lazy("Line %(line)s: the amount is too large."),
    "too_many_decimals": gettext_lazy("Line %(line)s: an amount has at most two decimals (cents)."),
}


def funding_lines_validate(*, agreement: Agreement, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check and normalise funding-line input; raise one ValidationError listing every bad line.

    Each error's ``params`` carries ``index`` (0-based position in ``lines``) and ``field`` so a form can
    put it next to its cell."""
    instruments = {i.code: i for i in FundingInstrument.objects.all()}
    years = agreement.years
    errors: list[ValidationError] = []
    clean: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()

    def fail(index: int, field: str, message: StrOrPromise, error_code: str, **extra: Any) -> None:
        errors.append(ValidationError(
            message, code=error_code,
            params={"line": index + 1, "index": index, "field": field, **extra},
        ))

    for index, raw in enumerate(lines):
        if not isinstance(raw, dict):
            fail(index, "", _("Line %(line)s: not a funding line."), "invalid")
            continue
        given = raw.get("instrument") or raw.get("instrument_code") or ""
        code = (given.code if isinstance(given, FundingInstrument) else str(given)).strip().upper()
        instrument = instruments.get(code)
        ok = True
        if instrument is None:
            fail(index, "instrument", _("Line %(line)s: unknown funding instrument “%(code)s”."),
                 "unknown_instrument", code=code)
            ok = False
        try:
            year = int(str(raw.get("year", "")).strip())
        except ValueError:
            fail(index, "year", _("Line %(line)s: the year must be a whole number."), "invalid_year")
            year = None
            ok = False
        if year is not None and year not in years:
            fail(index, "year", _("Line %(line)s: the year %(year)s is outside the agreement (%(first)s–%(last)s)."),
                 "year_outside_agreement", year=year, first=years.start, last=years.stop - 1)
            ok = False
        elif instrument is not None and year is not None and not instrument_available_in_year(instrument, year):
            fail(index, "year", _("Line %(line)s: %(code)s is not available for %(year)s."), "instrument_unavailable",
                 code=instrument.code, year=year)
            ok = False
        amounts: dict[str, Decimal] = {}
        for field in AMOUNT_FIELDS:
            if field not in raw or raw.get(field) is None:
                continue  # not given: granted and spent keep their recorded values
            try:
                amounts[field] = parse_amount(raw.get(field))
            except ValidationError as exc:
                fail(index, field, LINE_AMOUNT_MESSAGES[exc.code or "not_numeric"], exc.code or "not_numeric",
                     value=str(raw.get(field))[:40])
                ok = False
        if ok and (code, year) in seen:
            fail(index, "instrument", _("Line %(line)s: %(code)s %(year)s appears twice."), "duplicate",
                 code=code, year=year)
            ok = False
        if ok and year is not None:  # ok: the year parsed (a bad year clears ok above)
            seen.add((code, year))
            clean.append({"instrument": instrument, "year": year, "index": index, **amounts})
    if errors:
        raise ValidationError(errors)
    return clean


def instrument_available_in_year(instrument: FundingInstrument, year: int) -> bool:
    """Whether a line of a year may use the instrument (AKKE has no years after its end in 2025)."""
    if instrument.available_from and year < instrument.available_from.year:
        return False
    return not (instrument.available_until and year > instrument.available_until.year)


def funding_lines_replace(*, project: Project, lines: list[dict[str, Any]], user: User | None,
                          expected_fingerprint: str | None = None) -> list[FundingLine]:
    """Replace a project's whole financing plan with ``lines`` atomically: validate every line first
    (nothing is written when one is bad), then update, create and delete rows so that the history records
    only real changes. Only planned amounts are the plan's: a granted or spent amount that differs from the
    recorded one is refused (code ``recorded_amount``, next to its cell); one left out keeps its value. A
    line left out, or planned at zero, is removed unless it has granted or spent money. ``expected_fingerprint`` (from
    ``selectors.lines_fingerprint`` when the form was rendered) rejects the save if someone else changed
    the plan in between."""
    from portfolio.permissions import can_change_project
    from portfolio.services import partner_shares_over_plan

    from ..selectors import lines_fingerprint

    if user is not None and not can_change_project(user, project):
        raise PermissionDenied
    clean = funding_lines_validate(agreement=project.agreement, lines=lines)
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        if expected_fingerprint is not None and expected_fingerprint != lines_fingerprint(project=project):
            raise ValidationError(
                _("Someone else changed this financing plan while you were editing it. Reload the page and "
                  "enter your changes again."), code="conflict")
        existing = {(line.instrument.code, line.year): line
                    for line in FundingLine.objects.regular().filter(project=project).select_related("instrument")}
        _refuse_recorded_amount_changes(clean, existing)
        kept: list[FundingLine] = []
        wanted = set()
        for item in clean:
            key = (item["instrument"].code, item["year"])
            line = existing.get(key) or FundingLine(project=project, instrument=item["instrument"], year=item["year"])
            planned = item.get("planned_amount", ZERO)
            if not (planned or line.granted_amount or line.spent_amount):
                continue
            wanted.add(key)
            if line.pk is None or line.planned_amount != planned:
                line.planned_amount = planned
                line._history_user = user  # type: ignore[attr-defined]  # read by simple_history
                line._change_reason = _("Financing plan")  # type: ignore[attr-defined]  # read by simple_history
                line.full_clean()
                line.save()
            kept.append(line)
        for key, line in existing.items():
            if key in wanted:
                continue
            line._history_user = user  # type: ignore[attr-defined]  # read by simple_history
            if line.granted_amount or line.spent_amount:  # recorded money stays; only the plan goes
                if line.planned_amount:
                    line.planned_amount = ZERO
                    line._change_reason = _("Financing plan")  # type: ignore[attr-defined]  # read by simple_history
                    line.save()
                kept.append(line)
            else:
                line.delete()
        _check_net_not_negative(project)
        over = partner_shares_over_plan(project)
        if over is not None:
            raise ValidationError(
                _("The plan's total %(total)s would be less than the co-implementers' budget shares %(shares)s. "
                  "Lower their shares on the project form first."), code="below_partner_shares",
                params={"total": _euros(over[1]), "shares": _euros(over[0])})
    return kept


RECORDED_AMOUNT_MESSAGES = {
    "granted_amount": gettext_lazy("Line %(line)s: the granted amount cannot be changed in the financing plan. It "
                            "changes only through a recorded decision: the steering group's decision or the "
                            "funding authority's decision."),
    "spent_amount": gettext_lazy("Line %(line)s: the spent amount cannot be changed in the financing plan. It comes "
                          "from dated spending entries (payment claims, progress reports, EURA figures)."),
}


def _refuse_recorded_amount_changes(clean: list[dict[str, Any]], existing: dict[tuple[str, int], FundingLine]
                                    ) -> None:
    """A plan may repeat the recorded granted and spent amounts, never change them: a coordinator plans;
    a coordinator never grants."""
    errors = []
    for item in clean:
        line = existing.get((item["instrument"].code, item["year"]))
        for field in ("granted_amount", "spent_amount"):
            if field in item and item[field] != (getattr(line, field) if line else ZERO):
                errors.append(ValidationError(RECORDED_AMOUNT_MESSAGES[field], code="recorded_amount",
                                              params={"line": item["index"] + 1, "index": item["index"],
                                                      "field": field}))
    if errors:
        raise ValidationError(errors)


def _check_net_not_negative(project: Project) -> None:
    """Regular lines plus corrections may not go below zero for any instrument and year."""
    from django.db.models import Q

    negative = (FundingLine.objects.filter(project=project).order_by().values("instrument__code", "year")
                .annotate(p=Sum("planned_amount"), g=Sum("granted_amount"), s=Sum("spent_amount"))
                .filter(Q(p__lt=0) | Q(g__lt=0) | Q(s__lt=0)))
    errors = [ValidationError(
        _("%(code)s %(year)s: the corrections would take the amount below zero."), code="negative_net",
        params={"code": row["instrument__code"], "year": row["year"]}) for row in negative]
    if errors:
        raise ValidationError(errors)


def funding_correction_set(*, project: Project, instrument_code: str, year: int | str, planned_amount: object = ZERO,
                           granted_amount: object = ZERO, spent_amount: object = ZERO, note: str,
                           user: User | None
                           ) -> FundingLine | None:
    """Set the correction of a project's planned amount of an instrument and year: it may be negative (e.g. a
    reduction agreed after an audit), but the net amount may not. Granted and spent amounts are refused here:
    they change only through their sources (an amending funding decision, a spending entry). A zero amount
    removes the correction. A reason is required; the history keeps every earlier correction."""
    from portfolio.permissions import can_change_project

    if user is not None and not can_change_project(user, project):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    instrument, year = instrument_and_year(project=project, instrument_code=instrument_code, year=year,
                                           errors=errors)
    amounts: dict[str, Decimal] = {}
    for field, raw in (("planned_amount", planned_amount), ("granted_amount", granted_amount),
                       ("spent_amount", spent_amount)):
        try:
            amounts[field] = parse_amount(raw, allow_negative=True)
        except ValidationError as exc:
            errors[field] = list(exc.messages)
    # Granted and spent money have their own sources: an amending funding decision changes what was granted, a
    # spending entry (a correction entry for a reduction) what was spent. A correction line corrects the plan.
    if amounts.get("granted_amount"):
        errors["granted_amount"] = [_("A granted amount changes only through a funding decision: record the "
                                      "funding authority's amending decision with its reference instead.")]
    if amounts.get("spent_amount"):
        errors["spent_amount"] = [_("A spent amount changes only through a dated spending entry with its source: "
                                    "record a correction entry instead.")]
    nonzero = any(amounts.values())
    if nonzero and not note.strip():
        errors["note"] = [_("Give the reason for the correction.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        line = FundingLine.objects.corrections().filter(project=project, instrument=instrument, year=year).first()
        if not nonzero:
            if line is not None:
                line._history_user = user  # type: ignore[attr-defined]  # read by simple_history
                line._change_reason = note.strip()[:100] or None  # type: ignore[attr-defined]  # read by simple_history
                line.delete()
            return None
        if line is None:
            line = FundingLine(project=project, instrument=instrument, year=year, kind=FundingLineKind.CORRECTION)
        for field, value in amounts.items():
            setattr(line, field, value)
        line.note = note.strip()
        line._history_user = user  # type: ignore[attr-defined]  # read by simple_history
        line.full_clean()
        line.save()
        _check_net_not_negative(project)
    return line



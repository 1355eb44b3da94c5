"""Every write of the funding app."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from portfolio.upsert import translated, upsert

from .choices import FundingLineKind
from .models import ZERO, FundingFrame, FundingInstrument, FundingLine

CENT = Decimal("0.01")


def funding_instruments_load(specs: list[tuple[Any, ...]]) -> list[str]:
    """Create or update the funding instruments from (code, names, share group, from, until, order)."""
    changed = []
    for code, names, share_group, available_from, available_until, order in specs:
        _, did = upsert(FundingInstrument, {"code": code}, {
            **translated("name", names), "share_group": share_group, "available_from": available_from,
            "available_until": available_until, "sort_order": order,
        })
        if did:
            changed.append(f"instrument {code}")
    return changed


def funding_line_upsert(*, project: Any, instrument_code: str, year: int, planned: Decimal,
                        granted: Decimal = ZERO, spent: Decimal = ZERO) -> bool:
    """Set one funding line of a project; returns whether anything changed."""
    instrument = FundingInstrument.objects.get(code=instrument_code)
    _, changed = upsert(FundingLine, {"project": project, "instrument": instrument, "year": year,
                                      "kind": FundingLineKind.LINE}, {
        "planned_amount": planned, "granted_amount": granted, "spent_amount": spent,
    })
    return changed


def instrument_available_on(instrument: FundingInstrument, day: date) -> bool:
    """Whether an instrument may be offered for new proposals on a day (AKKE ended in January 2025)."""
    if instrument.available_from and day < instrument.available_from:
        return False
    return not (instrument.available_until and day > instrument.available_until)


# --- funding plans ---------------------------------------------------------------------------------------

AMOUNT_FIELDS = ("planned_amount", "granted_amount", "spent_amount")
MAX_AMOUNT = Decimal("999999999999.99")


def _parse_amount(raw: Any) -> Decimal:
    """A euro amount from user input: numbers or strings such as '1 234,50'; raises ValueError."""
    if raw is None or raw == "":
        return ZERO
    if isinstance(raw, bool):
        raise ValueError("boolean")
    if isinstance(raw, float):
        raw = repr(raw)
    if isinstance(raw, str):
        raw = raw.strip().replace("\u00a0", "").replace(" ", "").replace("€", "").replace(",", ".")
    try:
        value = Decimal(raw)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValueError(str(raw)) from exc
    if not value.is_finite():
        raise ValueError(str(raw))
    return value


def funding_lines_validate(*, agreement: Any, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check and normalise funding-line input; raise one ValidationError listing every bad line.

    Each error's ``params`` carries ``index`` (0-based position in ``lines``) and ``field`` so a form can
    put it next to its cell."""
    instruments = {i.code: i for i in FundingInstrument.objects.all()}
    years = agreement.years
    errors: list[ValidationError] = []
    clean: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()

    def fail(index: int, field: str, message: str, error_code: str, **extra: Any) -> None:
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
            try:
                value = _parse_amount(raw.get(field))
            except ValueError:
                fail(index, field, _("Line %(line)s: “%(value)s” is not an amount in euros."), "not_numeric",
                     value=str(raw.get(field))[:40])
                ok = False
                continue
            if value < 0:
                fail(index, field, _("Line %(line)s: an amount cannot be negative."), "negative")
                ok = False
            elif value > MAX_AMOUNT:
                fail(index, field, _("Line %(line)s: the amount is too large."), "too_large")
                ok = False
            elif value != value.quantize(CENT):
                fail(index, field, _("Line %(line)s: an amount has at most two decimals (cents)."),
                     "too_many_decimals")
                ok = False
            else:
                amounts[field] = value.quantize(CENT)
        if ok and (code, year) in seen:
            fail(index, "instrument", _("Line %(line)s: %(code)s %(year)s appears twice."), "duplicate",
                 code=code, year=year)
            ok = False
        if ok:
            seen.add((code, year))  # type: ignore[arg-type]
            clean.append({"instrument": instrument, "year": year, **amounts})
    if errors:
        raise ValidationError(errors)
    return clean


def instrument_available_in_year(instrument: FundingInstrument, year: int) -> bool:
    """Whether a line of a year may use the instrument (AKKE has no years after its end in 2025)."""
    if instrument.available_from and year < instrument.available_from.year:
        return False
    return not (instrument.available_until and year > instrument.available_until.year)


def funding_lines_replace(*, project: Any, lines: list[dict[str, Any]], user: Any,
                          expected_fingerprint: str | None = None) -> list[FundingLine]:
    """Replace a project's whole financing plan with ``lines`` atomically: validate every line first
    (nothing is written when one is bad), then update, create and delete rows so that the history records
    only real changes. Lines whose three amounts are all zero are removed. ``expected_fingerprint`` (from
    ``selectors.lines_fingerprint`` when the form was rendered) rejects the save if someone else changed
    the plan in between."""
    from portfolio.models import Project
    from portfolio.permissions import can_change_project

    from .selectors import lines_fingerprint

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
        kept: list[FundingLine] = []
        wanted = set()
        for item in clean:
            key = (item["instrument"].code, item["year"])
            if not any(item[field] for field in AMOUNT_FIELDS):
                continue
            wanted.add(key)
            line = existing.get(key) or FundingLine(project=project, instrument=item["instrument"], year=item["year"])
            changed = line.pk is None or any(getattr(line, f) != item[f] for f in AMOUNT_FIELDS)
            if changed:
                for field in AMOUNT_FIELDS:
                    setattr(line, field, item[field])
                line._history_user = user  # type: ignore[attr-defined]
                line.full_clean()
                line.save()
            kept.append(line)
        for key, line in existing.items():
            if key not in wanted:
                line._history_user = user  # type: ignore[attr-defined]
                line.delete()
        _check_net_not_negative(project)
    return kept


def _check_net_not_negative(project: Any) -> None:
    """Regular lines plus corrections may not go below zero for any instrument and year."""
    from django.db.models import Q, Sum

    negative = (FundingLine.objects.filter(project=project).order_by().values("instrument__code", "year")
                .annotate(p=Sum("planned_amount"), g=Sum("granted_amount"), s=Sum("spent_amount"))
                .filter(Q(p__lt=0) | Q(g__lt=0) | Q(s__lt=0)))
    errors = [ValidationError(
        _("%(code)s %(year)s: the corrections would take the amount below zero."), code="negative_net",
        params={"code": row["instrument__code"], "year": row["year"]}) for row in negative]
    if errors:
        raise ValidationError(errors)


def funding_correction_set(*, project: Any, instrument_code: str, year: Any, planned_amount: Any = ZERO,
                           granted_amount: Any = ZERO, spent_amount: Any = ZERO, note: str, user: Any
                           ) -> FundingLine | None:
    """Set the correction of a project's instrument and year: amounts may be negative (e.g. money recovered
    after an audit), but the net amounts may not. All-zero amounts remove the correction. A reason is
    required; the history keeps every earlier correction."""
    from portfolio.models import Project
    from portfolio.permissions import can_change_project

    if user is not None and not can_change_project(user, project):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    instrument = FundingInstrument.objects.filter(code=str(instrument_code).strip().upper()).first()
    if instrument is None:
        errors["instrument"] = [_("Unknown funding instrument.")]
    try:
        year = int(str(year).strip())
    except ValueError:
        errors["year"] = [_("The year must be a whole number.")]
    else:
        if year not in project.agreement.years:
            errors["year"] = [_("The year is outside the agreement's validity.")]
    amounts: dict[str, Decimal] = {}
    for field, raw in (("planned_amount", planned_amount), ("granted_amount", granted_amount),
                       ("spent_amount", spent_amount)):
        try:
            value = _parse_amount(raw)
        except ValueError:
            errors[field] = [_("Enter an amount in euros.")]
            continue
        if abs(value) > MAX_AMOUNT or value != value.quantize(CENT):
            errors[field] = [_("Enter an amount in euros with at most two decimals.")]
            continue
        amounts[field] = value.quantize(CENT)
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
                line._history_user = user  # type: ignore[attr-defined]
                line._change_reason = note.strip()[:100] or None  # type: ignore[attr-defined]
                line.delete()
            return None
        if line is None:
            line = FundingLine(project=project, instrument=instrument, year=year, kind=FundingLineKind.CORRECTION)
        for field, value in amounts.items():
            setattr(line, field, value)
        line.note = note.strip()
        line._history_user = user  # type: ignore[attr-defined]
        line.full_clean()
        line.save()
        _check_net_not_negative(project)
    return line


# --- frames ----------------------------------------------------------------------------------------------

def funding_frame_warnings(*, agreement: Any, lines: list[Any], project: Any = None) -> list[str]:
    """Translated warnings for each instrument and year where committed plus pending money plus the
    planned amounts of ``lines`` would exceed the frame. With ``project``, that project's own current
    money is left out of the base (its new lines replace it)."""
    from .selectors import frame_use

    extra = []
    for line in lines:
        amount = line.get("planned_amount") if isinstance(line, dict) else getattr(line, "planned_amount", None)
        if amount is None:
            amount = line.get("amount") if isinstance(line, dict) else getattr(line, "amount", None)
        instrument = (line.get("instrument") or line.get("instrument_code")) if isinstance(line, dict) \
            else line.instrument
        try:
            extra.append({"instrument": instrument, "year": int(line["year"] if isinstance(line, dict) else line.year),
                          "amount": _parse_amount(amount)})
        except (ValueError, KeyError, TypeError):
            continue  # bad input is reported by validation, not here
    uses = frame_use(agreement=agreement, extra_pending=extra,
                     exclude_project_id=getattr(project, "pk", None))
    touched = {(_code_of(line["instrument"]), line["year"]) for line in extra}
    return [_overrun_message(use, projected=True) for use in uses
            if (use["code"], use["year"]) in touched and use["projected_overrun"]]


def frame_check_commit(*, agreement: Any, lines: list[Any], exclude_project: Any = None) -> None:
    """Raise ValidationError when committing ``lines`` (dicts with instrument, year, amount, or
    DecisionFundingLine/ProposalFundingLine objects) would take committed money over a frame.
    Governance calls this before approving a proposal."""
    from .selectors import frame_use

    extra = [{"instrument": (line.get("instrument") or line.get("instrument_code")) if isinstance(line, dict)
              else line.instrument,
              "year": int(line["year"] if isinstance(line, dict) else line.year),
              "amount": _parse_amount(line.get("amount") if isinstance(line, dict) else line.amount)}
             for line in lines]
    uses = frame_use(agreement=agreement, extra_committed=extra,
                     exclude_project_id=getattr(exclude_project, "pk", None))
    touched = {(_code_of(line["instrument"]), line["year"]) for line in extra}
    errors = [ValidationError(_overrun_message(use, projected=False), code="frame_overrun") for use in uses
              if (use["code"], use["year"]) in touched and use["committed_overrun"]]
    if errors:
        raise ValidationError(errors)


def _code_of(instrument: Any) -> str:
    return instrument.code if isinstance(instrument, FundingInstrument) else str(instrument).upper()


def _overrun_message(use: dict[str, Any], *, projected: bool) -> str:
    params = {"code": use["code"], "year": use["year"], "frame": _euros(use["frame"]),
              "amount": _euros(use["projected"] if projected else use["committed"]),
              "over": _euros((use["projected"] if projected else use["committed"]) - use["frame"])}
    if projected:
        return _("%(code)s %(year)s: committed and planned funding %(amount)s would exceed the frame "
                 "%(frame)s by %(over)s.") % params
    return _("%(code)s %(year)s: committed funding %(amount)s would exceed the frame %(frame)s by %(over)s.") % params


def _euros(value: Decimal) -> str:
    return f"{number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)} €"


def funding_frame_save(*, agreement: Any, instrument_code: str, year: int, amount: Decimal,
                       decision_reference: str, decision_date: date | None, user: Any,
                       reason: str = "") -> FundingFrame:
    """Create a frame or correct it from a later allocation decision; the history keeps earlier values."""
    from portfolio.permissions import can_edit_agreement_portfolio

    if user is not None and not can_edit_agreement_portfolio(user, agreement):
        raise PermissionDenied
    try:
        instrument = FundingInstrument.objects.get(code=instrument_code)
    except FundingInstrument.DoesNotExist as exc:
        raise ValidationError({"instrument": _("Unknown funding instrument.")}) from exc
    if year not in agreement.years:
        raise ValidationError({"year": _("The year is outside the agreement's validity.")})
    if amount is None or amount < 0:
        raise ValidationError({"amount": _("A frame cannot be negative.")})
    with transaction.atomic():
        frame = (FundingFrame.objects.select_for_update()
                 .filter(agreement=agreement, instrument=instrument, year=year).first())
        if frame is None:
            frame = FundingFrame(agreement=agreement, instrument=instrument, year=year)
        frame.amount = amount
        frame.decision_reference = decision_reference
        frame.decision_date = decision_date
        frame._history_user = user  # type: ignore[attr-defined]
        frame._change_reason = reason or None  # type: ignore[attr-defined]
        frame.full_clean()
        frame.save()
    return frame


def funding_change_warnings(*, project: Any, lines: list[dict[str, Any]]) -> list[str]:
    """Warnings for a project's new financing plan (validated lines): frames that committed plus planned
    money would exceed, and the priority-4 rule if the agreement's planned funding would break it."""
    from django.db.models import Sum

    from .selectors import countable_lines, priority4_rule_holds

    warnings = funding_frame_warnings(agreement=project.agreement, lines=lines, project=project)
    others = {row["project__priority__code"]: row["total"] or ZERO for row in
              countable_lines(agreement_id=project.agreement_id).exclude(project=project).order_by()
              .values("project__priority__code").annotate(total=Sum("planned_amount"))}
    current = FundingLine.objects.filter(project=project).aggregate(total=Sum("planned_amount"))["total"] or ZERO
    corrections = FundingLine.objects.corrections().filter(project=project).aggregate(
        total=Sum("planned_amount"))["total"] or ZERO
    new = sum((Decimal(line.get("planned_amount") or 0) for line in lines), ZERO) + corrections
    code = project.priority.code
    before = priority4_rule_holds({**others, code: others.get(code, ZERO) + current})
    after = priority4_rule_holds({**others, code: others.get(code, ZERO) + new})
    if not after:
        warnings.append(
            _("With this plan, priority 4's planned funding would no longer stay below each of priorities 1–3.")
            if before else _("Priority 4's planned funding is not below each of priorities 1–3."))
    return warnings

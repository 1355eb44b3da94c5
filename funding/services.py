"""Every write of the funding app."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portfolio.data import hev
from portfolio.models import Agreement, Project
from portfolio.money import parse_amount
from portfolio.upsert import translated, upsert

from .choices import FundingLineKind
from .models import (
    ZERO,
    FundingDecision,
    FundingDecisionLine,
    FundingFrame,
    FundingInstrument,
    FundingLine,
    SpendingEntry,
)

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


COORDINATION_FUNDING_SOURCE = "Ecosystem agreement: funding of the coordination project"


def agreement_funding_load(agreement: Agreement) -> list[str]:
    """Funding's part of `load_agreement` (registered in FundingConfig.ready): the funding instruments and
    the coordination project's funding, which is part of the agreement itself (AKKE until 2023, then ERDF)."""
    changed = funding_instruments_load(hev.INSTRUMENTS)
    project = Project.objects.filter(agreement=agreement, code=hev.COORDINATION_PROJECT["code"]).first()
    if project is None:
        return changed
    yearly = Decimal(hev.COORDINATION_YEARLY_TOTAL)
    support, local = (yearly * Decimal("0.60")).quantize(Decimal("0.01")), (yearly * Decimal("0.40")).quantize(
        Decimal("0.01"))
    for year, instrument in hev.COORDINATION_FUNDING_YEARS.items():
        for code, amount in ((instrument, support), ("CITY", local)):
            if funding_line_upsert(project=project, instrument_code=code, year=year, planned=amount, granted=amount,
                                   source=COORDINATION_FUNDING_SOURCE):
                changed.append(f"funding {project.code} {code} {year}")
    return changed


def funding_line_upsert(*, project: Any, instrument_code: str, year: int, planned: Decimal,
                        granted: Decimal | None = None, spent: Decimal | None = None, source: str = "") -> bool:
    """Set one funding line of a project (seeds and loads); returns whether anything changed. Granted and
    spent amounts are left as they are unless given, and then need their ``source`` (kept on the line and
    in its history)."""
    instrument = FundingInstrument.objects.get(code=instrument_code)
    values: dict[str, Any] = {"planned_amount": planned}
    if granted is not None or spent is not None:
        if not source:
            raise ValueError("granted or spent amounts need their source")
        if granted is not None:
            values.update(granted_amount=granted, granted_source=source[:200])
        if spent is not None:
            values.update(spent_amount=spent, spent_source=source[:200])
    _, changed = upsert(FundingLine, {"project": project, "instrument": instrument, "year": year,
                                      "kind": FundingLineKind.LINE}, values)
    return changed


def instrument_available_on(instrument: FundingInstrument, day: date) -> bool:
    """Whether an instrument may be offered for new proposals on a day (AKKE ended in January 2025)."""
    if instrument.available_from and day < instrument.available_from:
        return False
    return not (instrument.available_until and day > instrument.available_until)


# --- funding plans ---------------------------------------------------------------------------------------

AMOUNT_FIELDS = ("planned_amount", "granted_amount", "spent_amount")
LINE_AMOUNT_MESSAGES = {
    "not_numeric": gettext_lazy("Line %(line)s: “%(value)s” is not an amount in euros."),
    "negative": gettext_lazy("Line %(line)s: an amount cannot be negative."),
    "too_large": gettext_lazy("Line %(line)s: the amount is too large."),
    "too_many_decimals": gettext_lazy("Line %(line)s: an amount has at most two decimals (cents)."),
}


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
        if ok:
            seen.add((code, year))  # type: ignore[arg-type]
            clean.append({"instrument": instrument, "year": year, "index": index, **amounts})
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
    only real changes. Only planned amounts are the plan's: a granted or spent amount that differs from the
    recorded one is refused (code ``recorded_amount``, next to its cell); one left out keeps its value. A
    line left out, or planned at zero, is removed unless it has granted or spent money. ``expected_fingerprint`` (from
    ``selectors.lines_fingerprint`` when the form was rendered) rejects the save if someone else changed
    the plan in between."""
    from portfolio.models import Project
    from portfolio.permissions import can_change_project
    from portfolio.services import partner_shares_over_plan

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
                line._history_user = user  # type: ignore[attr-defined]
                line._change_reason = _("Financing plan")  # type: ignore[attr-defined]
                line.full_clean()
                line.save()
            kept.append(line)
        for key, line in existing.items():
            if key in wanted:
                continue
            line._history_user = user  # type: ignore[attr-defined]
            if line.granted_amount or line.spent_amount:  # recorded money stays; only the plan goes
                if line.planned_amount:
                    line.planned_amount = ZERO
                    line._change_reason = _("Financing plan")  # type: ignore[attr-defined]
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
    """Set the correction of a project's planned amount of an instrument and year: it may be negative (e.g. a
    reduction agreed after an audit), but the net amount may not. Granted and spent amounts are refused here:
    they change only through their sources (an amending funding decision, a spending entry). A zero amount
    removes the correction. A reason is required; the history keeps every earlier correction."""
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
                          "amount": parse_amount(amount, allow_negative=True)})
        except (ValidationError, ValueError, KeyError, TypeError):
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
              "amount": parse_amount(line.get("amount") if isinstance(line, dict) else line.amount)}
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
    warnings += _missing_frame_warnings(project=project, lines=lines)
    split_warning = _plan_split_warning(project=project, lines=lines)
    if split_warning:
        warnings.append(split_warning)
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


# --- granted and spent money: only from recorded sources -------------------------------------------------

def granted_set_from_decision(*, project: Any, amounts: dict[tuple[str, int], Decimal], source: str, user: Any,
                              planned_if_new: dict[tuple[str, int], Decimal] | None = None,
                              funding_decision: FundingDecision | None = None) -> list[FundingLine]:
    """Set the granted amounts of a project's regular lines from a recorded decision: the steering group's
    (governance calls this when a decision is recorded or corrected) or the funding authority's
    (``funding_decision``). ``amounts`` maps (instrument code, year) to euros; other lines are left as they
    are. ``source`` says which decision it was; it is kept on each line (``granted_source``) and in its
    history (the change reason). A missing line is created with ``planned_if_new`` (else the amount) as its
    plan. This is the only way granted amounts change (besides corrections, which have their reason)."""
    from portfolio.models import Project

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
            line._history_user = user  # type: ignore[attr-defined]
            line._change_reason = source.strip()[:100]  # type: ignore[attr-defined]
            line.full_clean()
            line.save()
            changed.append(line)
        _check_net_not_negative(project)
    return changed


def _clean_money_lines(*, agreement: Any, lines: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
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


def funding_decision_record(*, project: Any, decided_on: date, reference: str, lines: list[dict[str, Any]],
                            user: Any, eura_code: str = "", authority: str = "", note: str = "",
                            kind: str = FundingDecision.Kind.DECISION) -> FundingDecision:
    """Record the funding authority's decision on a project (date, reference, EURA code, granted euros per
    instrument and year) and set the project's granted amounts of those lines from it, all or nothing.
    Only a project the steering group has selected (approved, running or closed) gets a funding decision;
    the decision date cannot be in the future; a reference is recorded once per project."""
    from portfolio.choices import ProjectStatus
    from portfolio.models import Project

    from .permissions import can_record_funding_decision

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
        decision._history_user = user  # type: ignore[attr-defined]
        decision.full_clean()
        decision.save()
        FundingDecisionLine.objects.bulk_create([
            FundingDecisionLine(decision=decision, instrument=line["instrument"], year=line["year"],
                                amount=line["amount"]) for line in clean])
        granted_set_from_decision(
            project=project, amounts={(line["instrument"].code, line["year"]): line["amount"] for line in clean},
            source=decision.source_label, user=user, planned_if_new={}, funding_decision=decision)
    return decision


def _check_granted_raise_within_frames(*, project: Any, lines: list[dict[str, Any]]) -> None:
    """A funding decision that raises a granted amount of EU or state money commits it against the frame:
    refused when the year has no frame yet, or when the committed money would exceed the frame (the same rule
    as the steering group's decision). Lowering a granted amount is always allowed."""
    from .selectors import frame_exists, needs_frame

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


def spending_entry_record(*, project: Any, instrument_code: str, year: Any, entry_date: date, source: str,
                          reference: str, amount: Any, user: Any) -> SpendingEntry:
    """Record a dated spending figure with its source; the project's spent amount of that instrument and
    year becomes the sum of its entries (the line's history says which entry changed it). Only a
    correction may be negative, and the sum cannot go below zero."""
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
        entry._history_user = user  # type: ignore[attr-defined]
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
        line._history_user = user  # type: ignore[attr-defined]
        line._change_reason = entry.source_label  # type: ignore[attr-defined]
        line.full_clean()
        line.save()
    return entry


def _missing_frame_warnings(*, project: Any, lines: list[dict[str, Any]]) -> list[str]:
    """EU and state money planned for a year that has no frame yet (no allocation decision): warned on
    the plan; governance refuses to decide it until the frame exists (``selectors.frame_exists``)."""
    from .selectors import frame_exists, needs_frame

    result = []
    for line in lines:
        code = _code_of(line["instrument"])
        if line.get("planned_amount") and needs_frame(code) and not frame_exists(
                agreement=project.agreement, instrument=code, year=line["year"]):
            result.append(_("%(code)s %(year)s: no funding frame has been set for this year yet (no allocation "
                            "decision); the money cannot be committed until the frame exists.")
                          % {"code": code, "year": line["year"]})
    return result


def _plan_split_warning(*, project: Any, lines: list[dict[str, Any]]) -> str | None:
    """The 40/60 split of the project's planned money with these lines (corrections included, RRF apart),
    when it falls outside the tolerance. Supra-regional theme networks may use another split: no warning."""
    from .choices import SHARE_GROUP_OF
    from .selectors import SEPARATE_INSTRUMENTS, percentages, split_within_tolerance

    if project.is_supra_regional:
        return None
    groups = {"local": ZERO, "eu_state": ZERO, "private": ZERO}
    for line in lines:
        code = _code_of(line["instrument"])
        if code not in SEPARATE_INSTRUMENTS:
            groups[SHARE_GROUP_OF[code]] += Decimal(line.get("planned_amount") or 0)
    for row in (FundingLine.objects.corrections().filter(project=project)
                .exclude(instrument__code__in=SEPARATE_INSTRUMENTS).order_by()
                .values("instrument__share_group").annotate(total=Sum("planned_amount"))):
        groups[row["instrument__share_group"]] += row["total"] or ZERO
    total = sum(groups.values(), ZERO)
    percent = percentages(groups, total)
    if split_within_tolerance(local_percent=percent["local"], eu_state_percent=percent["eu_state"]) is not False:
        return None
    from django.conf import settings

    target = Decimal(settings.FUNDING_SPLIT_LOCAL_TARGET)
    return _("With this plan the local share is %(local)s %% and EU and state funding %(eu)s %%; the indicative "
             "split is %(target)s %% local and %(eu_target)s %% EU and state (± %(tolerance)s percentage "
             "points).") % {
        "local": number_format(percent["local"], decimal_pos=2, use_l10n=True),
        "eu": number_format(percent["eu_state"], decimal_pos=2, use_l10n=True),
        "target": number_format(target, use_l10n=True),
        "eu_target": number_format(Decimal(100) - target, use_l10n=True),
        "tolerance": number_format(Decimal(settings.FUNDING_SPLIT_TOLERANCE), use_l10n=True)}

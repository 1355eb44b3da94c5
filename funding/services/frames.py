"""Funding frames: saving a frame, the frame check of committed money, frame and split warnings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from portfolio.models import Agreement, Project
from portfolio.money import parse_amount

from ..models import (
    ZERO,
    FundingFrame,
    FundingInstrument,
    FundingLine,
)
from .loading import _code_of, _euros

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# --- frames ----------------------------------------------------------------------------------------------

def funding_frame_warnings(*, agreement: Agreement, lines: list[Any], project: Project | None = None) -> list[str]:
    """Translated warnings for each instrument and year where committed plus pending money plus the
    planned amounts of ``lines`` would exceed the frame. With ``project``, that project's own current
    money is left out of the base (its new lines replace it)."""
    from ..selectors import frame_use

    extra: list[dict[str, Any]] = []
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


def frame_check_commit(*, agreement: Agreement, lines: list[Any], exclude_project: Project | None = None) -> None:
    """Raise ValidationError when committing ``lines`` (dicts with instrument, year, amount, or
    DecisionFundingLine/ProposalFundingLine objects) would take committed money over a frame.
    Governance calls this before approving a proposal."""
    from ..selectors import frame_use

    extra: list[dict[str, Any]] = [
        {"instrument": (line.get("instrument") or line.get("instrument_code")) if isinstance(line, dict)
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


def _overrun_message(use: dict[str, Any], *, projected: bool) -> str:
    params = {"code": use["code"], "year": use["year"], "frame": _euros(use["frame"]),
              "amount": _euros(use["projected"] if projected else use["committed"]),
              "over": _euros((use["projected"] if projected else use["committed"]) - use["frame"])}
    if projected:
        return _("%(code)s %(year)s: committed and planned funding %(amount)s would exceed the frame "
                 "%(frame)s by %(over)s.") % params
    return _("%(code)s %(year)s: committed funding %(amount)s would exceed the frame %(frame)s by %(over)s.") % params


def funding_frame_save(*, agreement: Agreement, instrument_code: str, year: int, amount: Decimal,
                       decision_reference: str, decision_date: date | None, user: User | None,
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
        frame._history_user = user  # type: ignore[attr-defined]  # read by simple_history
        frame._change_reason = reason or None  # type: ignore[attr-defined]  # read by simple_history
        frame.full_clean()
        frame.save()
    return frame

def _missing_frame_warnings(*, project: Project, lines: list[dict[str, Any]]) -> list[str]:
    """EU and state money planned for a year that has no frame yet (no allocation decision): warned on
    the plan; governance refuses to decide it until the frame exists (``selectors.frame_exists``)."""
    from ..selectors import frame_exists, needs_frame

    result = []
    for line in lines:
        code = _code_of(line["instrument"])
        if line.get("planned_amount") and needs_frame(code) and not frame_exists(
                agreement=project.agreement, instrument=code, year=line["year"]):
            result.append(_("%(code)s %(year)s: no funding frame has been set for this year yet (no allocation "
                            "decision); the money cannot be committed until the frame exists.")
                          % {"code": code, "year": line["year"]})
    return result


def _plan_split_warning(*, project: Project, lines: list[dict[str, Any]]) -> str | None:
    """The 40/60 split of the project's planned money with these lines (corrections included, RRF apart),
    when it falls outside the tolerance. Supra-regional theme networks may use another split: no warning."""
    from ..choices import SHARE_GROUP_OF
    from ..selectors import SEPARATE_INSTRUMENTS, percentages, split_within_tolerance

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
    local, eu_state = percent["local"], percent["eu_state"]
    if local is None or eu_state is None:  # no planned money: no split to warn about
        return None
    if split_within_tolerance(local_percent=local, eu_state_percent=eu_state) is not False:
        return None
    from django.conf import settings

    target = Decimal(settings.FUNDING_SPLIT_LOCAL_TARGET)
    return _("With this plan the local share is %(local)s %% and EU and state funding %(eu)s %%; the indicative "
             "split is %(target)s %% local and %(eu_target)s %% EU and state (± %(tolerance)s percentage "
             "points).") % {
        "local": number_format(local, decimal_pos=2, use_l10n=True),
        "eu": number_format(eu_state, decimal_pos=2, use_l10n=True),
        "target": number_format(target, use_l10n=True),
        "eu_target": number_format(Decimal(100) - target, use_l10n=True),
        "tolerance": number_format(Decimal(settings.FUNDING_SPLIT_TOLERANCE), use_l10n=True)}


def funding_change_warnings(*, project: Project, lines: list[dict[str, Any]]) -> list[str]:
    """Warnings for a project's new financing plan (validated lines): frames that committed plus planned
    money would exceed, and the priority-4 rule if the agreement's planned funding would break it."""
    from django.db.models import Sum

    from ..selectors import countable_lines, priority4_rule_holds

    warnings = funding_frame_warnings(agreement=project.agreement, lines=lines, project=project)
    warnings += _missing_frame_warnings(project=project, lines=lines)
    split_warning = _plan_split_warning(project=project, lines=lines)
    if split_warning:
        warnings.append(split_warning)
    others = {row["project__priority__code"]: row["total"] or ZERO for row in
              countable_lines(agreement_id=project.agreement_id).exclude(project_id=project.pk).order_by()
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



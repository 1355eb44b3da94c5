"""What-if scenarios (read only): the effect of chosen proposals and changed amounts."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError

from portfolio.money import parse_amount

from ..models import ZERO, FundingInstrument
from . import counting
from .counting import (
    HUNDRED,
    SEPARATE_INSTRUMENTS,
    _cents,
    countable_lines,
    percentages,
    priority4_rule_holds,
    priority_totals,
    split_of,
)
from .frames import frame_use
from .splits import _gauge

if TYPE_CHECKING:
    from django.http import QueryDict

    from governance.models import Proposal  # the layer above: a type only, never imported at run time
    from portfolio.models import Agreement


# --- what-if scenarios (read only) -----------------------------------------------------------------------

def _parse_decimal(raw: str) -> Decimal | None:
    try:
        return parse_amount(raw)
    except ValidationError:
        return None


def what_if_extra_rows(query: QueryDict, blanks: int = 2) -> list[dict[str, str]]:
    """The free 'changed amount' rows of the what-if form as typed, plus empty rows to fill."""
    columns = ("priority", "instrument", "year", "amount")
    values = {c: query.getlist(f"extra-{c}") for c in columns}
    count = max((len(v) for v in values.values()), default=0)
    rows = [{c: (values[c][i] if i < len(values[c]) else "") for c in columns} for i in range(count)]
    rows = [row for row in rows if any(row.values())]
    return rows + [{c: "" for c in columns} for _ in range(blanks)]


def what_if_lines_from_query(query: QueryDict, *, agreement: Agreement, proposals: Iterable[Proposal],
                             selected: set[int]) -> tuple[list[dict[str, Any]], list[str]]:
    """Scenario lines from the form: the selected proposals' requested lines (with any changed amount
    ``amount-<line id>``) and free rows (``extra-priority/instrument/year/amount``). Nothing is saved."""
    from django.utils.translation import gettext as _

    instruments = {i.code: i for i in FundingInstrument.objects.all()}
    lines: list[dict[str, Any]] = []
    errors: list[str] = []
    for proposal in proposals:
        if proposal.pk not in selected:
            continue
        for line in proposal.funding_lines.all():
            raw = query.get(f"amount-{line.pk}")
            amount = line.amount if raw in (None, "") else _parse_decimal(raw)
            if amount is None:
                errors.append(_("%(proposal)s, %(code)s %(year)s: “%(value)s” is not an amount in euros.") % {
                    "proposal": proposal.project.code, "code": line.instrument.code, "year": line.year,
                    "value": raw})
                continue
            lines.append({"instrument": line.instrument.code, "share_group": line.instrument.share_group,
                          "year": line.year, "amount": amount, "priority": proposal.project.priority.code,
                          "source": proposal.project.code})
    for n, row in enumerate(what_if_extra_rows(query, blanks=0), start=1):
        instrument = instruments.get(row["instrument"].strip().upper())
        amount = _parse_decimal(row["amount"])
        try:
            year = int(row["year"])
            priority = int(row["priority"])
        except ValueError:
            year = priority = 0
        if instrument is None or amount is None or year not in agreement.years or priority not in (1, 2, 3, 4):
            errors.append(_("Changed amount row %(n)s: choose a priority, an instrument and a year of the agreement "
                            "and enter an amount of zero or more euros.") % {"n": n})
            continue
        lines.append({"instrument": instrument.code, "share_group": instrument.share_group, "year": year,
                      "amount": amount, "priority": priority, "source": ""})
    return lines, errors


def _code_of_line(line: dict[str, Any]) -> str:
    instrument = line.get("instrument") or line.get("instrument_code")
    return instrument.code if isinstance(instrument, FundingInstrument) else str(instrument).upper()


def what_if_effect(*, agreement: Agreement, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """Committed funding now (DB aggregates) and with the scenario lines added as if approved: frames,
    the 40/60 split and the priority-4 rule, before and after. Reads only. ``lines`` are dicts with
    ``instrument`` (code or instance), ``year``, ``amount`` and optionally ``priority`` (code 1–4)."""
    from ..choices import SHARE_GROUP_OF

    lines = [{**line, "instrument": _code_of_line(line), "amount": _cents(line.get("amount")),
              "share_group": line.get("share_group") or SHARE_GROUP_OF[_code_of_line(line)]} for line in lines]
    uses = frame_use(agreement=agreement, include_pending_proposal_ids=[], extra_pending=lines)
    touched = {(line["instrument"], line["year"]) for line in lines}
    frames = [u for u in uses if (u["code"], u["year"]) in touched or u["frame"] is not None]

    base_lines = countable_lines(agreement_id=agreement.pk)
    before = split_of(base_lines, basis="granted")
    groups = {key: before[key] for key in ("local", "eu_state", "private")}
    for line in lines:
        if line["instrument"] not in SEPARATE_INSTRUMENTS:  # RRF: frames yes, split no
            groups[line["share_group"]] += line["amount"]
    total = sum(groups.values(), ZERO)
    percent = percentages(groups, total)
    target_local = Decimal(settings.FUNDING_SPLIT_LOCAL_TARGET)
    tolerance = Decimal(settings.FUNDING_SPLIT_TOLERANCE)
    after = {**groups, "total": total, "local_percent": percent["local"], "eu_state_percent": percent["eu_state"],
             "private_percent": percent["private"], "target_local_percent": target_local,
             "target_eu_state_percent": HUNDRED - target_local, "tolerance": tolerance, "basis": "granted",
             "split_ok": counting.split_within_tolerance(local_percent=percent["local"],
                                                eu_state_percent=percent["eu_state"])}

    p_before = {row["code"]: row["total"] for row in priority_totals(base_lines, basis="granted",
                                                                     agreement_id=agreement.pk)}
    p_delta = {code: ZERO for code in p_before}
    for line in lines:
        if line["instrument"] in SEPARATE_INSTRUMENTS:
            continue
        if line.get("priority") is not None:  # money without a priority still counts in frames and split
            p_delta[line["priority"]] = p_delta.get(line["priority"], ZERO) + line["amount"]
    p_after = {code: p_before.get(code, ZERO) + p_delta.get(code, ZERO)
               for code in sorted(set(p_before) | set(p_delta))}
    return {
        "lines": lines,
        "frames": frames,
        "frame_overruns": [u for u in frames if u["projected_overrun"]],
        "split_before": before,
        "split_after": after,
        "gauge_before": _gauge(before),
        "gauge_after": _gauge(after),
        "priorities": [{"code": code, "before": p_before.get(code, ZERO), "delta": p_delta.get(code, ZERO),
                        "after": p_after[code]} for code in p_after],
        "priority4_before": priority4_rule_holds(p_before),
        "priority4_after": priority4_rule_holds(p_after),
    }


def proposal_funding_effect(*, proposal: Proposal) -> dict[str, Any]:
    """The effect of approving one proposal as requested (frames, 40/60 split, priority-4 rule before and
    after), for the steering group's agenda. Reads only."""
    lines = [{"instrument": row["instrument__code"], "share_group": row["instrument__share_group"],
              "year": row["year"], "amount": _cents(row["amount"]), "priority": proposal.project.priority.code,
              "source": proposal.project.code}
             for row in proposal.funding_lines.order_by("year", "instrument__sort_order").values(
                 "instrument__code", "instrument__share_group", "year", "amount")]
    return what_if_effect(agreement=proposal.project.agreement, lines=lines)



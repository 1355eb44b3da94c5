"""Frame use: committed and pending money against the funding frames per instrument and year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from ..asof import frame_source, line_source
from ..commitments import commitments
from ..models import ZERO, FundingInstrument
from .counting import CENT, DECIDED_STATUSES, HUNDRED, _cents, _money_sum, counted_q, frame_lines, needs_frame

if TYPE_CHECKING:

    from portfolio.models import Agreement


# --- frames and frame use --------------------------------------------------------------------------------

def _line_code(line: Any) -> str:
    """The instrument code of a dict line ({"instrument": code | instrument}) or a model line."""
    instrument = line.get("instrument") if isinstance(line, dict) else line.instrument
    if instrument is None and isinstance(line, dict):
        instrument = line.get("instrument_code")
    return instrument.code if isinstance(instrument, FundingInstrument) else str(instrument)


def _line_value(line: Any, *names: str) -> Any:
    for name in names:
        value = line.get(name) if isinstance(line, dict) else getattr(line, name, None)
        if value is not None:
            return value
    return None


def frame_use(*, agreement: Agreement | int, year: int | None = None, exclude_project_id: int | None = None,
              extra_pending: Iterable[Any] = (), extra_committed: Iterable[Any] = (),
              include_pending_proposal_ids: Iterable[int] | None = None,
              as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Frame use per instrument and year: the frame, committed money (granted on decided projects plus the
    approved decisions' lines of projects not yet marked decided) and planned money (pending proposals'
    requested lines), with overrun flags. ``extra_*`` add hypothetical lines (the what-if), given as dicts
    with ``instrument`` (code or instance), ``year`` and ``amount``. ``include_pending_proposal_ids``
    limits the pending proposals counted (None: all pending). ``as_of``: frames, projects and lines as they
    stood at the end of that day, decisions of meetings held by then, proposals then pending."""
    agreement_id = agreement if isinstance(agreement, int) else agreement.pk
    year_q = Q(year=year) if year is not None else Q()
    rows: dict[tuple[str, int], dict[str, Any]] = {}

    def row(code: str, y: int) -> dict[str, Any]:
        return rows.setdefault((code, y), {"code": code, "year": y, "frame": None, "decision_reference": "",
                                           "decision_date": None, "frame_id": None, "committed": ZERO,
                                           "pending": ZERO})

    for frame in (frame_source(as_of).filter(year_q, agreement_id=agreement_id).select_related("instrument")):
        r = row(frame.instrument.code, frame.year)
        r.update(frame=frame.amount, decision_reference=frame.decision_reference,
                 decision_date=frame.decision_date, frame_id=frame.id)

    granted = line_source(as_of).filter(year_q, project__agreement_id=agreement_id,
                                         project__status__in=DECIDED_STATUSES)
    if exclude_project_id is not None:
        granted = granted.exclude(project_id=exclude_project_id)
    for agg in granted.order_by().values("instrument__code", "year").annotate(total=_money_sum("granted_amount")):
        row(agg["instrument__code"], agg["year"])["committed"] += _cents(agg["total"])
    # Money not yet granted: approved decisions (committed) and proposals (pending), from funding.commitments.
    for money in commitments(agreement_id=agreement_id, year=year, exclude_project_id=exclude_project_id,
                             include_pending_proposal_ids=include_pending_proposal_ids, as_of=as_of):
        row(money.code, money.year)[money.kind] += _cents(money.amount)
    for lines, key in ((extra_committed, "committed"), (extra_pending, "pending")):
        for line in lines:
            y = int(_line_value(line, "year"))
            if year is not None and y != year:
                continue
            r = row(_line_code(line), y)
            r[key] += _cents(_line_value(line, "amount", "planned_amount") or 0)

    instruments = {i.code: i for i in FundingInstrument.objects.all()}
    order = {code: i.sort_order for code, i in instruments.items()}
    result = []
    for _key, r in sorted(rows.items(), key=lambda item: (item[0][1], order.get(item[0][0], 99), item[0][0])):
        if not (r["frame"] or r["committed"] or r["pending"]) and r["frame"] is None:
            continue
        # Users read the instrument's name in their language ("EAKR"); the code stays for links and filters.
        instrument = instruments.get(r["code"])
        r["name"] = instrument.short_name if instrument else r["code"]
        r["full_name"] = instrument.name if instrument else r["code"]
        projected = r["committed"] + r["pending"]
        frame = r["frame"]
        r["projected"] = projected
        r["committed_overrun"] = frame is not None and r["committed"] > frame
        r["projected_overrun"] = frame is not None and projected > frame
        r["remaining"] = (frame - projected) if frame is not None else None
        r["over"] = (projected - frame) if frame is not None and projected > frame else None
        r["committed_percent"] = (r["committed"] * HUNDRED / frame).quantize(CENT) if frame else None
        r["projected_percent"] = (projected * HUNDRED / frame).quantize(CENT) if frame else None
        result.append(r)
    return result




def frames_by_year(*, agreement: Agreement, as_of: dt.date | None = None,
                   uses: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Per year of the agreement, EU and state money only (the instruments with frames): the frames,
    the money committed against them (``frame_use``'s committed), the money spent (spent amounts of the
    decided projects' lines), and the running (cumulative) frame and commitment. Pass ``uses`` when the
    caller already has ``frame_use`` (the dashboard). The charts of the dashboard and their tables read this."""
    agreement_id = agreement.pk
    if uses is None:
        uses = frame_use(agreement=agreement_id, include_pending_proposal_ids=[], as_of=as_of)
    decided = line_source(as_of).filter(counted_q(), project__agreement_id=agreement_id,
                                        project__status__in=DECIDED_STATUSES)
    spent = {row["year"]: _cents(row["total"]) for row in
             frame_lines(decided).order_by().values("year").annotate(total=_money_sum("spent_amount"))}
    rows = []
    running_frame = running_committed = ZERO
    for year in agreement.years:
        framed = [u for u in uses if u["year"] == year and needs_frame(u["code"])]
        frame = sum((u["frame"] or ZERO for u in framed), ZERO)
        committed = sum((u["committed"] for u in framed), ZERO)
        running_frame += frame
        running_committed += committed
        rows.append({"year": year, "frame": frame, "committed": committed, "spent": spent.get(year, ZERO),
                     "cumulative_frame": running_frame, "cumulative_committed": running_committed})
    return rows

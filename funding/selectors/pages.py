"""Figures of the dashboard and the project page, the plan's fingerprint, frames of an agreement."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.charts import chart

from ..models import ZERO, FundingFrame, FundingInstrument, FundingLine
from .counting import (
    HUNDRED,
    _cents,
    _money_sum,
    split_of,
    split_of_cells,
    summary_cells,
    summary_from_cells,
    summary_lines,
)
from .frames import frame_use, frames_by_year
from .splits import _gauge, coordination_line_conflicts

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from portfolio.models import Agreement, Project


# --- the dashboard and the project page ------------------------------------------------------------------

def project_list_url(**filters: Any) -> str:
    """The project list filtered as the figure's source (filter names shared with the API)."""
    query = {key: value for key, value in filters.items() if value not in (None, "")}
    return f"{reverse('portfolio:project-list')}?{urlencode(query)}"


def _bar(value: Decimal | None, maximum: Decimal | None) -> Decimal:
    """Bar width in percent (0–100) for server-side SVG."""
    if not value or not maximum:
        return ZERO
    return min(HUNDRED, (Decimal(value) * HUNDRED / Decimal(maximum)).quantize(Decimal("0.1")))


def dashboard_funding(*, agreement: Agreement, user: AbstractBaseUser | AnonymousUser,
                      as_of: dt.date | None = None) -> dict[str, Any]:
    """Everything the dashboard shows about money, for one agreement, scoped to what the user may see."""
    from portfolio.models import Project

    # One grouped query for both bases and the regular / supra-regional split (``summary_cells``).
    sums = summary_cells(summary_lines(agreement_id=agreement.pk, projects=Project.objects.visible_to(user),
                                        as_of=as_of), bases=("granted", "planned"),
                          extra=("project__is_supra_regional",))
    granted = summary_from_cells(sums, basis="granted", agreement_id=agreement.pk)
    planned = summary_from_cells(sums, basis="planned", agreement_id=agreement.pk)
    from portfolio.permissions import works_on

    this_year = (as_of or timezone.localdate()).year
    # Pending proposals are internal to the agreement's people (and the ministry).
    uses = frame_use(agreement=agreement, include_pending_proposal_ids=None if works_on(user, agreement.pk) else [],
                     as_of=as_of)
    years = sorted({u["year"] for u in uses} | set(agreement.years))
    instruments = [i for i in FundingInstrument.objects.all() if any(u["code"] == i.code for u in uses)]
    matrix = []
    for instrument in instruments:
        code = instrument.code
        cells = []
        for y in years:
            use = next((u for u in uses if u["code"] == code and u["year"] == y), None)
            cells.append({"year": y, "use": use,
                          "url": project_list_url(agreement=agreement.pk, instrument=code, year=y)})
        matrix.append({"code": code, "name": instrument.short_name, "full_name": instrument.name, "cells": cells,
                       "url": project_list_url(agreement=agreement.pk, instrument=code),
                       "total": _use_totals(u for u in uses if u["code"] == code)})
    # Across instruments only the committed money adds up: a year's frames are EU and state money, its
    # commitments every instrument's, so the totals row shows no "/ frame".
    matrix_year_totals = [{"committed": _use_totals(u for u in uses if u["year"] == y)["committed"], "frame": None}
                          for y in years]
    p_totals = {row["code"]: row["total"] for row in granted["by_priority"]}
    max_priority = max(p_totals.values(), default=ZERO)
    priorities = [
        {"code": code, "total": p_totals.get(code, ZERO), "bar": _bar(p_totals.get(code, ZERO), max_priority),
         "url": project_list_url(agreement=agreement.pk, priority=code)}
        for code in (1, 2, 3, 4)
    ]
    this_year_use = [dict(u, bar=_bar(u["committed"], u["frame"]), pending_bar=_bar(u["projected"], u["frame"]),
                          url=project_list_url(agreement=agreement.pk, instrument=u["code"], year=this_year))
                     for u in uses if u["year"] == this_year and u["frame"] is not None]
    by_year = frames_by_year(agreement=agreement, as_of=as_of, uses=uses)
    return {
        "agreement": agreement,
        "by_year": by_year,
        "charts": year_charts(key=f"agreement-{agreement.pk}", rows=by_year),
        "granted": granted,
        "planned": planned,
        "gauge": _gauge(granted),
        "planned_gauge": _gauge(planned),
        # The indicative split is checked on regular projects; supra-regional theme networks separately.
        "regular": (regular := split_of_cells([c for c in sums if not c["project__is_supra_regional"]],
                                              basis="granted")),
        "regular_gauge": _gauge(regular),
        "supra_regional": split_of_cells([c for c in sums if c["project__is_supra_regional"]], basis="granted"),
        "priorities": priorities,
        "priority4_rule_ok": granted["priority4_rule_ok"],
        "planned_priority4_rule_ok": planned["priority4_rule_ok"],
        "years": years,
        "matrix": matrix,
        "matrix_year_totals": matrix_year_totals,
        "matrix_total": {"committed": _use_totals(uses)["committed"], "frame": None},
        "this_year": this_year,
        "this_year_use": this_year_use,
        "coordination_conflicts": list(coordination_line_conflicts(agreement_id=agreement.pk)),
        "list_url": project_list_url(agreement=agreement.pk),
    }




def _use_totals(uses: Any) -> dict[str, Decimal | None]:
    """Committed money and frames summed over some frame-use rows (a total of the instrument × year table);
    the frame is None when none of the rows has one (local money)."""
    committed, frame, framed = ZERO, ZERO, False
    for use in uses:
        committed += use["committed"]
        if use["frame"] is not None:
            frame += use["frame"]
            framed = True
    return {"committed": committed, "frame": frame if framed else None}


def year_charts(*, key: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The dashboard's charts over the agreement's years (frames_by_year): EU and state money per year
    (frame, committed, spent), and the commitment against the frame, both cumulative."""
    years = [row["year"] for row in rows]
    return [
        chart(key=f"{key}-years", kind="bar", label_heading=_("Year"), labels=years,
              title=_("EU and state funding per year: frame, committed and spent"),
              series=[{"label": _("Frame"), "style": "frame", "values": [row["frame"] for row in rows]},
                      {"label": _("Committed"), "style": "committed", "values": [row["committed"] for row in rows]},
                      {"label": _("Spent"), "style": "spent", "values": [row["spent"] for row in rows]}]),
        chart(key=f"{key}-cumulative", kind="line", label_heading=_("Year"), labels=years,
              title=_("Cumulative commitment against the cumulative frame (EU and state funding)"),
              series=[{"label": _("Frame, cumulative"), "style": "frame", "dashed": True,
                       "values": [row["cumulative_frame"] for row in rows]},
                      {"label": _("Committed, cumulative"), "style": "committed",
                       "values": [row["cumulative_committed"] for row in rows]}]),
    ]


def project_financing_plan(*, project: Project, user: AbstractBaseUser | AnonymousUser | None = None
                           ) -> dict[str, Any]:
    """A project's financing plan: instruments × years with planned/granted/spent, totals and its split."""
    lines = FundingLine.objects.filter(project=project)
    sums = {"planned": _money_sum("planned_amount"), "granted": _money_sum("granted_amount"),
            "spent": _money_sum("spent_amount")}
    # Net cells: a regular line plus its correction, if any.
    cells = {(row["instrument__code"], row["year"]): row for row in lines.order_by().values(
        "instrument__code", "year").annotate(**sums)}
    by_instrument = {row["instrument__code"]: row for row in lines.order_by().values("instrument__code")
                     .annotate(**sums)}
    by_year = {row["year"]: row for row in lines.order_by().values("year").annotate(**sums)}
    grand = lines.aggregate(**sums)
    years = sorted(by_year)
    if project.start_date and project.end_date:
        years = sorted(set(years) | set(range(project.start_date.year, project.end_date.year + 1)))
    instruments = list(FundingInstrument.objects.filter(code__in=by_instrument.keys()))

    def triple(row: Mapping[str, Any] | None, suffix: str = "") -> dict[str, Decimal]:
        return {kind: _cents(row[f"{kind}{suffix}"]) if row else ZERO for kind in ("planned", "granted", "spent")}

    rows = [{"instrument": instrument, "code": instrument.code, "name": instrument.short_name,
             "cells": [triple(cells[(instrument.code, y)]) if (instrument.code, y) in cells
                       else None for y in years],
             "total": triple(by_instrument[instrument.code])}
            for instrument in instruments]
    year_totals = [triple(by_year.get(y)) for y in years]
    return {
        "project": project,
        "years": years,
        "rows": rows,
        "year_totals": year_totals,
        "chart": chart(key=f"project-{project.pk}", kind="bar", label_heading=_("Year"), labels=years,
                       title=_("Planned, granted and spent funding per year"),
                       series=[{"label": label, "style": kind, "values": [t[kind] for t in year_totals]}
                               for kind, label in (("planned", _("Planned")), ("granted", _("Granted")),
                                                   ("spent", _("Spent")))]),
        "total": triple(grand),
        "split_planned": (split_planned := split_of(lines, basis="planned")),
        "split_granted": (split_granted := split_of(lines, basis="granted")),
        "gauge_planned": _gauge(split_planned),
        "gauge_granted": _gauge(split_granted),
        "can_edit": bool(user is not None and _can_change(user, project)),
        "is_supra_regional": project.is_supra_regional,
        "coordination_conflicts": list(coordination_line_conflicts().filter(project=project))
        if project.is_coordination_project else [],
        "fingerprint": lines_fingerprint(project=project),
        "corrections": list(lines.corrections().select_related("instrument")
                            .order_by("year", "instrument__sort_order")),
    }


def _can_change(user: AbstractBaseUser | AnonymousUser, project: Project) -> bool:
    from portfolio.permissions import can_change_project

    return can_change_project(user, project)


def lines_fingerprint(*, project: Project) -> str:
    """A hash of a project's funding lines; a form sends it back so a concurrent edit is detected."""
    rows = FundingLine.objects.regular().filter(project=project).order_by("instrument__code", "year").values_list(
        "instrument__code", "year", "planned_amount", "granted_amount", "spent_amount")
    text = ";".join(f"{c}|{y}|{_cents(p)}|{_cents(g)}|{_cents(s)}" for c, y, p, g, s in rows)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def frames_for(*, agreement: Agreement) -> QuerySet[FundingFrame]:
    return FundingFrame.objects.filter(agreement=agreement).select_related("instrument").order_by(
        "year", "instrument__sort_order")


def today() -> dt.date:
    return timezone.localdate()



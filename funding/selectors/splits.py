"""The split at every level: by a grouping field, AKKE, a project, an agreement, the country; the
coordination project's lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from ..asof import LineRows, line_source
from ..choices import InstrumentCode, ShareGroup
from ..models import ZERO, FundingLine
from . import counting
from .counting import (
    COORDINATION_AKKE_LAST_YEAR,
    HUNDRED,
    _amount_field,
    _cents,
    _money_sum,
    countable_lines,
    percentages,
    split_of,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from portfolio.models import Agreement, Project


# --- splits at every level -------------------------------------------------------------------------------
def _gauge(summary: dict[str, Any]) -> dict[str, Any]:
    """Geometry of the 40/60 gauge: local | EU+state | private bar with the target and tolerance band."""
    target = summary["target_local_percent"]
    tolerance = summary["tolerance"]
    local = summary["local_percent"] or ZERO
    eu = summary["eu_state_percent"] or ZERO
    return {
        "has_total": bool(summary["total"]),
        "local_width": local, "eu_x": local, "eu_width": eu, "private_x": local + eu,
        "private_width": (summary["private_percent"] or ZERO),
        "target": target, "band_x": max(ZERO, target - tolerance), "band_width": min(HUNDRED, 2 * tolerance),
        "ok": summary["split_ok"],
    }


def split_by(lines: LineRows, *, group_field: str, basis: str = "granted") -> list[dict[str, Any]]:
    """The split for each value of ``group_field`` (e.g. ``project__priority__code``), one grouped query."""
    field = _amount_field(basis)
    rows: dict[Any, dict[str, Decimal]] = {}
    for row in (lines.order_by().values(group_field, "instrument__share_group")
                .annotate(total=_money_sum(field)).order_by(group_field)):
        rows.setdefault(row[group_field], {"local": ZERO, "eu_state": ZERO, "private": ZERO})[
            row["instrument__share_group"]] = _cents(row["total"])
    result = []
    for key, groups in rows.items():
        total = sum(groups.values(), ZERO)
        percent = percentages(groups, total)
        split_ok = counting.split_within_tolerance(local_percent=percent["local"], eu_state_percent=percent["eu_state"])
        result.append({"key": key, "total": total, **groups, "local_percent": percent["local"],
                       "eu_state_percent": percent["eu_state"], "private_percent": percent["private"],
                       "split_ok": split_ok})
    return result


def akke_lines(lines: LineRows, *, as_of: dt.date | None = None) -> LineRows:
    """The lines that make up AKKE funding: AKKE itself plus the local and private money of the same
    project and year (the own share that matches the AKKE support)."""
    akke_same_year = line_source(as_of).filter(project=OuterRef("project"), year=OuterRef("year"),
                                                instrument__code=InstrumentCode.AKKE)
    return lines.filter(Exists(akke_same_year)).filter(
        Q(instrument__code=InstrumentCode.AKKE) | ~Q(instrument__share_group=ShareGroup.EU_STATE))


def _groups_split(groups: dict[str, Decimal]) -> dict[str, Any]:
    total = sum(groups.values(), ZERO)
    percent = percentages(groups, total)
    split_ok = counting.split_within_tolerance(local_percent=percent["local"], eu_state_percent=percent["eu_state"])
    return {"total": total, **groups, "local_percent": percent["local"], "eu_state_percent": percent["eu_state"],
            "private_percent": percent["private"], "split_ok": split_ok}


# The string keys of the report's breakdowns, each ordered by the database (its collation, its NULLs) as
# ``split_by``'s ``order_by(group_field)`` orders them.
_RANKED = {"supra_regional_projects": "project__code", "by_city": "project__lead_organisation__municipality",
           "by_agreement": "project__agreement__name"}


def _report_cells(lines: LineRows, *, basis: str, as_of: dt.date | None, by_agreement: bool
                  ) -> list[dict[str, Any]]:
    """One grouped query behind ``split_report``: the sums per share group, supra-regional or not, AKKE or
    not, priority, city (and agreement), with each supra-regional project on rows of its own."""
    from django.db.models import BooleanField, Case, CharField, ExpressionWrapper, F, Value, When, Window
    from django.db.models.functions import DenseRank

    akke_same_year = line_source(as_of).filter(project=OuterRef("project"), year=OuterRef("year"),
                                                instrument__code=InstrumentCode.AKKE)
    in_akke = Q(Exists(akke_same_year)) & (Q(instrument__code=InstrumentCode.AKKE)
                                           | ~Q(instrument__share_group=ShareGroup.EU_STATE))
    supra_code = Case(When(project__is_supra_regional=True, then=F("project__code")), default=Value(None),
                      output_field=CharField())
    fields = ["instrument__share_group", "project__is_supra_regional", "project__priority__code",
              "project__lead_organisation__municipality", "supra_code", "in_akke"]
    if by_agreement:
        fields.append("project__agreement__name")
    rows = (lines.order_by().annotate(supra_code=supra_code,
                                      in_akke=ExpressionWrapper(in_akke, output_field=BooleanField()))
            .values(*fields).annotate(total=_money_sum(_amount_field(basis))))
    ranks = {f"rank_{name}": Window(DenseRank(), order_by=F("supra_code" if name == "supra_regional_projects"
                                                            else field).asc())
             for name, field in _RANKED.items() if by_agreement or name != "by_agreement"}
    return list(rows.annotate(**ranks))


def _split_by_cells(cells: list[dict[str, Any]], *, key: str, rank: str | None = None) -> list[dict[str, Any]]:
    """``split_by`` from ``_report_cells`` rows: one split per value of ``key``, in the database's order."""
    groups: dict[Any, dict[str, Decimal]] = {}
    order: dict[Any, Any] = {}
    for cell in cells:
        value = cell[key]
        groups.setdefault(value, {"local": ZERO, "eu_state": ZERO, "private": ZERO})[
            cell["instrument__share_group"]] += _cents(cell["total"])
        order[value] = cell[rank] if rank else value
    return [{"key": value, **_groups_split(groups[value])} for value in sorted(groups, key=lambda v: order[v])]


def _split_of_report_cells(cells: list[dict[str, Any]], *, basis: str) -> dict[str, Any]:
    groups = {ShareGroup.LOCAL.value: ZERO, ShareGroup.EU_STATE.value: ZERO, ShareGroup.PRIVATE.value: ZERO}
    for cell in cells:
        groups[cell["instrument__share_group"]] += _cents(cell["total"])
    return counting._split_of_groups(groups, basis)


def split_report(*, lines: LineRows, basis: str = "granted", as_of: dt.date | None = None,
                 by_agreement: bool = False) -> dict[str, Any]:
    """Every split the steering group looks at for a set of lines: the whole, regular vs supra-regional
    theme-network projects (reported separately, not hidden), AKKE on its own, per priority and per city
    (and per agreement when ``by_agreement``). One grouped query (``_report_cells``); each figure is the
    sum of its cells, the same as ``split_of`` / ``split_by`` of its own lines."""
    cells = _report_cells(lines, basis=basis, as_of=as_of, by_agreement=by_agreement)
    regular = [cell for cell in cells if not cell["project__is_supra_regional"]]
    supra = [cell for cell in cells if cell["project__is_supra_regional"]]
    regular_split = _split_of_report_cells(regular, basis=basis)
    akke_split = _split_of_report_cells([cell for cell in cells if cell["in_akke"]], basis=basis)
    report = {
        "all": _split_of_report_cells(cells, basis=basis),
        "regular": regular_split,
        "regular_gauge": _gauge(regular_split),
        "supra_regional": _split_of_report_cells(supra, basis=basis),
        "supra_regional_projects": _split_by_cells(supra, key="supra_code", rank="rank_supra_regional_projects"),
        "akke": akke_split,
        "akke_gauge": _gauge(akke_split),
        "by_priority": _split_by_cells(regular, key="project__priority__code"),
        "by_city": _split_by_cells(regular, key="project__lead_organisation__municipality", rank="rank_by_city"),
    }
    if by_agreement:
        report["by_agreement"] = _split_by_cells(cells, key="project__agreement__name", rank="rank_by_agreement")
    return report


def project_split(*, project: Project, basis: str = "planned") -> dict[str, Any]:
    return split_of(FundingLine.objects.filter(project=project), basis=basis)


def agreement_split(*, agreement: Agreement, user: AbstractBaseUser | AnonymousUser | None = None,
                    basis: str = "granted", as_of: dt.date | None = None) -> dict[str, Any]:
    return split_report(lines=_visible_lines(agreement=agreement, user=user, as_of=as_of), basis=basis, as_of=as_of)


def country_split(*, user: AbstractBaseUser | AnonymousUser | None = None, basis: str = "granted",
                  as_of: dt.date | None = None) -> dict[str, Any]:
    """The whole country: every agreement (for non-ministry users, what they may see), per agreement too."""
    return split_report(lines=_visible_lines(agreement=None, user=user, as_of=as_of), basis=basis, as_of=as_of,
                        by_agreement=True)


def coordination_line_conflicts(*, agreement_id: int | None = None) -> QuerySet[FundingLine]:
    """Lines of coordination projects that contradict their funding model: AKKE until the end of 2023,
    ERDF from 2024 (any other EU/state instrument before 2024, or AKKE after 2023, is flagged)."""
    lines = FundingLine.objects.filter(project__is_coordination_project=True).select_related("project", "instrument")
    if agreement_id is not None:
        lines = lines.filter(project__agreement_id=agreement_id)
    wrong_before = Q(year__lte=COORDINATION_AKKE_LAST_YEAR, instrument__share_group=ShareGroup.EU_STATE) & ~Q(
        instrument__code=InstrumentCode.AKKE)
    wrong_after = Q(year__gt=COORDINATION_AKKE_LAST_YEAR, instrument__share_group=ShareGroup.EU_STATE) & ~Q(
        instrument__code=InstrumentCode.ERDF)
    return lines.filter(wrong_before | wrong_after).order_by("project__code", "year", "instrument__sort_order")


def _visible_lines(*, agreement: Agreement | None, user: AbstractBaseUser | AnonymousUser | None,
                   as_of: dt.date | None = None) -> LineRows:
    from portfolio.models import Project

    projects = None if user is None else Project.objects.visible_to(user)
    return countable_lines(agreement_id=agreement.pk if agreement else None, projects=projects, as_of=as_of)



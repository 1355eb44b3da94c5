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


def split_report(*, lines: LineRows, basis: str = "granted", as_of: dt.date | None = None
                 ) -> dict[str, Any]:
    """Every split the steering group looks at for a set of lines: the whole, regular vs supra-regional
    theme-network projects (reported separately, not hidden), AKKE on its own, per priority and per city."""
    regular = lines.filter(project__is_supra_regional=False)
    supra = lines.filter(project__is_supra_regional=True)
    regular_split = split_of(regular, basis=basis)
    akke_split = split_of(akke_lines(lines, as_of=as_of), basis=basis)
    return {
        "all": split_of(lines, basis=basis),
        "regular": regular_split,
        "regular_gauge": _gauge(regular_split),
        "supra_regional": split_of(supra, basis=basis),
        "supra_regional_projects": split_by(supra, group_field="project__code", basis=basis),
        "akke": akke_split,
        "akke_gauge": _gauge(akke_split),
        "by_priority": split_by(regular, group_field="project__priority__code", basis=basis),
        "by_city": split_by(regular, group_field="project__lead_organisation__municipality", basis=basis),
    }


def project_split(*, project: Project, basis: str = "planned") -> dict[str, Any]:
    return split_of(FundingLine.objects.filter(project=project), basis=basis)


def agreement_split(*, agreement: Agreement, user: AbstractBaseUser | AnonymousUser | None = None,
                    basis: str = "granted", as_of: dt.date | None = None) -> dict[str, Any]:
    return split_report(lines=_visible_lines(agreement=agreement, user=user, as_of=as_of), basis=basis, as_of=as_of)


def country_split(*, user: AbstractBaseUser | AnonymousUser | None = None, basis: str = "granted",
                  as_of: dt.date | None = None) -> dict[str, Any]:
    """The whole country: every agreement (for non-ministry users, what they may see), per agreement too."""
    lines = _visible_lines(agreement=None, user=user, as_of=as_of)
    report = split_report(lines=lines, basis=basis, as_of=as_of)
    report["by_agreement"] = split_by(lines, group_field="project__agreement__name", basis=basis)
    return report


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



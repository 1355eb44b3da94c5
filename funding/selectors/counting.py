"""What counts and how: counted lines, the 40/60 split and its tolerance, the priority-4 rule, the
funding summary (docs/counting-rules.md)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from portfolio.choices import ProjectStatus

from ..asof import LineRows, line_source
from ..choices import InstrumentCode, ShareGroup
from ..models import MONEY, ZERO, FundingFrame, FundingInstrument, FundingLine

if TYPE_CHECKING:

    from portfolio.models import Agreement, Project


BASES = ("planned", "granted", "spent")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")
# Projects in these statuses no longer count in any plan (their lines stay for the record).
DROPPED_STATUSES = (ProjectStatus.REJECTED, ProjectStatus.WITHDRAWN)
# Projects whose granted money is committed against the frame.
DECIDED_STATUSES = (ProjectStatus.APPROVED, ProjectStatus.RUNNING, ProjectStatus.CLOSED)
# The coordination project is funded by AKKE until the end of this year and by ERDF after it.
COORDINATION_AKKE_LAST_YEAR = 2023


def _money_sum(field: str) -> Coalesce:
    from django.db.models import DecimalField

    return Coalesce(Sum(field), Value(ZERO), output_field=DecimalField(**MONEY))


def _cents(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def _amount_field(basis: str) -> str:
    if basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(BASES)}, not {basis!r}")
    return f"{basis}_amount"


# Projects whose lines count in totals, splits and the priority-4 rule: never ideas, never rejected or
# withdrawn projects (docs/counting-rules.md). Granted money on an idea counts nowhere.
NOT_COUNTED_STATUSES = (ProjectStatus.IDEA, *DROPPED_STATUSES)
# Instruments used separately from the 40/60 split (the agreement: RRF "voidaan erikseen hyödyntää").
SEPARATE_INSTRUMENTS = (InstrumentCode.RRF,)


def counted_q(prefix: str = "") -> Q:
    """The counting rule as a Q on funding lines (``prefix`` when reached through a relation): the one
    definition behind ``countable_lines``, the API's ``counted`` flag and its ``counted=true`` filter."""
    return ~Q(**{f"{prefix}project__status__in": NOT_COUNTED_STATUSES}) & ~Q(
        **{f"{prefix}instrument__code__in": SEPARATE_INSTRUMENTS})


def with_counted_flag(lines: QuerySet[FundingLine]) -> QuerySet[FundingLine]:
    """Annotate each line with ``counted``: whether it is one of the lines behind ``funding_summary``."""
    from django.db.models import BooleanField, ExpressionWrapper

    return lines.annotate(counted=ExpressionWrapper(counted_q(), output_field=BooleanField()))


def _scoped(lines: LineRows, projects: QuerySet[Project] | None) -> LineRows:
    """Lines of ``projects`` only. A project queryset without a condition (``visible_to`` of a user who sees
    every project) scopes nothing, so it adds no ``IN (SELECT …)`` to the query."""
    if projects is None or not projects.query.where:
        return lines
    return lines.filter(project__in=projects.values("pk"))


def countable_lines(*, agreement_id: int | None = None, projects: QuerySet[Project] | None = None,
                    as_of: dt.date | None = None) -> LineRows:
    """The funding lines that count in totals, the 40/60 split and the priority-4 rule: not of ideas, not
    of rejected or withdrawn projects, not RRF (shown apart by ``separate_lines``). Supra-regional
    theme-network projects count in totals; their split is reported apart (``split_report``).
    ``as_of``: the lines and their projects as they stood at the end of that day (default today);
    ``projects`` is a live project queryset (it scopes by id)."""
    lines = line_source(as_of).filter(counted_q())
    if agreement_id is not None:
        lines = lines.filter(project__agreement_id=agreement_id)
    return _scoped(lines, projects)


def separate_lines(*, agreement_id: int | None = None, projects: QuerySet[Project] | None = None,
                   as_of: dt.date | None = None) -> LineRows:
    """RRF lines of counted projects: shown apart, outside the 40/60 split and the totals (``as_of`` as in
    ``countable_lines``)."""
    lines = line_source(as_of).exclude(project__status__in=NOT_COUNTED_STATUSES).filter(
        instrument__code__in=SEPARATE_INSTRUMENTS)
    if agreement_id is not None:
        lines = lines.filter(project__agreement_id=agreement_id)
    return _scoped(lines, projects)


def frame_lines(lines: LineRows) -> LineRows:
    """The part of some lines that is compared with funding frames: EU and state money only (ERDF, ESF+,
    JTF, AKKE), never the cities' or other public or private money."""
    return lines.filter(instrument__share_group=ShareGroup.EU_STATE).exclude(
        instrument__code__in=SEPARATE_INSTRUMENTS)


def frame_exists(*, agreement: Agreement | int, instrument: FundingInstrument | str, year: int) -> bool:
    """Whether TEM's allocation decision has set a frame for the agreement's instrument and year."""
    agreement_id = agreement if isinstance(agreement, int) else agreement.pk
    code = instrument.code if isinstance(instrument, FundingInstrument) else str(instrument).upper()
    return FundingFrame.objects.filter(agreement_id=agreement_id, instrument__code=code, year=year).exists()


def needs_frame(code: str) -> bool:
    """EU and state instruments (not RRF) are committed against a frame."""
    from ..choices import SHARE_GROUP_OF

    return SHARE_GROUP_OF.get(code) == ShareGroup.EU_STATE and code not in SEPARATE_INSTRUMENTS


def split_within_tolerance(*, local_percent: Decimal | None, eu_state_percent: Decimal | None) -> bool | None:
    """The one 40/60 check: local within FUNDING_SPLIT_LOCAL_TARGET ± FUNDING_SPLIT_TOLERANCE percentage
    points and EU+state within (100 − target) ± tolerance, boundaries included. ``None`` without money."""
    if local_percent is None or eu_state_percent is None:
        return None
    target_local = Decimal(settings.FUNDING_SPLIT_LOCAL_TARGET)
    tolerance = Decimal(settings.FUNDING_SPLIT_TOLERANCE)
    return (abs(local_percent - target_local) <= tolerance
            and abs(eu_state_percent - (HUNDRED - target_local)) <= tolerance)


def percentages(parts: dict[str, Decimal], total: Decimal) -> dict[str, Decimal | None]:
    """Shares of ``total`` in percent with 2 decimals that add up to exactly 100.00 (largest remainder).

    ``None`` for every part when the total is zero."""
    if not total:
        return {key: None for key in parts}
    exact = {key: value * HUNDRED / total for key, value in parts.items()}
    floored = {key: (value / CENT).to_integral_value(rounding="ROUND_FLOOR") for key, value in exact.items()}
    missing = int(HUNDRED / CENT - sum(floored.values()))
    by_remainder = sorted(parts, key=lambda key: (exact[key] / CENT - floored[key]), reverse=True)
    for key in by_remainder[:max(missing, 0)]:
        floored[key] += 1
    return {key: (floored[key] * CENT).quantize(CENT) for key in parts}


def split_of(lines: LineRows, *, basis: str = "granted") -> dict[str, Any]:
    """Local (city + other public) vs EU+state (vs private) of some lines, in euros and percent,
    compared with the indicative split (settings.FUNDING_SPLIT_LOCAL_TARGET ± FUNDING_SPLIT_TOLERANCE)."""
    field = _amount_field(basis)
    groups = {ShareGroup.LOCAL.value: ZERO, ShareGroup.EU_STATE.value: ZERO, ShareGroup.PRIVATE.value: ZERO}
    for row in lines.order_by().values("instrument__share_group").annotate(total=_money_sum(field)):
        groups[row["instrument__share_group"]] = _cents(row["total"])
    return _split_of_groups(groups, basis)


def priority_totals(lines: LineRows, *, basis: str = "granted",
                    agreement_id: int | None = None) -> list[dict[str, Any]]:
    """Totals per priority code (1–4 always present when one agreement is asked for)."""
    field = _amount_field(basis)
    rows = {row["project__priority__code"]: _cents(row["total"])
            for row in lines.order_by().values("project__priority__code").annotate(total=_money_sum(field))}
    codes = set(rows)
    if agreement_id is not None:
        codes |= {1, 2, 3, 4}
    return [{"code": code, "total": rows.get(code, ZERO)} for code in sorted(codes)]


def priority4_rule_holds(totals: dict[int, Decimal]) -> bool:
    """Priority 4 gets less than each of priorities 1–3. Nothing for priority 4 never breaks the rule."""
    p4 = totals.get(4, ZERO)
    if not p4:
        return True
    return all(p4 < totals.get(code, ZERO) for code in (1, 2, 3))


def priority4_rule_by_agreement(lines: LineRows, *, basis: str = "granted") -> dict[int, bool]:
    """Whether the rule holds, for each agreement the lines touch (one grouped query); an agreement
    without lines is absent (nothing for priority 4 never breaks the rule)."""
    field = _amount_field(basis)
    per_agreement: dict[int, dict[int, Decimal]] = {}
    for row in (lines.order_by().values("project__agreement_id", "project__priority__code")
                .annotate(total=_money_sum(field))):
        per_agreement.setdefault(row["project__agreement_id"], {})[row["project__priority__code"]] = _cents(
            row["total"])
    return {agreement_id: priority4_rule_holds(totals) for agreement_id, totals in per_agreement.items()}


def priority4_rule_ok_for(lines: LineRows, *, basis: str = "granted") -> bool:
    """The rule per agreement, for every agreement the lines touch (the country holds when each holds)."""
    return all(priority4_rule_by_agreement(lines, basis=basis).values())


# The grouping of ``funding_summary``'s one query: every breakdown it shows is a sum over these cells.
SUMMARY_CELL = ("instrument__code", "instrument__sort_order", "instrument__share_group", "project__agreement_id",
                "project__priority__code", "year")


def summary_cells(lines: LineRows, *, bases: tuple[str, ...] = BASES,
                  extra: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The lines summed per ``SUMMARY_CELL`` (and ``extra`` fields) for each basis: one grouped query with one
    sum per basis, from which ``summary_from_cells`` builds every total, split and breakdown."""
    sums = {basis: _money_sum(_amount_field(basis)) for basis in bases}
    return list(lines.order_by().values(*SUMMARY_CELL, *extra).annotate(**sums))


def summary_lines(*, agreement_id: int | None = None, projects: QuerySet[Project] | None = None,
                  as_of: dt.date | None = None) -> LineRows:
    """``countable_lines`` and ``separate_lines`` together (lines of counted projects, RRF included), for
    ``summary_cells``; ``summary_from_cells`` tells them apart by the instrument."""
    lines = line_source(as_of).exclude(project__status__in=NOT_COUNTED_STATUSES)
    if agreement_id is not None:
        lines = lines.filter(project__agreement_id=agreement_id)
    return _scoped(lines, projects)


def _split_of_groups(groups: dict[str, Decimal], basis: str) -> dict[str, Any]:
    total = sum(groups.values(), ZERO)
    percent = percentages(groups, total)
    target_local = Decimal(settings.FUNDING_SPLIT_LOCAL_TARGET)
    return {
        "basis": basis,
        "total": total,
        "local": groups["local"],
        "eu_state": groups["eu_state"],
        "private": groups["private"],
        "local_percent": percent["local"],
        "eu_state_percent": percent["eu_state"],
        "private_percent": percent["private"],
        "target_local_percent": target_local,
        "target_eu_state_percent": HUNDRED - target_local,
        "tolerance": Decimal(settings.FUNDING_SPLIT_TOLERANCE),
        "split_ok": split_within_tolerance(local_percent=percent["local"], eu_state_percent=percent["eu_state"]),
    }


def split_of_cells(cells: list[dict[str, Any]], *, basis: str = "granted") -> dict[str, Any]:
    """``split_of`` of the counted lines behind some ``summary_cells`` rows (RRF left out)."""
    groups = {ShareGroup.LOCAL.value: ZERO, ShareGroup.EU_STATE.value: ZERO, ShareGroup.PRIVATE.value: ZERO}
    for cell in cells:
        if cell["instrument__code"] not in SEPARATE_INSTRUMENTS:
            groups[cell["instrument__share_group"]] += _cents(cell[basis])
    return _split_of_groups(groups, basis)


def summary_from_cells(cells: list[dict[str, Any]], *, basis: str = "granted",
                       agreement_id: int | None = None) -> dict[str, Any]:
    """``funding_summary`` of the lines behind ``summary_cells`` rows, summed in Python (the cells are
    already sums in cents, so every figure is the same as a grouped query of its own would give)."""
    counted = [cell for cell in cells if cell["instrument__code"] not in SEPARATE_INSTRUMENTS]
    summary = split_of_cells(counted, basis=basis)
    by_priority: dict[Any, Decimal] = {}
    by_instrument: dict[tuple[Any, str], Decimal] = {}
    by_year: dict[int, Decimal] = {}
    per_agreement: dict[int, dict[int, Decimal]] = {}
    for cell in counted:
        value = _cents(cell[basis])
        priority = cell["project__priority__code"]
        by_priority[priority] = by_priority.get(priority, ZERO) + value
        key = (cell["instrument__sort_order"], cell["instrument__code"])
        by_instrument[key] = by_instrument.get(key, ZERO) + value
        by_year[cell["year"]] = by_year.get(cell["year"], ZERO) + value
        totals = per_agreement.setdefault(cell["project__agreement_id"], {})
        totals[priority] = totals.get(priority, ZERO) + value
    codes = set(by_priority)
    if agreement_id is not None:
        codes |= {1, 2, 3, 4}
    summary["by_priority"] = [{"code": code, "total": by_priority.get(code, ZERO)} for code in sorted(codes)]
    summary["by_instrument"] = [{"code": code, "total": total} for (_, code), total in sorted(by_instrument.items())]
    summary["by_year"] = [{"year": year, "total": total} for year, total in sorted(by_year.items())]
    summary["priority4_rule_ok"] = all(priority4_rule_holds(totals) for totals in per_agreement.values())
    # RRF is shown apart, outside the totals and the split.
    summary["separate"] = sum((_cents(cell[basis]) for cell in cells
                               if cell["instrument__code"] in SEPARATE_INSTRUMENTS), ZERO)
    return summary


def funding_summaries(*, agreement_id: int | None = None, projects: QuerySet[Project] | None = None,
                      bases: tuple[str, ...] = BASES, as_of: dt.date | None = None) -> dict[str, dict[str, Any]]:
    """``funding_summary`` for several bases at once, from one grouped query."""
    cells = summary_cells(summary_lines(agreement_id=agreement_id, projects=projects, as_of=as_of), bases=bases)
    return {basis: summary_from_cells(cells, basis=basis, agreement_id=agreement_id) for basis in bases}


def funding_summary(*, agreement_id: int | None = None, projects: QuerySet[Project] | None = None,
                    basis: str = "granted", as_of: dt.date | None = None) -> dict[str, Any]:
    """Totals, the 40/60 split and the priority-4 rule of an agreement, of some projects, or of the country.

    Only counted lines (``countable_lines``: no ideas, no rejected or withdrawn projects, no RRF); RRF is
    in ``separate``. Percentages are of the grand total (private
    funding included) with 2 decimals and add up to 100.00; ``None`` when the total is zero. One grouped
    query (``summary_cells``)."""
    _amount_field(basis)
    return funding_summaries(agreement_id=agreement_id, projects=projects, bases=(basis,), as_of=as_of)[basis]


def method_category_totals(*, lines: LineRows, basis: str = "granted") -> dict[str, Any]:
    """Money per method category, and the total with each project counted once. A project in several
    categories is listed in each row (so the rows may add up to more than ``total``: a table's caption
    says so when ``listed_in_several``)."""
    from django.db.models import Count

    field = _amount_field(basis)
    rows = [{"code": row["project__methods__code"], "total": _cents(row["total"]), "projects": row["projects"]}
            for row in lines.order_by().exclude(project__methods__code__isnull=True)
            .values("project__methods__code").annotate(total=_money_sum(field),
                                                       projects=Count("project", distinct=True))
            .order_by("project__methods__code")]
    total = _cents(lines.aggregate(total=_money_sum(field))["total"])
    projects = lines.order_by().values("project").distinct().count()
    return {"rows": rows, "total": total, "projects": projects,
            "listed_in_several": sum(row["projects"] for row in rows) > projects}




def theme_totals(*, lines: LineRows, basis: str = "granted") -> dict[str, Any]:
    """Money per action-plan theme (by theme id), and the total with each project counted once. A project
    under several themes is in each theme's row, so the rows may add up to more than ``total``
    (``listed_in_several`` says so); lines of projects without a theme are only in ``total``."""
    from django.db.models import Count

    field = _amount_field(basis)
    rows = {row["project__themes"]: {"total": _cents(row["total"]), "projects": row["projects"]}
            for row in lines.order_by().exclude(project__themes__isnull=True)
            .values("project__themes").annotate(total=_money_sum(field), projects=Count("project", distinct=True))}
    total = _cents(lines.aggregate(total=_money_sum(field))["total"])
    projects = lines.order_by().values("project").distinct().count()
    return {"rows": rows, "total": total, "projects": projects,
            "listed_in_several": sum(row["projects"] for row in rows.values()) > projects}

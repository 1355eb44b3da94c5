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
    if projects is not None:
        lines = lines.filter(project__in=projects.values("pk"))
    return lines


def separate_lines(*, agreement_id: int | None = None, projects: QuerySet[Project] | None = None,
                   as_of: dt.date | None = None) -> LineRows:
    """RRF lines of counted projects: shown apart, outside the 40/60 split and the totals (``as_of`` as in
    ``countable_lines``)."""
    lines = line_source(as_of).exclude(project__status__in=NOT_COUNTED_STATUSES).filter(
        instrument__code__in=SEPARATE_INSTRUMENTS)
    if agreement_id is not None:
        lines = lines.filter(project__agreement_id=agreement_id)
    if projects is not None:
        lines = lines.filter(project__in=projects.values("pk"))
    return lines


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
    total = sum(groups.values(), ZERO)
    percent = percentages(groups, total)
    target_local = Decimal(settings.FUNDING_SPLIT_LOCAL_TARGET)
    tolerance = Decimal(settings.FUNDING_SPLIT_TOLERANCE)
    split_ok = split_within_tolerance(local_percent=percent["local"], eu_state_percent=percent["eu_state"])
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
        "tolerance": tolerance,
        "split_ok": split_ok,
    }


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


def funding_summary(*, agreement_id: int | None = None, projects: QuerySet[Project] | None = None,
                    basis: str = "granted", as_of: dt.date | None = None) -> dict[str, Any]:
    """Totals, the 40/60 split and the priority-4 rule of an agreement, of some projects, or of the country.

    Only counted lines (``countable_lines``: no ideas, no rejected or withdrawn projects, no RRF); RRF is
    in ``separate``. Percentages are of the grand total (private
    funding included) with 2 decimals and add up to 100.00; ``None`` when the total is zero."""
    field = _amount_field(basis)
    lines = countable_lines(agreement_id=agreement_id, projects=projects, as_of=as_of)
    summary = split_of(lines, basis=basis)
    summary["by_priority"] = priority_totals(lines, basis=basis, agreement_id=agreement_id)
    summary["by_instrument"] = [
        {"code": row["instrument__code"], "total": _cents(row["total"])}
        for row in lines.order_by().values("instrument__code", "instrument__sort_order")
        .annotate(total=_money_sum(field)).order_by("instrument__sort_order", "instrument__code")
    ]
    summary["by_year"] = [
        {"year": row["year"], "total": _cents(row["total"])}
        for row in lines.order_by().values("year").annotate(total=_money_sum(field)).order_by("year")
    ]
    summary["priority4_rule_ok"] = priority4_rule_ok_for(lines, basis=basis)
    # RRF is shown apart, outside the totals and the split.
    summary["separate"] = _cents(separate_lines(agreement_id=agreement_id, projects=projects, as_of=as_of).aggregate(
        total=_money_sum(field))["total"])
    return summary


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

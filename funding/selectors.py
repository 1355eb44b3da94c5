"""Reads of the funding app: the 40/60 split, the priority-4 rule, frame use and financing plans.

Every figure is aggregated in the database (``Sum`` over grouped rows); Python only merges the few
grouped rows and does Decimal arithmetic on the sums.

Definitions used throughout (the agreement is silent on these; we decided; docs/counting-rules.md):
- Lines of ideas, rejected and withdrawn projects never count, nor RRF (shown apart). Correction lines
  (which may be negative) are summed with the regular lines, so every figure is net.
- Split: shares of the grand total (private money included) in percent with 2 decimals, made to add up
  to exactly 100.00 by the largest-remainder method; ``None`` when the total is zero. Within the indicative
  split when local is within ``FUNDING_SPLIT_LOCAL_TARGET`` ± ``FUNDING_SPLIT_TOLERANCE`` percentage points
  and EU+state within (100 − target) ± tolerance.
- Priority-4 rule: priority 4's total is strictly below that of each of priorities 1–3 of the same
  agreement; a priority 4 with no money never breaks it. For several agreements it must hold in each.
- Frame use per instrument and year: committed = granted on approved/running/closed projects plus the
  lines of approved (not since corrected) decisions of projects not yet marked decided; pending =
  requested lines of submitted proposals and proposals on an agenda. Committed over the frame is an error
  (``services.frame_check_commit`` refuses it); committed + pending over the frame is a warning.
- AKKE split: AKKE lines with the local and private lines of the same project and year.
- Coordination project: AKKE until the end of 2023, ERDF from 2024; other EU/state lines are flagged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from portfolio.choices import ProjectStatus
from portfolio.money import parse_amount

from .asof import frame_source, line_source
from .choices import InstrumentCode, ShareGroup
from .commitments import commitments
from .models import MONEY, ZERO, FundingFrame, FundingInstrument, FundingLine

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

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


def countable_lines(*, agreement_id: int | None = None, projects: QuerySet | None = None,
                    as_of: dt.date | None = None) -> QuerySet[FundingLine]:
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


def separate_lines(*, agreement_id: int | None = None, projects: QuerySet | None = None,
                   as_of: dt.date | None = None) -> QuerySet[FundingLine]:
    """RRF lines of counted projects: shown apart, outside the 40/60 split and the totals (``as_of`` as in
    ``countable_lines``)."""
    lines = line_source(as_of).exclude(project__status__in=NOT_COUNTED_STATUSES).filter(
        instrument__code__in=SEPARATE_INSTRUMENTS)
    if agreement_id is not None:
        lines = lines.filter(project__agreement_id=agreement_id)
    if projects is not None:
        lines = lines.filter(project__in=projects.values("pk"))
    return lines


def frame_lines(lines: QuerySet[FundingLine]) -> QuerySet[FundingLine]:
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
    from .choices import SHARE_GROUP_OF

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


def split_of(lines: QuerySet[FundingLine], *, basis: str = "granted") -> dict[str, Any]:
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


def priority_totals(lines: QuerySet[FundingLine], *, basis: str = "granted",
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


def priority4_rule_ok_for(lines: QuerySet[FundingLine], *, basis: str = "granted") -> bool:
    """The rule per agreement, for every agreement the lines touch (the country holds when each holds)."""
    field = _amount_field(basis)
    per_agreement: dict[int, dict[int, Decimal]] = {}
    for row in (lines.order_by().values("project__agreement_id", "project__priority__code")
                .annotate(total=_money_sum(field))):
        per_agreement.setdefault(row["project__agreement_id"], {})[row["project__priority__code"]] = _cents(
            row["total"])
    return all(priority4_rule_holds(totals) for totals in per_agreement.values())


def funding_summary(*, agreement_id: int | None = None, projects: QuerySet | None = None,
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


def method_category_totals(*, lines: QuerySet[FundingLine], basis: str = "granted") -> dict[str, Any]:
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


# --- splits at every level -------------------------------------------------------------------------------

def split_by(lines: QuerySet[FundingLine], *, group_field: str, basis: str = "granted") -> list[dict[str, Any]]:
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
        split_ok = split_within_tolerance(local_percent=percent["local"], eu_state_percent=percent["eu_state"])
        result.append({"key": key, "total": total, **groups, "local_percent": percent["local"],
                       "eu_state_percent": percent["eu_state"], "private_percent": percent["private"],
                       "split_ok": split_ok})
    return result


def akke_lines(lines: QuerySet[FundingLine], *, as_of: dt.date | None = None) -> QuerySet[FundingLine]:
    """The lines that make up AKKE funding: AKKE itself plus the local and private money of the same
    project and year (the own share that matches the AKKE support)."""
    akke_same_year = line_source(as_of).filter(project=OuterRef("project"), year=OuterRef("year"),
                                                instrument__code=InstrumentCode.AKKE)
    return lines.filter(Exists(akke_same_year)).filter(
        Q(instrument__code=InstrumentCode.AKKE) | ~Q(instrument__share_group=ShareGroup.EU_STATE))


def split_report(*, lines: QuerySet[FundingLine], basis: str = "granted", as_of: dt.date | None = None
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
                   as_of: dt.date | None = None) -> QuerySet[FundingLine]:
    from portfolio.models import Project

    projects = None if user is None else Project.objects.visible_to(user)
    return countable_lines(agreement_id=agreement.pk if agreement else None, projects=projects, as_of=as_of)


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

    order = dict(FundingInstrument.objects.values_list("code", "sort_order"))
    result = []
    for _key, r in sorted(rows.items(), key=lambda item: (item[0][1], order.get(item[0][0], 99), item[0][0])):
        if not (r["frame"] or r["committed"] or r["pending"]) and r["frame"] is None:
            continue
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

    projects = Project.objects.visible_to(user).filter(agreement=agreement)
    granted = funding_summary(agreement_id=agreement.pk, projects=projects, basis="granted", as_of=as_of)
    planned = funding_summary(agreement_id=agreement.pk, projects=projects, basis="planned", as_of=as_of)
    from portfolio.permissions import works_on

    this_year = (as_of or timezone.localdate()).year
    # Pending proposals are internal to the agreement's people (and the ministry).
    uses = frame_use(agreement=agreement, include_pending_proposal_ids=None if works_on(user, agreement.pk) else [],
                     as_of=as_of)
    years = sorted({u["year"] for u in uses} | set(agreement.years))
    codes = [code for code in FundingInstrument.objects.values_list("code", flat=True)
             if any(u["code"] == code for u in uses)]
    matrix = []
    for code in codes:
        cells = []
        for y in years:
            use = next((u for u in uses if u["code"] == code and u["year"] == y), None)
            cells.append({"year": y, "use": use,
                          "url": project_list_url(agreement=agreement.pk, instrument=code, year=y)})
        matrix.append({"code": code, "cells": cells, "url": project_list_url(agreement=agreement.pk, instrument=code)})
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
    return {
        "agreement": agreement,
        "granted": granted,
        "planned": planned,
        "gauge": _gauge(granted),
        "planned_gauge": _gauge(planned),
        # The indicative split is checked on regular projects; supra-regional theme networks separately.
        "regular": (regular := split_of(countable_lines(agreement_id=agreement.pk, projects=projects.filter(
            is_supra_regional=False), as_of=as_of), basis="granted")),
        "regular_gauge": _gauge(regular),
        "supra_regional": split_of(countable_lines(agreement_id=agreement.pk, projects=projects.filter(
            is_supra_regional=True), as_of=as_of), basis="granted"),
        "priorities": priorities,
        "priority4_rule_ok": granted["priority4_rule_ok"],
        "planned_priority4_rule_ok": planned["priority4_rule_ok"],
        "years": years,
        "matrix": matrix,
        "this_year": this_year,
        "this_year_use": this_year_use,
        "coordination_conflicts": list(coordination_line_conflicts(agreement_id=agreement.pk)),
        "list_url": project_list_url(agreement=agreement.pk),
    }


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

    def triple(row: dict[str, Any] | None, suffix: str = "") -> dict[str, Decimal]:
        return {kind: _cents(row[f"{kind}{suffix}"]) if row else ZERO for kind in ("planned", "granted", "spent")}

    rows = [{"instrument": instrument, "code": instrument.code,
             "cells": [triple(cells[(instrument.code, y)]) if (instrument.code, y) in cells
                       else None for y in years],
             "total": triple(by_instrument[instrument.code])}
            for instrument in instruments]
    return {
        "project": project,
        "years": years,
        "rows": rows,
        "year_totals": [triple(by_year.get(y)) for y in years],
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


# --- what-if scenarios (read only) -----------------------------------------------------------------------

def _parse_decimal(raw: str) -> Decimal | None:
    try:
        return parse_amount(raw)
    except ValidationError:
        return None


def what_if_extra_rows(query: Any, blanks: int = 2) -> list[dict[str, str]]:
    """The free 'changed amount' rows of the what-if form as typed, plus empty rows to fill."""
    columns = ("priority", "instrument", "year", "amount")
    values = {c: query.getlist(f"extra-{c}") for c in columns}
    count = max((len(v) for v in values.values()), default=0)
    rows = [{c: (values[c][i] if i < len(values[c]) else "") for c in columns} for i in range(count)]
    rows = [row for row in rows if any(row.values())]
    return rows + [{c: "" for c in columns} for _ in range(blanks)]


def what_if_lines_from_query(query: Any, *, agreement: Agreement, proposals: Iterable[Any],
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
    from .choices import SHARE_GROUP_OF

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
             "split_ok": split_within_tolerance(local_percent=percent["local"],
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


def proposal_funding_effect(*, proposal: Any) -> dict[str, Any]:
    """The effect of approving one proposal as requested (frames, 40/60 split, priority-4 rule before and
    after), for the steering group's agenda. Reads only."""
    lines = [{"instrument": row["instrument__code"], "share_group": row["instrument__share_group"],
              "year": row["year"], "amount": _cents(row["amount"]), "priority": proposal.project.priority.code,
              "source": proposal.project.code}
             for row in proposal.funding_lines.order_by("year", "instrument__sort_order").values(
                 "instrument__code", "instrument__share_group", "year", "amount")]
    return what_if_effect(agreement=proposal.project.agreement, lines=lines)


# --- the national view ------------------------------------------------------------------------------------

def agreements_comparison(*, user: AbstractBaseUser | AnonymousUser, as_of: dt.date | None = None
                          ) -> list[dict[str, Any]]:
    """The ministry's side-by-side table: per agreement the user works on, its projects, approved or running
    projects, and planned and granted euros. The euros are ``funding_summary``'s totals (the same lines
    and rules as the API and the summaries); ``as_of`` as there."""
    from portfolio.models import Agreement, Project
    from portfolio.selectors import ACTIVE_STATUSES, project_status_counts, visible_projects_source

    rows = []
    for agreement in Agreement.objects.worked_on_by(user).order_by("name"):
        projects = visible_projects_source(user=user, agreement_id=agreement.pk, as_of=as_of)
        counts = project_status_counts(projects)
        visible = Project.objects.visible_to(user)
        rows.append({
            "agreement": agreement,
            "projects": sum(counts.values()),
            "active": sum(counts[s] for s in ACTIVE_STATUSES),
            "planned": funding_summary(agreement_id=agreement.pk, projects=visible, basis="planned",
                                       as_of=as_of)["total"],
            "granted": funding_summary(agreement_id=agreement.pk, projects=visible, basis="granted",
                                       as_of=as_of)["total"],
        })
    return rows

"""Reads of the reporting app: the data a summary is compiled from, the archive and the dashboard block.

`summary_data` gathers every figure of a summary with grouped database aggregates (funding figures through
`funding.selectors`). Its result is plain JSON (Decimals as strings, dates ISO) and depends only on the
source data and the period, never on the clock, so its hash is the summary's data version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from funding.models import MONEY, ZERO, FundingInstrument
from funding.selectors import DECIDED_STATUSES, akke_lines, countable_lines, frame_use, funding_summary, split_of
from portfolio.asof import project_source
from portfolio.choices import ProjectStatus
from portfolio.models import Agreement, MethodCategory, Priority, Project
from portfolio.selectors import (
    ACTIVE_STATUSES,
    ENDING_WITHIN_DAYS,
    project_status_counts,
    projects_ended_in,
    projects_ending_within,
    projects_past_end,
)

from .choices import Audience, ReportStatus
from .models import SummaryRecipient, SummaryReport
from .periods import FIRST_YEAR, Period

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

# 2: stock figures as of the period end ("as_of"), method-category total; 3: the follow-up figures (each
# agreement's "followup", the catalogue's "indicators", the country's "enterprises_reached").
SNAPSHOT_SCHEMA = 3
LANGS = ("fi", "sv", "en")
LIST_LIMIT = 25  # projects listed per agreement in "late" and "ending"; the counts are always complete


def _money(value: Decimal | int | str | None) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def _pct(value: Decimal | int | str | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def _sum(field: str) -> Coalesce:
    return Coalesce(Sum(field), Value(ZERO), output_field=DecimalField(**MONEY))


def _names(obj: models.Model, field: str = "name") -> dict[str, str]:
    fallback = getattr(obj, field)
    return {lang: (getattr(obj, f"{field}_{lang}", None) or fallback) for lang in LANGS}


def _instrument_codes_of(sections: list[dict[str, Any]]) -> set[str]:
    """The instrument codes the agreements' funding rows and coordination lines name."""
    codes = {row["instrument"] for a in sections for row in a["funding"]["rows"]}
    return codes | {line["instrument"] for a in sections for c in a["coordination"] for line in c["lines"]}


def _in_period(field: str, period: Period) -> Q:
    """Datetimes within the period's days in Helsinki time."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _funding_block(summary: dict[str, Any]) -> dict[str, Any]:
    return {
        "total": _money(summary["total"]), "local": _money(summary["local"]),
        "eu_state": _money(summary["eu_state"]), "private": _money(summary["private"]),
        "local_percent": _pct(summary["local_percent"]), "eu_state_percent": _pct(summary["eu_state_percent"]),
        "private_percent": _pct(summary.get("private_percent")),
        "split_ok": summary.get("split_ok"),
    }


def _project_row(p: dict[str, Any]) -> dict[str, Any]:
    return {"code": p["code"], "title": p["title"], "status": p["status"],
            "end_date": p["end_date"].isoformat() if p["end_date"] else None}


def summary_as_of(period: Period) -> dt.date:
    """The day a summary's stock figures describe: the period's last day (today while it is running)."""
    return min(period.end, timezone.localdate())


def _quantity(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def enterprises_reached(totals: Any) -> dict[str, Any] | None:
    """The enterprises an indicator of every register relation counts (each enterprise once), by size class;
    None when the catalogue has no such indicator."""
    from followup.models.indicators import RegisterCount

    row = next((r for r in totals.rows if r.indicator.register_count == RegisterCount.INVOLVED), None)
    if row is None:
        return None
    return {"indicator": row.code, "count": int(row.achieved), "by_size": {k: v for k, v in row.by_size.items()}}


def followup_figures(agreement: Agreement, period: Period) -> dict[str, Any]:
    """What the agreement's projects achieved, as of the period's end: the progress reports due in the period
    by state and those overdue, the projects reporting that they are at risk or late (with their reason),
    indicators achieved against targets per priority and in total, the enterprises reached (each once), the
    late milestones and the EU money at risk of decommitment under the N+3 rule. The followup and funding
    selectors give every figure (the same ones as the pages and the API)."""
    from followup.selectors import indicator_totals
    from followup.selectors.situation import late_milestones, projects_at_risk_or_late, report_counts
    from funding.selectors import decommitment_forecast

    as_of = summary_as_of(period)
    counts = report_counts(agreement_id=agreement.pk, start=period.start, as_of=as_of)
    trouble = projects_at_risk_or_late(agreement_id=agreement.pk, as_of=as_of)
    totals = indicator_totals(user=None, agreement=agreement, as_of=as_of)
    priority_codes = {str(p.pk): p.code for p in Priority.objects.filter(agreement=agreement)}

    def indicator_rows(rows: list[Any], priority: int | None) -> list[dict[str, Any]]:
        return [{"priority": priority, "indicator": r.code, "target": _quantity(r.target),
                 "achieved": _quantity(r.achieved), "percent": None if r.percent is None else str(r.percent)}
                for r in rows if r.has_figures]

    indicators = []
    for group in sorted(totals.breakdowns["priority"], key=lambda g: priority_codes.get(g.key, 99)):
        indicators += indicator_rows(group.rows, priority_codes.get(group.key))
    indicators += indicator_rows(totals.rows, None)
    late = late_milestones(agreement_id=agreement.pk, as_of=as_of)
    forecast = decommitment_forecast(agreement=agreement, as_of=as_of)
    return {
        "reports": {"due": counts.due, "submitted": counts.submitted, "accepted": counts.accepted,
                    "returned": counts.returned, "not_submitted": counts.not_submitted, "overdue": counts.overdue},
        "at_risk_or_late": {
            "count": len(trouble),
            "projects": [{"code": t.code, "title": t.title, "status": t.status, "reason": t.reason,
                          "period_start": t.period_start.isoformat(), "period_end": t.period_end.isoformat()}
                         for t in trouble[:LIST_LIMIT]]},
        "indicators": indicators,
        "enterprises": enterprises_reached(totals),
        "late_milestones": {
            "count": len(late),
            "items": [{"project": m.project_code, "title": m.title, "planned_date": m.planned_date.isoformat(),
                       "actual_date": m.actual_date.isoformat() if m.actual_date else None}
                      for m in late[:LIST_LIMIT]]},
        "decommitment": {
            "at_risk": _money(sum((row.at_risk for row in forecast), Decimal(0))),
            "rows": [{"instrument": row.code, "year": row.year, "deadline": row.deadline.isoformat(),
                      "granted": _money(row.granted), "spent": _money(row.spent), "forecast": _money(row.forecast),
                      "at_risk": _money(row.at_risk), "started": row.started} for row in forecast]},
    }


def _indicator_catalogue(sections: list[dict[str, Any]]) -> dict[str, Any]:
    """The names (each language), units and counting of the indicators the follow-up tables name; only
    those, so that a new indicator in the catalogue does not change an old period's data version."""
    from followup.models import Indicator

    codes = {row["indicator"] for a in sections for row in a["followup"]["indicators"]}
    codes |= {a["followup"]["enterprises"]["indicator"] for a in sections if a["followup"]["enterprises"]}
    return {i.code: {"name": _names(i), "unit": i.unit, "cumulative": i.is_cumulative, "decimal": i.is_decimal,
                     "from_register": i.from_register}
            for i in Indicator.objects.filter(code__in=codes).order_by("sort_order", "code")}


def agreement_figures(agreement: Agreement, period: Period) -> dict[str, Any]:
    """Every indicator of one agreement for a period (and cumulatively since 2021).

    Stock figures (statuses, plan, granted and spent to date, frames, splits, late and ending projects) are
    the state at the end of the period's last day (``summary_as_of``); flow figures (new ideas, proposals,
    decisions, started and ended projects, the change in granted and spent money) are what happened within
    the period. A later edit therefore never changes the summary of a past period."""
    from governance.models import Decision, Proposal

    as_of = summary_as_of(period)
    projects = project_source(as_of).filter(agreement_id=agreement.pk)
    by_status = project_status_counts(projects)
    lines = countable_lines(agreement_id=agreement.pk, as_of=as_of)

    # Projects, planned and granted money per priority; per method category (a project may use several).
    prio_counts = dict(projects.order_by().values_list("priority__code").annotate(n=Count("id")))
    prio_money: dict[int, Mapping[str, Any]] = {
        row["project__priority__code"]: row for row in lines.order_by().values("project__priority__code")
        .annotate(planned=_sum("planned_amount"), granted=_sum("granted_amount"), spent=_sum("spent_amount"))}
    by_priority = [{"code": code, "projects": prio_counts.get(code, 0),
                    "planned": _money(prio_money.get(code, {}).get("planned")),
                    "granted": _money(prio_money.get(code, {}).get("granted")),
                    "spent": _money(prio_money.get(code, {}).get("spent"))} for code in (1, 2, 3, 4)]
    # The table lists a project under each of its categories; the total counts it (and its money) once.
    method_counts = dict(projects.filter(methods__isnull=False).order_by().values_list("methods__code")
                         .annotate(n=Count("id", distinct=True)))
    method_money = {row["project__methods__code"]: row["granted"] for row in lines.order_by()
                    .values("project__methods__code").annotate(granted=_sum("granted_amount"))}
    by_method = [{"code": code, "projects": method_counts.get(code, 0), "granted": _money(method_money.get(code))}
                 for code in (1, 2, 3)]
    with_method = projects.filter(methods__isnull=False).values_list("id", flat=True)
    method_total = {"projects": projects.filter(id__in=with_method).count(),
                    "granted": _money(lines.filter(project_id__in=with_method).aggregate(
                        s=_sum("granted_amount"))["s"])}

    # Pipeline activity in the period (decisions are dated by their meeting).
    proposals = Proposal.objects.filter(project__agreement=agreement)
    decisions = Decision.objects.filter(proposal__project__agreement=agreement)
    # A decision belongs to its meeting's day, not to the moment it was typed in.
    decided_in_period = dict(decisions.filter(decided_on__range=(period.start, period.end)).order_by()
                             .values_list("outcome").annotate(n=Count("pk")))
    before = period.start - dt.timedelta(days=1)
    granted_then = {basis: funding_summary(agreement_id=agreement.pk, basis=basis, as_of=before)["total"]
                    for basis in ("granted", "spent")}
    activity = {
        "new_ideas": projects.filter(_in_period("created_at", period)).count(),
        "new_proposals": proposals.filter(_in_period("submitted_at", period)).count(),
        "decisions": sum(decided_in_period.values()),
        "decisions_by_outcome": {k: decided_in_period[k] for k in sorted(decided_in_period)},
        "started": projects.filter(status__in=DECIDED_STATUSES, start_date__gte=period.start,
                                   start_date__lte=as_of).count(),
        "ended": projects_ended_in(projects, start=period.start, as_of=as_of).count(),
    }

    # Frames vs committed vs planned vs spent by instrument and year.
    use = {(u["code"], u["year"]): u for u in frame_use(agreement=agreement, as_of=as_of)}
    money = {(r["instrument__code"], r["year"]): r for r in lines.order_by().values("instrument__code", "year")
             .annotate(planned=_sum("planned_amount"), granted=_sum("granted_amount"), spent=_sum("spent_amount"))}
    order = dict(FundingInstrument.objects.values_list("code", "sort_order"))
    funding_rows: list[dict[str, Any]] = []
    for code, year in sorted(set(use) | set(money), key=lambda k: (k[1], order.get(k[0], 99), k[0])):
        u: Mapping[str, Any] = use.get((code, year), {})
        m: Mapping[str, Any] = money.get((code, year), {})
        frame = u.get("frame")
        funding_rows.append({
            "instrument": code, "year": year, "frame": None if frame is None else _money(frame),
            "committed": _money(u.get("committed")), "pending": _money(u.get("pending")),
            "planned": _money(m.get("planned")), "granted": _money(m.get("granted")), "spent": _money(m.get("spent")),
        })

    def totals_for(first_year: int | None, last_year: int | None) -> dict[str, str]:
        """Sums of the grouped rows above over a range of years (no further queries)."""
        def within(year: int) -> bool:
            return (first_year is None or year >= first_year) and (last_year is None or year <= last_year)

        sums = {key: sum((Decimal(r[key]) for r in funding_rows if within(r["year"]) and r[key] is not None),
                         Decimal("0.00")) for key in ("frame", "planned", "granted", "spent")}
        return {key: _money(value) for key, value in sums.items()}

    granted = funding_summary(agreement_id=agreement.pk, basis="granted", as_of=as_of)
    planned = funding_summary(agreement_id=agreement.pk, basis="planned", as_of=as_of)
    spent_total = funding_summary(agreement_id=agreement.pk, basis="spent", as_of=as_of)["total"]
    activity["granted_change"] = _money(granted["total"] - granted_then["granted"])
    activity["spent_change"] = _money(spent_total - granted_then["spent"])
    p4 = {row["code"]: row["total"] for row in granted["by_priority"]}
    p4_planned = {row["code"]: row["total"] for row in planned["by_priority"]}

    active = projects.filter(status__in=ACTIVE_STATUSES)
    international = active.exclude(internationalisation="").count()
    active_count = active.count()

    late_qs = projects_past_end(projects, as_of=as_of)
    ending_qs = projects_ending_within(projects, as_of=as_of, days=ENDING_WITHIN_DAYS)
    fields = ("code", "title", "status", "end_date")

    coordination = []
    for project in projects.filter(is_coordination_project=True).order_by("code"):
        c_lines = countable_lines(projects=Project.objects.filter(pk=project.id), as_of=as_of)
        coordination.append({
            "code": project.code, "title": project.title, "status": project.status,
            "start_date": project.start_date.isoformat() if project.start_date else None,
            "end_date": project.end_date.isoformat() if project.end_date else None,
            "lines": [{"instrument": r["instrument__code"], "year": r["year"], "planned": _money(r["planned"]),
                       "granted": _money(r["granted"]), "spent": _money(r["spent"])}
                      for r in c_lines.order_by().values("instrument__code", "instrument__sort_order", "year")
                      .annotate(planned=_sum("planned_amount"), granted=_sum("granted_amount"),
                                spent=_sum("spent_amount")).order_by("year", "instrument__sort_order")],
            "granted": _funding_block(split_of(c_lines, basis="granted")),
        })

    return {
        "id": agreement.pk, "code": agreement.code, "name": _names(agreement), "region": agreement.region,
        "priorities": {str(p.code): _names(p) for p in Priority.objects.filter(agreement=agreement).order_by("code")},
        "projects": {
            "total": sum(by_status.values()),
            "by_status": {s: by_status.get(s, 0) for s in ProjectStatus.values},
            "by_priority": by_priority,
            "by_method": by_method,
            "method_total": method_total,
        },
        "activity": activity,
        "funding": {
            "rows": funding_rows,
            "period": totals_for(period.start.year, period.end.year),
            "cumulative": totals_for(FIRST_YEAR, period.end.year),
            "all_years": totals_for(None, None),
        },
        "split": {"granted": _funding_block(granted), "planned": _funding_block(planned),
                  "akke_granted": _funding_block(split_of(akke_lines(lines, as_of=as_of), basis="granted")),
                  "akke_planned": _funding_block(split_of(akke_lines(lines, as_of=as_of), basis="planned"))},
        "priority4": {"granted_ok": granted["priority4_rule_ok"], "planned_ok": planned["priority4_rule_ok"],
                      "granted": {str(k): _money(v) for k, v in sorted(p4.items())},
                      "planned": {str(k): _money(v) for k, v in sorted(p4_planned.items())}},
        "internationalisation": {
            "active_projects": active_count, "with_internationalisation": international,
            "percent": _pct(Decimal(international) * 100 / active_count) if active_count else None,
        },
        "late": {"count": late_qs.count(), "projects": [_project_row(p) for p in late_qs.values(*fields)[:LIST_LIMIT]]},
        "ending": {"count": ending_qs.count(),
                   "projects": [_project_row(p) for p in ending_qs.values(*fields)[:LIST_LIMIT]]},
        "coordination": coordination,
        "followup": followup_figures(agreement, period),
    }


def summary_data(*, audience: str, period: Period, agreement_id: int | None = None) -> dict[str, Any]:
    """The source data of one summary: one agreement (steering) or every agreement side by side (national)."""
    if audience == Audience.STEERING:
        agreements = list(Agreement.objects.filter(pk=agreement_id)) if agreement_id is not None else []
        if not agreements:
            raise Agreement.DoesNotExist(f"agreement {agreement_id} does not exist")
    else:
        agreements = list(Agreement.objects.order_by("code"))
    sections = [agreement_figures(a, period) for a in agreements]
    data: dict[str, Any] = {
        "schema": SNAPSHOT_SCHEMA,
        "audience": audience,
        "as_of": summary_as_of(period).isoformat(),
        "period": {"code": period.code, "kind": period.kind, "start": period.start.isoformat(),
                   "end": period.end.isoformat()},
        "methods": {str(m.code): _names(m) for m in MethodCategory.objects.order_by("code")},
        # The names in each language of the instruments the tables show ("EAKR" / "ERUF" / "ERDF", not the
        # code); only those, so that a new instrument elsewhere does not change an old period's data version.
        "instruments": {i.code: _names(i) for i in FundingInstrument.objects.filter(
            code__in=_instrument_codes_of(sections)).order_by("sort_order", "code")},
        "indicators": _indicator_catalogue(sections),
        "agreements": sections,
    }
    if audience == Audience.NATIONAL:
        from followup.selectors import indicator_totals

        as_of = summary_as_of(period)
        country_granted = funding_summary(basis="granted", as_of=as_of)
        country_planned = funding_summary(basis="planned", as_of=as_of)
        country_projects = project_source(as_of)
        status_counts = project_status_counts(country_projects)
        data["country"] = {
            "agreements": len(sections),
            "projects": sum(status_counts.values()),
            "by_status": status_counts,
            "granted": _funding_block(country_granted),
            "planned": _funding_block(country_planned),
            "priority4_all_ok": country_granted["priority4_rule_ok"],
            "decided_projects": country_projects.filter(status__in=DECIDED_STATUSES).count(),
            # Each enterprise once across the country (an enterprise two agreements reach is one here).
            "enterprises_reached": enterprises_reached(indicator_totals(user=None, as_of=as_of)),
        }
    return data


def data_version_of(data: dict[str, Any]) -> str:
    """The hash of a summary's source data: equal data, equal version."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- key indicators and changes since the previous summary -----------------------------------------------

def key_indicators(section: dict[str, Any]) -> dict[str, str | int | bool | None]:
    """The handful of figures the narrative compares between two summaries of an agreement."""
    return {
        "projects": section["projects"]["total"],
        "running": section["projects"]["by_status"].get(ProjectStatus.RUNNING, 0),
        "approved": section["projects"]["by_status"].get(ProjectStatus.APPROVED, 0),
        "closed": section["projects"]["by_status"].get(ProjectStatus.CLOSED, 0),
        "ideas": section["projects"]["by_status"].get(ProjectStatus.IDEA, 0),
        "proposals": section["projects"]["by_status"].get(ProjectStatus.PROPOSAL, 0),
        "granted": section["split"]["granted"]["total"],
        "planned": section["split"]["planned"]["total"],
        "spent": section["funding"]["all_years"]["spent"],
        "local_percent": section["split"]["granted"]["local_percent"],
        "priority4_ok": section["priority4"]["granted_ok"],
        "late": section["late"]["count"],
    }


# The progress-report states the follow-up compares (followup_figures' "reports"), in the tables' order.
FOLLOWUP_REPORT_KEYS = ("due", "submitted", "accepted", "returned", "not_submitted", "overdue")
# A follow-up figure: (what, indicator code, priority code); the code and priority only of indicator rows.
FollowupKey = tuple[str, str | None, int | None]


def _indicator_figure(value: str | None, decimal: bool) -> str | int | None:
    """An indicator's target or achieved figure as the changes keep it: a count as a whole number, euros and
    FTE as a decimal string."""
    if value is None or decimal:
        return value
    return int(Decimal(value))


def followup_key_figures(section: dict[str, Any], catalogue: dict[str, Any]) -> dict[FollowupKey, Any] | None:
    """The follow-up figures of one agreement's section that the changes since the previous summary compare:
    the progress reports due in the period by state and those overdue (``reports_<state>``), each indicator
    row's target and achieved figure per priority and in total (``indicator_target`` / ``indicator_achieved``
    with the indicator's code and the priority, None for all priorities), the enterprises reached
    (``enterprises``) and the EU money at risk under the N+3 rule (``decommitment_at_risk``). ``catalogue``
    is the summary's indicator catalogue (``_indicator_catalogue``: counts are whole numbers). None for a
    section compiled before the follow-up tables (snapshot schema < 3)."""
    followup = section.get("followup")
    if followup is None:
        return None
    figures: dict[FollowupKey, Any] = {
        (f"reports_{key}", None, None): followup["reports"][key] for key in FOLLOWUP_REPORT_KEYS}
    for row in followup["indicators"]:
        decimal = bool((catalogue.get(row["indicator"]) or {}).get("decimal", True))
        for field in ("achieved", "target"):
            figures[(f"indicator_{field}", row["indicator"], row["priority"])] = _indicator_figure(row[field], decimal)
    if followup["enterprises"] is not None:
        figures[("enterprises", None, None)] = followup["enterprises"]["count"]
    figures[("decommitment_at_risk", None, None)] = followup["decommitment"]["at_risk"]
    return figures


def _followup_change(agreement: str, key: FollowupKey, before: Any, after: Any, **flags: bool) -> dict[str, Any]:
    what, code, priority = key
    item: dict[str, Any] = {"agreement": agreement, "indicator": what, "before": before, "after": after}
    if code is not None:
        item.update(code=code, priority=priority)
    return {**item, **flags}


def followup_changes(section: dict[str, Any], catalogue: dict[str, Any], previous_section: dict[str, Any],
                     previous_catalogue: dict[str, Any]) -> list[dict[str, Any]]:
    """The follow-up figures (``followup_key_figures``) that differ from the previous summary's. A figure the
    previous summary did not have is marked ``new`` (its ``before`` is None), one this summary no longer has
    ``gone``; when the previous summary was compiled before the follow-up tables, one ``followup`` item
    marked ``new`` says so."""
    now = followup_key_figures(section, catalogue)
    if now is None:
        return []
    then = followup_key_figures(previous_section, previous_catalogue)
    code = section["code"]
    if then is None:
        return [{"agreement": code, "indicator": "followup", "before": None, "after": None, "new": True}]
    items = []
    for key, after in now.items():
        if key not in then:
            items.append(_followup_change(code, key, None, after, new=True))
        elif then[key] != after:
            items.append(_followup_change(code, key, then[key], after))
    items += [_followup_change(code, key, before, None, gone=True) for key, before in then.items() if key not in now]
    return items


def summary_changes(data: dict[str, Any], previous: SummaryReport | None) -> dict[str, Any]:
    """Differences against the previous summary's snapshot: of the key indicators (``key_indicators``) and
    of the follow-up figures (``followup_changes``)."""
    if previous is None or not previous.snapshot:
        return {"previous": None, "items": []}
    previous_data = previous.snapshot.get("data", {})
    previous_sections = {a["code"]: a for a in previous_data.get("agreements", [])}
    items = []
    for section in data["agreements"]:
        previous_section = previous_sections.get(section["code"])
        if previous_section is None:
            items.append({"agreement": section["code"], "indicator": "new_agreement", "before": None, "after": None})
            continue
        old = key_indicators(previous_section)
        for key, after in key_indicators(section).items():
            if old.get(key) != after:
                items.append({"agreement": section["code"], "indicator": key, "before": old.get(key), "after": after})
        items += followup_changes(section, data.get("indicators") or {}, previous_section,
                                  previous_data.get("indicators") or {})
    return {"previous": {"id": previous.pk, "period": previous.period, "version": previous.version,
                         "completed_at": previous.snapshot.get("compiled_at")}, "items": items}


def previous_summary(report: SummaryReport) -> SummaryReport | None:
    """The latest finished summary of the same audience and agreement before this one."""
    return (
        SummaryReport.objects.done()
        .filter(audience=report.audience, agreement_id=report.agreement_id, period_end__lte=report.period_end)
        .exclude(pk=report.pk)
        .exclude(snapshot__isnull=True)
        .filter(Q(period_end__lt=report.period_end) | Q(version__lt=report.version))
        .order_by("-period_end", "-version")
        .first()
    )


# --- lists --------------------------------------------------------------------------------------------------

def report_list(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[SummaryReport]:
    return SummaryReport.objects.visible_to(user).select_related("agreement", "requested_by").order_by(
        "-period_end", "audience", "agreement__name", "-version")


def dashboard_reports(*, user: AbstractBaseUser | AnonymousUser, limit: int = 5,
                      can_compile: bool | None = None) -> dict[str, Any]:
    """The dashboard block: the latest finished summaries the user may download, and jobs still running.
    ``can_compile``: ``can_request_any_summary(user)`` when the caller has it already (the dashboard caches it)."""
    from django.db.models import BooleanField, Case, F, When, Window
    from django.db.models.functions import RowNumber

    from .permissions import can_request_any_summary

    # One query: the finished (newest first, one more than shown: it tells "has more") and the running (the
    # latest requested first), numbered within each group.
    visible = SummaryReport.objects.visible_to(user)
    rows = list((visible.done() | visible.in_flight()).select_related("agreement")
                .annotate(finished=Case(When(status=ReportStatus.DONE, then=Value(True)), default=Value(False),
                                        output_field=BooleanField()))
                .annotate(rank=Window(RowNumber(), partition_by=[F("finished")], order_by=[
                    Case(When(finished=True, then=F("completed_at")), default=F("created_at")).desc(),
                    F("pk").desc()]))
                .filter(rank__lte=limit + 1).order_by("rank"))
    latest = [row for row in rows if row.finished]
    running = [row for row in rows if not row.finished][:limit]
    return {
        "reports": latest[:limit],
        "running": running,
        "can_compile": can_request_any_summary(user) if can_compile is None else can_compile,
        "has_more": len(latest) > limit,
    }


def summaries_awaiting_review(*, user: AbstractBaseUser | AnonymousUser, limit: int = 20) -> dict[str, Any]:
    """The dashboard block for reviewers: the compiled drafts waiting for a narrative and approval, and the
    approved summaries not yet sent to everyone, of the summaries the user reviews (permissions.
    can_review_summary): their agreements' steering summaries, and the national ones for the ministry."""
    from .choices import DeliveryStatus, ReviewStatus
    from .permissions import can_request_summary

    agreement_ids = [pk for pk in Agreement.objects.worked_on_ids(user)
                     if can_request_summary(user, audience=Audience.STEERING, agreement=pk)]
    scope = Q(audience=Audience.STEERING, agreement_id__in=agreement_ids) if agreement_ids else Q(pk__in=[])
    reviews_national = can_request_summary(user, audience=Audience.NATIONAL, agreement=None)
    if reviews_national:
        scope |= Q(audience=Audience.NATIONAL)
    rows = (SummaryReport.objects.visible_to(user).done().filter(scope)
            .filter(review_status__in=[ReviewStatus.DRAFT, ReviewStatus.APPROVED])
            .select_related("agreement")
            .annotate(failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)))
            .order_by("-review_status", "completed_at", "pk"))  # drafts first, the oldest first
    first = list(rows[:limit + 1])  # one more tells whether to count the rest
    return {"reviews": bool(agreement_ids) or reviews_national, "rows": first[:limit],
            "more": rows.count() - limit if len(first) > limit else 0}


# --- the audience and the reviewers of a summary (issue 18) -------------------------------------------------

@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    user: Any = None
    attachments: bool = False  # a named recipient whose entry allows the files (see attachments_allowed)


def attachments_allowed() -> bool:
    """REPORT_ATTACHMENTS_TO_NAMED_RECIPIENTS (default off): whether any summary file may travel by e-mail."""
    return bool(getattr(settings, "REPORT_ATTACHMENTS_TO_NAMED_RECIPIENTS", False))


def _language_or_default(code: str | None) -> str:
    return code if code in dict(settings.LANGUAGES) else "fi"


def configured_national_recipients() -> list[Recipient]:
    """REPORT_NATIONAL_RECIPIENTS: addresses outside the portal's groups who receive the national summary
    (TEM's own list), each as "address" or "address:language" (fi, sv, en; Finnish when none is given)."""
    recipients = []
    for entry in getattr(settings, "REPORT_NATIONAL_RECIPIENTS", []) or []:
        email, _sep, language = str(entry).strip().partition(":")
        if email:
            recipients.append(Recipient(email=email.strip(), language=_language_or_default(language.strip())))
    return recipients


def summary_audience(report: SummaryReport) -> list[Recipient]:
    """Who receives an approved summary: the active members of the agreement's steering group, or of the
    national steering group plus the configured national recipients. Each in the language of correspondence
    of their seat (Finnish when unknown); an address once, inactive accounts and empty addresses left out."""
    from governance.choices import GroupKind
    from governance.models import Membership

    seats = Membership.objects.active().filter(user__is_active=True).exclude(user__email="").select_related("user")
    if report.audience == Audience.STEERING:
        seats = seats.filter(group__kind=GroupKind.REGIONAL, group__agreement_id=report.agreement_id)
    else:
        seats = seats.filter(group__kind=GroupKind.NATIONAL)
    recipients = [Recipient(email=seat.user.email, language=_language_or_default(seat.language), user=seat.user)
                  for seat in seats.order_by("user__email", "pk")]
    group = audience_group(report)
    if group is not None:
        allowed = attachments_allowed()
        recipients += [Recipient(email=r.email, language=_language_or_default(r.language),
                                 attachments=allowed and r.attachments)
                       for r in SummaryRecipient.objects.filter(group=group, removed_at__isnull=True).order_by("email")]
    if report.audience == Audience.NATIONAL:
        recipients += configured_national_recipients()
    seen: set[str] = set()
    unique = []
    for recipient in recipients:
        if recipient.email.lower() not in seen:
            seen.add(recipient.email.lower())
            unique.append(recipient)
    return unique


def audience_group(report: SummaryReport) -> Any:
    """The steering group a summary is for: the agreement's, or the national steering group."""
    from governance.choices import GroupKind
    from governance.models import SteeringGroup

    groups = SteeringGroup.objects.order_by("pk")
    if report.audience == Audience.STEERING:
        return groups.filter(kind=GroupKind.REGIONAL, agreement_id=report.agreement_id).first()  # type: ignore[misc]  # set for steering
    return groups.filter(kind=GroupKind.NATIONAL).first()


def recipient_list(*, group: Any) -> dict[str, Any]:
    """A group's recipients: its active members (their language of correspondence), the additional
    recipients on the list now, those removed, and every change of language or attachments (the history)."""
    from governance.models import Membership

    from .models import RecipientChange

    rows = SummaryRecipient.objects.filter(group=group).select_related("added_by", "removed_by")
    return {"members": list(Membership.objects.active().filter(group=group, user__is_active=True)
                            .select_related("user").order_by("user__last_name", "user__first_name", "user__email",
                                                             "pk")),
            "active": list(rows.filter(removed_at__isnull=True).order_by("email")),
            "removed": list(rows.filter(removed_at__isnull=False).order_by("-removed_at", "email")),
            "changes": list(RecipientChange.objects.filter(group=group).select_related("by")[:100]),
            "attachments_allowed": attachments_allowed()}


def summary_reviewers(report: SummaryReport) -> list[Any]:
    """Who reviews and approves a summary (see permissions.can_review_summary): the coordinators of its
    agreement, or the ministry staff for the national summary. Active accounts with an address."""
    from django.contrib.auth import get_user_model

    from portfolio.models import AgreementAccess
    from portfolio.roles import Role

    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    if report.audience == Audience.STEERING:
        access = AgreementAccess.objects.filter(agreement_id=report.agreement_id)  # type: ignore[misc]  # set
        users = users.filter(groups__name=Role.COORDINATOR, pk__in=access.values("user_id"))
    else:
        users = users.filter(groups__name=Role.MINISTRY)
    return list(users.distinct().order_by("email"))


def summary_review(*, report: SummaryReport) -> dict[str, Any]:
    """What the summary page shows of the review: the history, the deliveries and the corrections."""
    return {
        "events": list(report.review_events.select_related("by").order_by("at", "pk")),
        "deliveries": list(report.deliveries.order_by("email")),
        "corrections": list(report.corrections.order_by("version")),
        "correction_of": report.correction_of,
    }


__all__ = ["agreement_figures", "summary_data", "data_version_of", "summary_changes", "previous_summary",
           "followup_key_figures", "followup_changes",
           "report_list", "dashboard_reports", "key_indicators", "ReportStatus"]


# --- the national view (issue 13) ---------------------------------------------------------------------------
# Every agreement side by side on the same measures, read from the selectors the dashboard and the summaries
# use: money and pipeline from funding.selectors.agreements_comparison / country_comparison, progress reports
# from followup.selectors.progress_status_counts, indicators and enterprises from indicator_totals.

# The indicators the national view compares (catalogue codes; their names and units come from the catalogue).
NATIONAL_KEY_INDICATORS = ("RCO02", "RCO10", "RCR01", "RCR02")
# Enterprises reached: the Commission's "enterprises supported", each enterprise once (by business ID) per
# agreement and once for the country.
NATIONAL_ENTERPRISES_INDICATOR = "RCO01"
NATIONAL_SORTS = ("name", "planned", "granted", "spent", "local_percent", "projects", "enterprises")


@dataclass
class NationalView:
    as_of: dt.date
    indicators: list[Any]  # the key indicators (followup.models.Indicator), in NATIONAL_KEY_INDICATORS order
    enterprises_indicator: Any
    rows: list[dict[str, Any]]
    country: dict[str, Any]


def _indicator_cells(rows: Mapping[str, Any] | None, codes: tuple[str, ...]) -> list[Any]:
    return [None if rows is None else rows.get(code) for code in codes]


def national_view(*, user: AbstractBaseUser | AnonymousUser, as_of: dt.date | None = None,
                  sort: str = "name", descending: bool = False) -> NationalView:
    """The national view: one row per agreement the user may see, and the country's totals row. Each row:
    ``money`` (an ``agreements_comparison`` row), ``progress`` (``progress_status_counts``), ``indicators``
    (the key indicators' ``IndicatorRow``s, None where the user does not work on the agreement or it has
    no counted project) and ``enterprises`` (the RCO01 row: each enterprise once in the agreement; in the
    country row once in the country). The number of queries does not depend on the number of agreements."""
    from followup.selectors import indicator_totals, no_progress_counts, progress_status_counts
    from funding.selectors import NOT_COUNTED_STATUSES, agreements_comparison, country_comparison

    day = as_of or timezone.localdate()
    money_rows = agreements_comparison(user=user, as_of=as_of)
    counted = Project.objects.visible_to(user).exclude(status__in=NOT_COUNTED_STATUSES)
    progress = progress_status_counts(projects=counted, as_of=as_of)
    totals = indicator_totals(user=user, agreement=None, as_of=as_of)
    country_indicators = {row.code: row for row in totals.rows}
    by_agreement = {group.key: {row.code: row for row in group.rows} for group in totals.breakdowns["agreement"]}
    codes = tuple(code for code in NATIONAL_KEY_INDICATORS if code in country_indicators)
    rows = []
    for money in money_rows:
        indicators = by_agreement.get(str(money["agreement"].pk))
        rows.append({
            "agreement": money["agreement"], "full": money["full"], "money": money,
            "progress": progress.get(money["agreement"].pk, no_progress_counts()),
            "indicators": _indicator_cells(indicators, codes),
            "enterprises": None if indicators is None else indicators.get(NATIONAL_ENTERPRISES_INDICATOR),
        })
    country_progress = no_progress_counts()
    for counts in progress.values():
        for key, n in counts.items():
            country_progress[key] += n
    country = {"money": country_comparison(user=user, as_of=as_of), "progress": country_progress,
               "indicators": _indicator_cells(country_indicators, codes),
               "enterprises": country_indicators.get(NATIONAL_ENTERPRISES_INDICATOR)}
    rows.sort(key=_national_sort_key(sort), reverse=descending)
    enterprises = country_indicators.get(NATIONAL_ENTERPRISES_INDICATOR)
    return NationalView(as_of=day, indicators=[country_indicators[code].indicator for code in codes],
                        enterprises_indicator=enterprises.indicator if enterprises else None,
                        rows=rows, country=country)


def _national_sort_key(sort: str) -> Any:
    """Rows by a column; rows without the figure last in ascending order, the name breaking ties."""
    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        name = str(row["agreement"].name).casefold()
        if sort == "projects":
            return (row["money"]["projects"], name)
        if sort in ("planned", "granted", "spent"):
            return (row["money"][sort], name)
        if sort == "local_percent":
            value = row["money"]["split"]["granted"]["local_percent"]
            return (value is not None, value or Decimal(0), name)
        if sort == "enterprises":
            reached = row["enterprises"]
            return (reached is not None, reached.achieved if reached else Decimal(0), name)
        return (name,)
    return key


def national_export_rows(view: NationalView) -> tuple[list[str], list[list[Any]]]:
    """Column headings and rows of the national view's download: the same figures as the page, one row per
    agreement and the country's totals row last."""
    from django.utils.translation import gettext as _
    from django.utils.translation import pgettext

    headings = [_("Agreement"), _("Planned (€)"), _("Granted (€)"), _("Spent (€)"),
                _("Local share of granted (per cent)"), _("EU and state share of granted (per cent)"),
                _("Within the 40/60 split"), _("Priority-4 rule holds"),
                *[str(label) for label in ProjectStatus.labels],
                _("On track"), _("At risk"), pgettext("progress status", "Late"), _("No report yet"),
                _("Overdue reports")]
    for indicator in view.indicators:
        unit = indicator.get_unit_display()
        headings += [f"{indicator.code} {_('target')} ({unit})", f"{indicator.code} {_('achieved')} ({unit})"]
    headings.append(_("Enterprises reached (%(code)s)") % {"code": NATIONAL_ENTERPRISES_INDICATOR})

    def yes_no(value: bool | None) -> str:
        return "" if value is None else (_("yes") if value else _("no"))

    def line(name: str, row: dict[str, Any]) -> list[Any]:
        money, progress = row["money"], row["progress"]
        granted = money["split"]["granted"]
        cells: list[Any] = [name, money["planned"], money["granted"], money["spent"], granted["local_percent"],
                            granted["eu_state_percent"], yes_no(granted["split_ok"]),
                            yes_no(money["priority4_ok"]["granted"]),
                            *[money["by_status"][code] for code in ProjectStatus.values],
                            progress["on_track"], progress["at_risk"], progress["late"], progress["unreported"],
                            progress["overdue"]]
        for cell in row["indicators"]:
            cells += [None, None] if cell is None else [cell.target, cell.achieved]
        cells.append(None if row["enterprises"] is None else row["enterprises"].achieved)
        return cells

    rows = [line(str(row["agreement"].name), row) for row in view.rows]
    rows.append(line(_("All agreements"), view.country))
    return headings, rows

"""The situation picture of an agreement on a day, for the periodic summaries: how the progress reports stand,
which projects report that they are at risk or late and why, and which milestones are late. Each figure is
read as it stood at the end of ``as_of`` (the reports' and milestones' history rows; the live tables for
today), so a later edit never changes a past period's summary. Indicators and enterprises come from
``indicators.indicator_totals``, the money at risk from ``funding.selectors.decommitment_forecast``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from funding.selectors import NOT_COUNTED_STATUSES
from portfolio.asof import is_live, latest_rows, project_source

from ..models import Milestone, ProgressReport
from ..models.indicators import late_q
from ..models.reports import ReportStatus, ReviewState

OPEN_STATES = (ReviewState.DRAFT, ReviewState.RETURNED)


def _counted_project_ids(agreement_id: int, as_of: dt.date) -> QuerySet[Any]:
    """The agreement's projects that figures count on the day (no ideas, rejected or withdrawn projects)."""
    return (project_source(as_of).filter(agreement_id=agreement_id).exclude(status__in=NOT_COUNTED_STATUSES)
            .values("id"))


def reports_as_of(*, agreement_id: int, as_of: dt.date) -> QuerySet[Any]:
    """The progress reports of the agreement's counted projects as they stood at the end of ``as_of``: the
    live rows today, the history rows (with the same field names) for an earlier day."""
    rows: QuerySet[Any] = (ProgressReport.objects.all() if is_live(as_of)
                           else ProgressReport.history.model.objects.filter(  # type: ignore[attr-defined]
                               history_id__in=latest_rows(ProgressReport.history.model,  # type: ignore[attr-defined]
                                                          as_of).values("history_id")))
    return rows.filter(project_id__in=_counted_project_ids(agreement_id, as_of))


@dataclass(frozen=True)
class ReportCounts:
    """The reports due within a period by their state at its end, and every report overdue then."""

    due: int
    submitted: int
    accepted: int
    returned: int
    not_submitted: int
    overdue: int


def report_counts(*, agreement_id: int, start: dt.date, as_of: dt.date) -> ReportCounts:
    """Reports due from ``start`` to ``as_of`` by their state at the end of ``as_of`` (submitted = awaiting
    review; not submitted = still a draft), and the reports overdue then (any due date before the day, still
    a draft or returned)."""
    reports = reports_as_of(agreement_id=agreement_id, as_of=as_of)
    states = dict(reports.filter(due_date__range=(start, as_of)).order_by().values_list("review_state")
                  .annotate(n=Count("id")).values_list("review_state", "n"))
    return ReportCounts(
        due=sum(states.values()), submitted=states.get(ReviewState.SUBMITTED, 0),
        accepted=states.get(ReviewState.ACCEPTED, 0), returned=states.get(ReviewState.RETURNED, 0),
        not_submitted=states.get(ReviewState.DRAFT, 0),
        overdue=reports.filter(review_state__in=OPEN_STATES, due_date__lt=as_of).count(),
    )


@dataclass(frozen=True)
class ProjectInTrouble:
    project_id: int
    code: str
    title: str
    status: str
    reason: str
    period_start: dt.date
    period_end: dt.date


def projects_at_risk_or_late(*, agreement_id: int, as_of: dt.date) -> list[ProjectInTrouble]:
    """Projects whose latest report submitted or accepted by the end of ``as_of`` says they are at risk or
    late, with the reason they gave; by project code. (The status of a draft does not count: nobody has
    reported it yet.)"""
    reports = reports_as_of(agreement_id=agreement_id, as_of=as_of).filter(
        review_state__in=(ReviewState.SUBMITTED, ReviewState.ACCEPTED)).order_by("project_id", "-period_start",
                                                                                 "-period_end")
    latest: dict[int, Any] = {}
    for report in reports.values("project_id", "status", "status_reason", "period_start", "period_end"):
        latest.setdefault(report["project_id"], report)
    troubled = {pid: r for pid, r in latest.items() if r["status"] in (ReportStatus.AT_RISK, ReportStatus.LATE)}
    projects = {p["id"]: p for p in project_source(as_of).filter(id__in=list(troubled)).values("id", "code", "title")}
    rows = [ProjectInTrouble(project_id=pid, code=projects[pid]["code"], title=projects[pid]["title"],
                             status=r["status"], reason=r["status_reason"], period_start=r["period_start"],
                             period_end=r["period_end"]) for pid, r in troubled.items() if pid in projects]
    return sorted(rows, key=lambda row: row.code)


@dataclass(frozen=True)
class LateMilestone:
    project_code: str
    title: str
    planned_date: dt.date
    actual_date: dt.date | None


def late_milestones(*, agreement_id: int, as_of: dt.date) -> list[LateMilestone]:
    """The counted projects' milestones late at the end of ``as_of`` (``late_q``: the planned date passed
    without an actual date, or reached after it), as they stood then; by planned date."""
    rows: QuerySet[Any] = (Milestone.objects.all() if is_live(as_of)
                           else Milestone.history.model.objects.filter(  # type: ignore[attr-defined]
                               history_id__in=latest_rows(Milestone.history.model,  # type: ignore[attr-defined]
                                                          as_of).values("history_id")))
    # late_q on the day, of milestones planned before it: one reached after the day is still late on it.
    late = (rows.filter(project_id__in=_counted_project_ids(agreement_id, as_of))
            .filter(late_q(as_of), planned_date__lt=as_of)
            .order_by("planned_date", "project_id", "id").values("project_id", "title", "planned_date", "actual_date"))
    late_list = list(late)
    codes = dict(project_source(as_of).filter(id__in={m["project_id"] for m in late_list}).values_list("id", "code"))
    return [LateMilestone(project_code=codes.get(m["project_id"], ""), title=m["title"],
                          planned_date=m["planned_date"], actual_date=m["actual_date"]) for m in late_list]

"""Timelines (Gantt) drawn on the server: a project's period with its milestones (planned against actual, late
ones flagged) and its reports' due dates; and a portfolio's projects from start to end by stage. Positions are
percentages of the axis, so the page draws them with CSS and no script; each timeline has its table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from portfolio.models import Project

from ..models import Milestone, ProgressReport
from ..models.reports import ReviewState

PORTFOLIO_LIMIT = 300  # projects drawn on the portfolio timeline; the table says when more matched


@dataclass(frozen=True)
class Axis:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return max(1, (self.end - self.start).days)

    def at(self, day: dt.date) -> str:
        """The day's position on the axis, a percentage with one decimal (clamped to the axis)."""
        share = Decimal(min(max((day - self.start).days, 0), self.days)) * 100 / Decimal(self.days)
        return str(share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    def span(self, start: dt.date, end: dt.date) -> tuple[str, str]:
        """(left, width) of a bar from ``start`` to ``end``; at least a sliver, so a day-long bar shows."""
        left = Decimal(self.at(start))
        width = max(Decimal(self.at(end)) - left, Decimal("0.5"))
        return str(left), str(min(width, Decimal(100) - left))

    @property
    def years(self) -> list[dict[str, Any]]:
        """The year ticks inside the axis (1 January of each year), with their positions."""
        return [{"year": year, "at": self.at(dt.date(year, 1, 1))}
                for year in range(self.start.year + 1, self.end.year + 1)]


def _axis(days: Iterable[dt.date | None]) -> Axis | None:
    known = [d for d in days if d is not None]
    if not known:
        return None
    start, end = min(known), max(known)
    # Whole years: the ticks and the bars line up with the calendar.
    return Axis(dt.date(start.year, 1, 1), dt.date(end.year, 12, 31))


@dataclass
class TimelineMarker:
    kind: str  # "milestone" or "report"
    label: str
    day: dt.date
    at: str
    planned: dt.date | None = None
    actual: dt.date | None = None
    actual_at: str | None = None
    late: bool = False
    state: str = ""
    state_label: str = ""
    overdue: bool = False
    url: str = ""


@dataclass
class ProjectTimeline:
    axis: Axis
    start: dt.date
    end: dt.date
    project_left: str
    project_width: str
    today_at: str | None
    milestones: list[TimelineMarker] = field(default_factory=list)
    reports: list[TimelineMarker] = field(default_factory=list)

    @property
    def events(self) -> list[TimelineMarker]:
        """The project's start and end, its milestones and its reports' due dates in date order (the table of
        the timeline)."""
        bounds = [TimelineMarker(kind="start", label="", day=self.start, at=self.axis.at(self.start)),
                  TimelineMarker(kind="end", label="", day=self.end, at=self.axis.at(self.end))]
        order = {"start": 0, "milestone": 1, "report": 2, "end": 3}
        return sorted(bounds + self.milestones + self.reports, key=lambda m: (m.day, order[m.kind]))


def project_timeline(*, project: Project, today: dt.date | None = None) -> ProjectTimeline | None:
    """A project's period, its milestones (planned and actual dates, late ones flagged as on the project
    page: ``Milestone.is_late_on``) and its reports' due dates (overdue ones flagged). None without dates."""
    if project.start_date is None or project.end_date is None:
        return None
    day = today or timezone.localdate()
    milestones = list(Milestone.objects.filter(project=project).order_by("planned_date", "pk"))
    reports = list(ProgressReport.objects.filter(project=project).order_by("due_date", "kind"))
    axis = _axis([project.start_date, project.end_date, *(m.planned_date for m in milestones),
                  *(m.actual_date for m in milestones), *(r.due_date for r in reports)])
    if axis is None:  # never: the project's dates are there
        return None
    left, width = axis.span(project.start_date, project.end_date)
    timeline = ProjectTimeline(axis=axis, start=project.start_date, end=project.end_date, project_left=left,
                               project_width=width, today_at=axis.at(day) if axis.start <= day <= axis.end else None)
    for m in milestones:
        timeline.milestones.append(TimelineMarker(
            kind="milestone", label=m.title, day=m.planned_date, at=axis.at(m.planned_date), planned=m.planned_date,
            actual=m.actual_date, actual_at=axis.at(m.actual_date) if m.actual_date else None,
            late=m.is_late_on(day)))
    for r in reports:
        timeline.reports.append(TimelineMarker(
            kind="report", label=r.period_label, day=r.due_date, at=axis.at(r.due_date),
            state=r.review_state, state_label=r.get_review_state_display(),
            overdue=r.review_state in (ReviewState.DRAFT, ReviewState.RETURNED) and r.due_date < day,
            url=r.get_absolute_url()))
    return timeline


@dataclass
class PortfolioBar:
    project: Project
    left: str
    width: str


@dataclass
class PortfolioTimeline:
    axis: Axis | None
    bars: list[PortfolioBar]
    total: int
    undated: int
    today_at: str | None
    statuses: list[tuple[str, str]]


def portfolio_timeline(*, projects: Any, today: dt.date | None = None) -> PortfolioTimeline:
    """The projects of a filtered list (``portfolio.selectors.project_list``, so scoped by ``visible_to``)
    from start to end, in the list's order; those without both dates are counted, not drawn."""
    from portfolio.choices import ProjectStatus

    day = today or timezone.localdate()
    dated = projects.filter(start_date__isnull=False, end_date__isnull=False)
    total = dated.count()
    shown = list(dated[:PORTFOLIO_LIMIT])
    axis = _axis([d for p in shown for d in (p.start_date, p.end_date)])
    bars = [PortfolioBar(project=p, left=axis.span(p.start_date, p.end_date)[0],
                         width=axis.span(p.start_date, p.end_date)[1]) for p in shown] if axis else []
    present = {p.status for p in shown}
    return PortfolioTimeline(
        axis=axis, bars=bars, total=total, undated=projects.count() - total,
        today_at=axis.at(day) if axis and axis.start <= day <= axis.end else None,
        statuses=[(code, str(label)) for code, label in ProjectStatus.choices if code in present])

"""Reads about progress reports: the reporting periods of a project, the lists of the pages and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from funding.models import SpendingEntry
from portfolio.models import Project

from ..models.reports import (
    ProgressReport,
    ReportFrequency,
    ReportingSchedule,
    ReportKind,
    ReportStatus,
    ReviewState,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

# Months in which a reporting period starts, per frequency (half-yearly = the payment-claim periods).
_PERIOD_MONTHS = {ReportFrequency.HALF_YEARLY: 6, ReportFrequency.QUARTERLY: 3, ReportFrequency.YEARLY: 12}


@dataclass(frozen=True)
class ExpectedReport:
    kind: str
    period_start: dt.date
    period_end: dt.date
    due_date: dt.date


def schedule_of(project: Project) -> ReportingSchedule:
    """The project's schedule, or the default one (unsaved) when none is set."""
    schedule = ReportingSchedule.objects.filter(project=project).first()
    return schedule or ReportingSchedule(project=project)


def _period_end(start: dt.date, months: int) -> dt.date:
    month = start.month + months
    year = start.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1) - dt.timedelta(days=1)


def reporting_periods(*, frequency: str, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The calendar periods (half-years, quarters or years) that a project's dates touch, clipped to them."""
    months = _PERIOD_MONTHS[ReportFrequency(frequency)]
    first_month = (start.month - 1) // months * months + 1
    period_start = dt.date(start.year, first_month, 1)
    periods = []
    while period_start <= end:
        period_end = _period_end(period_start, months)
        periods.append((max(period_start, start), min(period_end, end)))
        period_start = period_end + dt.timedelta(days=1)
    return periods


def expected_reports(*, project: Project, schedule: ReportingSchedule | None = None) -> list[ExpectedReport]:
    """The reports a project owes: one per period, due `due_days` after it, and the final report over the
    whole project, due `final_window_days` after its end. None without both dates."""
    if project.start_date is None or project.end_date is None:
        return []
    schedule = schedule or schedule_of(project)
    expected = [
        ExpectedReport(ReportKind.PERIODIC, start, end, end + dt.timedelta(days=schedule.due_days))
        for start, end in reporting_periods(frequency=schedule.frequency, start=project.start_date,
                                            end=project.end_date)
    ]
    expected.append(ExpectedReport(ReportKind.FINAL, project.start_date, project.end_date,
                                   project.end_date + dt.timedelta(days=schedule.final_window_days)))
    return expected


def recorded_spending_to(*, project: Project, instrument_id: int, year: int) -> Decimal:
    """What the ledger already holds of a project's instrument up to the end of a year."""
    total = SpendingEntry.objects.filter(project=project, instrument_id=instrument_id, year__lte=year).aggregate(
        total=Sum("amount"))["total"]
    return total if total is not None else Decimal("0.00")


def _with_urgency(reports: QuerySet[ProgressReport], today: dt.date) -> QuerySet[ProgressReport]:
    """Overdue first, then due, then the rest; earliest due date first within each."""
    return reports.annotate(urgency=Case(
        When(review_state__in=(ReviewState.DRAFT, ReviewState.RETURNED), due_date__lt=today, then=Value(0)),
        When(review_state__in=(ReviewState.DRAFT, ReviewState.RETURNED), then=Value(1)),
        When(review_state=ReviewState.SUBMITTED, then=Value(2)),
        default=Value(3), output_field=IntegerField(),
    )).order_by("urgency", "due_date", "project__code")


def report_list(*, user: AnyUser, project: Project | None = None) -> QuerySet[ProgressReport]:
    reports = ProgressReport.objects.visible_to(user).select_related("project", "project__agreement")
    if project is not None:
        reports = reports.filter(project=project)
    return reports.order_by("period_start", "kind")


def report_detail(*, user: AnyUser, pk: int) -> ProgressReport:
    reports = ProgressReport.objects.visible_to(user).select_related(
        "project", "project__agreement", "project__lead_organisation", "submitted_by", "reviewed_by")
    report: ProgressReport = get_object_or_404(reports, pk=pk)
    return report


def my_reports(*, user: AnyUser, today: dt.date | None = None) -> QuerySet[ProgressReport]:
    """A project contact's reports: overdue and due first, then those awaiting review, then the accepted."""
    today = today or timezone.localdate()
    reports = ProgressReport.objects.visible_to(user).of_contact(user).select_related("project")
    return _with_urgency(reports, today)


@dataclass
class ReviewQueue:
    overdue: list[ProgressReport]
    due_soon: list[ProgressReport]
    awaiting_review: list[ProgressReport]


def review_queue(*, user: AnyUser, agreement_id: int | None = None, today: dt.date | None = None,
                 due_within_days: int = 30, limit: int = 50) -> ReviewQueue:
    """A coordinator's work: reports overdue, due within a month, and submitted for review."""
    today = today or timezone.localdate()
    reports = (ProgressReport.objects.visible_to(user).reviewable_by(user).for_agreement(agreement_id)
               .select_related("project"))
    return ReviewQueue(
        overdue=list(reports.overdue(today).order_by("due_date", "project__code")[:limit]),
        due_soon=list(reports.due_within(today, due_within_days).order_by("due_date", "project__code")[:limit]),
        awaiting_review=list(reports.awaiting_review().order_by("submitted_at", "pk")[:limit]),
    )


def projects_to_schedule() -> QuerySet[Project]:
    """Projects that owe reports: approved, running or closed, with both dates."""
    return Project.objects.filter(status__in=("approved", "running", "closed"), start_date__isnull=False,
                                  end_date__isnull=False)


def progress_report_export_rows(*, queryset: QuerySet[ProgressReport]) -> tuple[list[str], Iterable[list[Any]]]:
    """Column headings and rows of a progress-report export (every report that matches, not a page)."""
    from django.utils.translation import gettext as _

    headings = [_("Agreement"), _("Project code"), _("Project"), _("Kind"), _("Period start"), _("Period end"),
                _("Due date"), _("Review state"), _("Status"), _("Reason for the status"), _("What was done"),
                _("Next steps"), _("Risks"), _("Submitted")]
    reports = queryset.select_related("project__agreement").order_by("project__code", "period_start", "kind")

    def rows() -> Iterable[list[Any]]:
        for r in reports.iterator(chunk_size=1000):
            yield [r.project.agreement.name, r.project.code, r.project.title, r.get_kind_display(), r.period_start,
                   r.period_end, r.due_date, r.get_review_state_display(), r.get_status_display(),
                   r.status_reason, r.done, r.next_steps, r.risks,
                   timezone.localtime(r.submitted_at).date() if r.submitted_at else None]

    return headings, rows()


def progress_status_counts(*, projects: QuerySet[Project], as_of: dt.date | None = None) -> dict[int, dict[str, int]]:
    """How the projects report they are doing, per agreement (one grouped query each, whatever the number of
    agreements): per ``ReportStatus`` the projects whose latest submitted or accepted report (by period) says
    so, ``unreported`` the projects with no such report, and ``overdue`` the projects' reports past their due
    date and not submitted. ``as_of`` (default today): the reports submitted by the end of that day, and
    those due before it and not submitted by then. The dashboard's results block and the national view
    count with this."""
    from portfolio.asof import day_end, is_live, today

    latest = ProgressReport.objects.filter(project=OuterRef("pk"),
                                           review_state__in=[ReviewState.SUBMITTED, ReviewState.ACCEPTED])
    reports = ProgressReport.objects.filter(project__in=projects.values("pk"))
    if as_of is None or is_live(as_of):
        overdue = reports.overdue(today())
    else:
        cutoff = day_end(as_of)
        latest = latest.filter(submitted_at__lt=cutoff)
        overdue = reports.filter(due_date__lt=as_of).filter(Q(submitted_at__isnull=True) | Q(submitted_at__gte=cutoff))
    latest_status = latest.order_by("-period_start", "-pk").values("status")[:1]
    counts: dict[int, dict[str, int]] = {}

    def of(agreement_id: int) -> dict[str, int]:
        return counts.setdefault(agreement_id, {**dict.fromkeys(ReportStatus.values, 0), "unreported": 0,
                                                "overdue": 0})

    for agreement_id, status, n in (Project.objects.filter(pk__in=projects.values("pk"))
                                    .annotate(latest=Subquery(latest_status)).order_by()
                                    .values_list("agreement_id", "latest").annotate(n=Count("pk"))):
        if status is None:
            of(agreement_id)["unreported"] += n
        elif status in ReportStatus.values:
            of(agreement_id)[status] += n
    for agreement_id, n in overdue.order_by().values_list("project__agreement_id").annotate(n=Count("pk")):
        of(agreement_id)["overdue"] = n
    return counts


def no_progress_counts() -> dict[str, int]:
    """``progress_status_counts`` of an agreement without projects."""
    return {**dict.fromkeys(ReportStatus.values, 0), "unreported": 0, "overdue": 0}

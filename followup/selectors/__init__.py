"""Reads of the follow-up app, one module per aggregate."""

from .indicators import (
    dashboard_results,
    indicator_totals,
    project_enterprises,
    project_indicator_figures,
    project_milestones,
)
from .reports import (
    ExpectedReport,
    ReviewQueue,
    expected_reports,
    my_reports,
    no_progress_counts,
    progress_report_export_rows,
    progress_status_counts,
    projects_to_schedule,
    recorded_spending_to,
    report_detail,
    report_list,
    reporting_periods,
    review_queue,
    schedule_of,
)

__all__ = [
    "dashboard_results",
    "ExpectedReport",
    "ReviewQueue",
    "expected_reports",
    "indicator_totals",
    "my_reports",
    "no_progress_counts",
    "progress_status_counts",
    "progress_report_export_rows",
    "project_enterprises",
    "project_indicator_figures",
    "project_milestones",
    "projects_to_schedule",
    "recorded_spending_to",
    "report_detail",
    "report_list",
    "reporting_periods",
    "review_queue",
    "schedule_of",
]

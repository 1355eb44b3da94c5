"""Follow-up models, one module per aggregate."""

from .reports import (
    ProgressReport,
    ProgressReportAttachment,
    ProgressReportSpending,
    ProgressReportTransition,
    ReminderKind,
    ReportFrequency,
    ReportingSchedule,
    ReportKind,
    ReportReminder,
    ReportStatus,
    ReviewState,
)

__all__ = [
    "ProgressReport", "ProgressReportAttachment", "ProgressReportSpending", "ProgressReportTransition",
    "ReminderKind", "ReportFrequency", "ReportKind", "ReportReminder", "ReportStatus", "ReviewState",
    "ReportingSchedule",
]

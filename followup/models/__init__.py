"""Follow-up models, one module per aggregate: indicators (catalogue, targets, values, the
enterprise register, milestones) and progress reports."""

from .indicators import (
    Enterprise,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Milestone,
    ProjectEnterprise,
)
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
    "Enterprise",
    "Indicator",
    "IndicatorTarget",
    "IndicatorValue",
    "Milestone",
    "ProgressReport",
    "ProgressReportAttachment",
    "ProgressReportSpending",
    "ProgressReportTransition",
    "ProjectEnterprise",
    "ReminderKind",
    "ReportFrequency",
    "ReportKind",
    "ReportReminder",
    "ReportStatus",
    "ReportingSchedule",
    "ReviewState",
]

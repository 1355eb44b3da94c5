"""Writes of the follow-up app, one module per aggregate."""

from .reports import (
    progress_report_accept,
    progress_report_attachment_add,
    progress_report_attachment_delete,
    progress_report_ledger_feed,
    progress_report_open,
    progress_report_reminders_send,
    progress_report_return,
    progress_report_submit,
    progress_report_update,
    progress_reports_generate,
    progress_reports_generate_all,
    reporting_schedule_set,
)

__all__ = ["progress_report_accept", "progress_report_attachment_add", "progress_report_attachment_delete",
           "progress_report_ledger_feed", "progress_report_open",
           "progress_report_reminders_send", "progress_report_return",
           "progress_report_submit", "progress_report_update", "progress_reports_generate",
           "progress_reports_generate_all", "reporting_schedule_set"]

"""Thin Celery tasks of the follow-up app: call one service, log."""

from __future__ import annotations

import logging

from celery import shared_task

from .services import reports

logger = logging.getLogger(__name__)


@shared_task(name="followup.progress_report_reminders_send_task", autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5, acks_late=True)
def progress_report_reminders_send_task() -> int:
    """Daily: bring every project's expected reports up to date, then send the due and overdue reminders."""
    projects = reports.progress_reports_generate_all()
    sent = reports.progress_report_reminders_send()
    logger.info("progress reports of %s projects generated; %s reminders sent", projects, sent)
    return sent


@shared_task(name="followup.progress_report_returned_notify_task", autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5, acks_late=True)
def progress_report_returned_notify_task(report_id: int) -> int:
    """Tell the project's contacts that their report was returned (handed over by the outbox)."""
    return reports.progress_report_returned_notify(report_id=report_id)

"""Thin Celery tasks: load by id, call one service, log. Retries and limits are declared on the decorator."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .services import (
    TRANSIENT_ERRORS,
    SummaryInProgress,
    TransientDeliveryError,
    summary_compile,
    summary_delivery_send,
)

logger = logging.getLogger(__name__)

MAX_RETRIES = int(getattr(settings, "REPORT_COMPILE_MAX_RETRIES", 5))


# The tasks that render a summary's files: redelivered when a worker is lost, transient errors retried with
# back-off, within the time limits.
RENDER_TASK_OPTIONS: dict[str, Any] = {
    "bind": True, "acks_late": True, "reject_on_worker_lost": True, "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True, "retry_backoff_max": 600, "retry_jitter": True, "max_retries": MAX_RETRIES,
    "time_limit": settings.CELERY_TASK_TIME_LIMIT, "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
}


@shared_task(name="reporting.summary_compile_task", **RENDER_TASK_OPTIONS)
def summary_compile_task(self: Any, report_id: int) -> str | None:
    """Compile one queued summary. Safe to deliver twice: the service does the work once."""
    last_attempt = self.request.retries >= (self.max_retries or 0)
    try:
        report = summary_compile(report_id=report_id, last_attempt=last_attempt)
    except SummaryInProgress as exc:
        if self.request.is_eager:
            return None
        # A live worker holds the job; look again when its lease would have run out.
        raise self.retry(countdown=exc.retry_in, max_retries=None) from exc
    if report is None:
        logger.info("summary %s is gone; nothing to compile", report_id)
        return None
    logger.info("summary %s: %s", report_id, report.status)
    return report.status


@shared_task(name="reporting.summary_compile_scheduled_task", acks_late=True)
def summary_compile_scheduled_task(*, audience: str, period_kind: str, language: str = "fi") -> list[int]:
    """The beat schedule's entry point: request the summary of the period of this kind that has just ended
    (for every agreement when the audience is the steering groups). Requests are idempotent, so a schedule
    that fires twice does not create duplicates."""
    from portfolio.models import Agreement

    from .choices import Audience
    from .periods import period_last_completed
    from .services import summary_request

    period = period_last_completed(period_kind, today=timezone.localdate())
    agreements: list[Agreement | None]
    if audience == Audience.STEERING:
        agreements = list(Agreement.objects.filter(valid_from__lte=period.end, valid_until__gte=period.start)
                          .order_by("code"))
    else:
        agreements = [None]
    ids = []
    for agreement in agreements:
        report = summary_request(audience=audience, period=period, agreement=agreement, language=language,
                                 user=None)
        ids.append(report.pk)
    logger.info("scheduled %s summaries of %s: %s", audience, period, ids)
    return ids


@shared_task(name="reporting.summary_requeue_stale_task")
def summary_requeue_stale_task() -> list[int]:
    """The beat schedule's recovery sweep: send again the compile jobs the broker never took or lost, and
    take back those whose worker was lost; queue again the summary files and annex PDFs whose task was lost
    (see the services)."""
    from .services import files_requeue_lost, summary_requeue_stale

    sent = summary_requeue_stale()
    if sent:
        logger.info("recovery sweep sent %s summaries again: %s", len(sent), sent)
    lost = files_requeue_lost()
    if lost["files"] or lost["annexes"]:
        logger.info("recovery sweep queued again the files of summaries %s and the annex versions %s",
                    lost["files"], lost["annexes"])
    return sent


@shared_task(name="reporting.operations_list_publish_task", acks_late=True)
def operations_list_publish_task() -> int:
    """Publish a new edition of the public list of operations (beat: monthly). Returns its number of rows."""
    from .open_data import operations_list_publish

    return operations_list_publish().row_count


@shared_task(name="reporting.portfolio_import_task", acks_late=True, reject_on_worker_lost=True,
             time_limit=settings.CELERY_TASK_TIME_LIMIT, soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT)
def portfolio_import_task(import_id: int, commit: bool) -> str | None:
    """Check (or import) a large uploaded spreadsheet. Safe to deliver twice: a finished import is left alone."""
    from .imports import import_run

    batch = import_run(import_id=import_id, commit=commit)
    logger.info("portfolio import %s: %s", import_id, batch.status if batch else "gone")
    return batch.status if batch else None


DELIVERY_MAX_RETRIES = int(getattr(settings, "REPORT_DELIVERY_MAX_RETRIES", 5))
DELIVERY_RETRY_BACKOFF = int(getattr(settings, "REPORT_DELIVERY_RETRY_BACKOFF", 60))


@shared_task(
    bind=True,
    name="reporting.summary_delivery_send_task",
    acks_late=True,
    autoretry_for=(TransientDeliveryError,),
    retry_backoff=DELIVERY_RETRY_BACKOFF,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=DELIVERY_MAX_RETRIES,
)
def summary_delivery_send_task(self: Any, delivery_id: int) -> str | None:
    """E-mail an approved summary to one recipient. A refused address fails at once (logged, retryable from
    the summary page); a mail-server error is retried with exponential back-off (REPORT_DELIVERY_RETRY_BACKOFF
    seconds, doubling, with jitter, at most an hour) and fails with the reason on the last attempt. Run
    eagerly, Celery retries at once, one attempt after another, unless it propagates errors (the tests'
    setting): then a retry would be raised to the caller, so that run makes one attempt."""
    can_retry = not (self.request.is_eager and self.app.conf.task_eager_propagates)
    last_attempt = not can_retry or self.request.retries >= (self.max_retries or 0)
    delivery = summary_delivery_send(delivery_id=delivery_id, last_attempt=last_attempt)
    if delivery is None:
        logger.info("summary delivery %s is gone; nothing to send", delivery_id)
        return None
    logger.info("summary delivery %s to %s: %s", delivery_id, delivery.email, delivery.status)
    return delivery.status


@shared_task(name="reporting.summary_files_make_task", **RENDER_TASK_OPTIONS)
def summary_files_make_task(self: Any, report_id: int) -> str | None:
    """Make a draft's files again with the narrative last saved (the summary page shows the state)."""
    from .services import summary_files_make

    last_attempt = self.request.is_eager or self.request.retries >= (self.max_retries or 0)
    report = summary_files_make(report_id=report_id, last_attempt=last_attempt)
    if report is None:
        logger.info("summary %s is gone; no files to make", report_id)
        return None
    logger.info("summary %s: files %s", report_id, report.files_state)
    return report.files_state


@shared_task(name="reporting.summary_review_notify_task", autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5, acks_late=True)
def summary_review_notify_task(report_id: int) -> int:
    """Tell the reviewers that a scheduled summary's draft awaits them."""
    from .services import summary_review_notify

    sent = summary_review_notify(report_id=report_id)
    logger.info("summary %s awaits review: %s e-mails", report_id, sent)
    return sent


@shared_task(name="reporting.summary_review_reminders_send_task", acks_late=True)
def summary_review_reminders_send_task() -> list[int]:
    """The beat schedule's daily reminder of drafts that have waited REPORT_REVIEW_REMINDER_DAYS days."""
    from .services import summary_review_reminders_send

    reminded = summary_review_reminders_send()
    if reminded:
        logger.info("reminded the reviewers of %s draft summaries: %s", len(reminded), reminded)
    return reminded


@shared_task(name="reporting.action_plan_annex_make_task", **RENDER_TASK_OPTIONS)
def action_plan_annex_make_task(self: Any, version_id: int) -> str | None:
    """Make an action-plan annex version's PDFs (the annex page shows the state)."""
    from .services import action_plan_annex_make

    # Run eagerly, Celery retries at once, one attempt after another (as summary_compile_task).
    last_attempt = self.request.retries >= (self.max_retries or 0)
    version = action_plan_annex_make(version_id=version_id, last_attempt=last_attempt)
    if version is None:
        logger.info("annex version %s is gone; no PDFs to make", version_id)
        return None
    logger.info("annex version %s: PDFs %s", version_id, version.state)
    return str(version.state)

"""Thin Celery tasks: load the row (quietly return if it is gone), call one service, log."""

from __future__ import annotations

import logging

from celery import shared_task

from . import notifications

logger = logging.getLogger(__name__)

RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5, "acks_late": True}


@shared_task(name="governance.proposal_submitted_notify_task", **RETRY)
def proposal_submitted_notify_task(proposal_id: int) -> int:
    sent = notifications.proposal_submitted_notify(proposal_id=proposal_id)
    logger.info("proposal %s submitted: %s e-mails", proposal_id, sent)
    return sent


@shared_task(name="governance.agenda_published_notify_task", **RETRY)
def agenda_published_notify_task(meeting_id: int) -> int:
    sent = notifications.agenda_published_notify(meeting_id=meeting_id)
    logger.info("meeting %s agenda published: %s e-mails", meeting_id, sent)
    return sent


@shared_task(name="governance.decision_recorded_notify_task", **RETRY)
def decision_recorded_notify_task(decision_id: int) -> int:
    sent = notifications.decision_recorded_notify(decision_id=decision_id)
    logger.info("decision %s recorded: %s e-mails", decision_id, sent)
    return sent


@shared_task(name="governance.outbox_sweep_task")
def outbox_sweep_task() -> int:
    """The beat schedule's recovery sweep: send the notifications the broker did not take (it was down)."""
    sent = notifications.outbox_sweep()
    if sent:
        logger.info("recovery sweep sent %s notifications", sent)
    return sent

"""Thin Celery tasks of the portfolio app."""

from __future__ import annotations

import logging

from celery import shared_task

from .audit import security_events_purge

logger = logging.getLogger(__name__)


@shared_task(name="portfolio.security_events_purge_task")
def security_events_purge_task() -> int:
    """Delete security events older than AUDIT_RETENTION_DAYS (daily, from the beat schedule)."""
    deleted = security_events_purge()
    logger.info("security events purged", extra={"deleted": deleted})
    return deleted

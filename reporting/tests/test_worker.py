"""The compile task through a real Celery worker on Redis (CI sets CELERY_BROKER_URL=redis://...)."""

from __future__ import annotations

import time
import uuid

import pytest
from django.conf import settings

from reporting.choices import ReportStatus
from reporting.models import SummaryReport

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.services,
    pytest.mark.skipif(not str(settings.CELERY_BROKER_URL).startswith("redis://"),
                       reason="needs a real broker: set CELERY_BROKER_URL=redis://... (CI does)"),
]


@pytest.fixture
def worker_app(monkeypatch):  # type: ignore[no-untyped-def]
    """The project's Celery app sending to a queue of its own (tests may share the Redis database), not eager."""
    from config.celery import app

    queue = f"test-reporting-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(app.conf, "task_always_eager", False)
    monkeypatch.setattr(app.conf, "task_default_queue", queue)
    return app, queue


def test_summary_is_compiled_by_a_real_worker(worker_app, agreement, coordinator):
    from celery.contrib.testing.worker import start_worker

    from reporting.services import summary_request

    app, queue = worker_app
    with start_worker(app, queues=[queue], perform_ping_check=False, shutdown_timeout=30):
        # Autocommit (transactional test): the task is sent when the request's transaction commits.
        report = summary_request(audience="steering", period="2026-Q3", agreement=agreement, user=coordinator)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            report.refresh_from_db()
            if report.status in (ReportStatus.DONE, ReportStatus.FAILED):
                break
            time.sleep(0.25)
    assert report.status == ReportStatus.DONE, report.error
    assert report.progress == 100 and report.pdf_file and report.xlsx_file
    assert SummaryReport.objects.count() == 1

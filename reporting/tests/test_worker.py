"""The compile task through a real Celery worker on Redis (the CI PostgreSQL + Redis pass: never skipped there):
a normal run, a retry after a transient error, a worker killed mid-task, and the soft time limit.

The killed-worker and time-limit cases run the worker in a subprocess (tests/worker_main.py) on a Redis of the
test's own, so they need PostgreSQL (a database the subprocess can reach) as well."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from reporting.choices import ReportStatus
from reporting.models import SummaryReport
from tests.faults import celery_app_on, requires_real_broker, start_worker_process

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.services,
    pytest.mark.fault,
    requires_real_broker,
]


@pytest.fixture
def queue() -> str:
    return f"test-reporting-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def worker_app(queue):  # type: ignore[no-untyped-def]
    """The project's Celery app on the run's Redis, sending to a queue of its own (tests may share the Redis
    database), not eager."""
    with celery_app_on(str(settings.CELERY_BROKER_URL), queue=queue) as app:
        yield app


def _wait_for(report: SummaryReport, done: Callable[[SummaryReport], bool], seconds: float = 120) -> SummaryReport:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if done(report):
            return report
        time.sleep(0.25)
    return report


def _finished(report: SummaryReport) -> bool:
    return report.status in (ReportStatus.DONE, ReportStatus.FAILED)


def test_summary_is_compiled_by_a_real_worker(worker_app, queue, agreement, coordinator):
    from celery.contrib.testing.worker import start_worker

    from reporting.services import summary_request

    with start_worker(worker_app, queues=[queue], perform_ping_check=False, shutdown_timeout=30):
        # Autocommit (transactional test): the task is sent when the request's transaction commits.
        report = summary_request(audience="steering", period="2026-Q3", agreement=agreement, user=coordinator)
        _wait_for(report, _finished, 90)
    assert report.status == ReportStatus.DONE, report.error
    assert report.progress == 100 and report.pdf_file and report.xlsx_file and report.enqueued_at
    assert SummaryReport.objects.count() == 1


def test_real_worker_retries_after_a_transient_error(worker_app, queue, agreement, coordinator, monkeypatch):
    from celery.contrib.testing.worker import start_worker

    from reporting import selectors
    from reporting.services import TransientCompileError, summary_request

    report = summary_request(audience="steering", period="2026-Q3", agreement=agreement, user=coordinator)
    real = selectors.summary_data
    calls: list[int] = []

    def flaky(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise TransientCompileError("the database went away for a moment")
        return real(**kwargs)

    monkeypatch.setattr(selectors, "summary_data", flaky)
    with start_worker(worker_app, queues=[queue], perform_ping_check=False, shutdown_timeout=30):
        seen_retrying = _wait_for(report, lambda r: "Temporary error" in r.error or _finished(r), 60).error
        _wait_for(report, _finished, 90)
    assert "Temporary error, trying again" in seen_retrying
    assert report.status == ReportStatus.DONE, report.error
    assert report.error == "" and len(calls) == 2  # one failed attempt, one retry (backoff), no more
    assert SummaryReport.objects.count() == 1


def test_a_real_worker_makes_an_annex_version_after_a_transient_error(worker_app, queue, agreement, coordinator,
                                                                       monkeypatch):
    """Issue 13: the annex's POST only saves the version; the task, sent through the outbox at the commit, makes
    its three PDFs on the worker, retrying a transient error with back-off."""
    from celery.contrib.testing.worker import start_worker
    from django.db import OperationalError

    from reporting.models import ActionPlanVersion
    from reporting.rendering import annex
    from reporting.services import action_plan_version_create

    calls: list[str] = []

    def flaky(snapshot, language):  # type: ignore[no-untyped-def]
        calls.append(language)
        if len(calls) == 1:
            raise OperationalError("the database went away for a moment")
        return f"%PDF-1.7\n% {language}\n%%EOF\n".encode()

    monkeypatch.setattr(annex, "render_annex_pdf", flaky)
    version = action_plan_version_create(agreement=agreement, user=coordinator)
    assert version.state == "making" and calls == []  # nothing rendered before a worker takes it
    with start_worker(worker_app, queues=[queue], perform_ping_check=False, shutdown_timeout=30):
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and version.state == "making":
            time.sleep(0.25)
            version = ActionPlanVersion.objects.get(pk=version.pk)
    assert version.state == "ready", version.failure_reason
    assert calls == ["fi", "fi", "sv", "en"]
    assert version.pdf("sv").read() == b"%PDF-1.7\n% sv\n%%EOF\n"


def test_killed_worker_is_shown_as_retrying_and_the_summary_is_compiled(own_redis, queue, tmp_path, agreement,
                                                                       coordinator, coordinator_client,
                                                                       settings):
    """SIGKILL while rendering: without recovery the summary would show "Rendering 60 %" until Redis's hour
    ran out. With a short compile lease (= visibility timeout) the sweep shows it as retrying within the lease,
    and the next worker compiles it."""
    from reporting.services import summary_request, summary_requeue_stale

    lease = 6
    settings.REPORT_COMPILE_LEASE_SECONDS = lease
    env = {"REPORT_COMPILE_LEASE_SECONDS": str(lease)}
    with celery_app_on(own_redis.url, queue=queue):
        first = start_worker_process(broker_url=own_redis.url, queue=queue, log=tmp_path / "worker-1.log",
                                     env={**env, "REPORT_TEST_SLOW_RENDER": "300"})
        try:
            report = summary_request(audience="steering", period="2026-Q3", agreement=agreement, user=coordinator)
            _wait_for(report, lambda r: r.status == ReportStatus.RENDERING, 90)
            assert report.status == ReportStatus.RENDERING, first.output()
        finally:
            first.kill()
        time.sleep(1)
        report.refresh_from_db()
        assert report.status == ReportStatus.RENDERING  # stuck: nobody works on it any more
        assert summary_requeue_stale() == []  # the lease has not run out: it might still be alive

        time.sleep(max(0.0, (report.started_at + dt.timedelta(seconds=lease) - timezone.now())
                       .total_seconds()) + 0.5)
        assert summary_requeue_stale() == [report.pk]
        report.refresh_from_db()
        assert report.status == ReportStatus.QUEUED and report.progress == 0
        status_page = coordinator_client.get(reverse("reporting:status", args=[report.pk])).content.decode()
        assert "trying again" in status_page

        second = start_worker_process(broker_url=own_redis.url, queue=queue, log=tmp_path / "worker-2.log", env=env)
        try:
            _wait_for(report, _finished, 150)
        finally:
            second.stop()
    assert report.status == ReportStatus.DONE, (report.error, second.output()[-3000:])
    assert report.error == "" and report.pdf_file and report.json_file
    assert SummaryReport.objects.count() == 1


def test_killed_worker_message_is_redelivered_after_the_visibility_timeout(own_redis, queue, tmp_path, agreement,
                                                                          coordinator):
    """No sweep at all: Redis gives the killed worker's unacknowledged message to the next worker once the
    visibility timeout (set from the lease) has passed, and the lease lets that worker take the job over."""
    from reporting.services import summary_request

    env = {"REPORT_COMPILE_LEASE_SECONDS": "5"}
    with celery_app_on(own_redis.url, queue=queue):
        first = start_worker_process(broker_url=own_redis.url, queue=queue, log=tmp_path / "worker-1.log",
                                     env={**env, "REPORT_TEST_SLOW_RENDER": "300"})
        try:
            report = summary_request(audience="steering", period="2026-Q3", agreement=agreement, user=coordinator)
            _wait_for(report, lambda r: r.status == ReportStatus.RENDERING, 90)
            assert report.status == ReportStatus.RENDERING, first.output()
        finally:
            first.kill()
        time.sleep(6)  # past the visibility timeout: the next worker restores the message when it starts
        second = start_worker_process(broker_url=own_redis.url, queue=queue, log=tmp_path / "worker-2.log", env=env)
        try:
            seen = _wait_for(report, lambda r: "trying again" in r.error or _finished(r), 150).error
            _wait_for(report, _finished, 150)
        finally:
            second.stop()
    assert report.status == ReportStatus.DONE, (report.error, second.output()[-3000:])
    assert "stopped without finishing" in seen
    assert SummaryReport.objects.count() == 1


def test_soft_time_limit_fails_the_summary_with_its_reason(own_redis, queue, tmp_path, agreement, coordinator,
                                                          monkeypatch):
    from reporting.services import summary_request
    from reporting.tasks import summary_compile_task

    env = {"CELERY_TASK_SOFT_TIME_LIMIT": "2", "CELERY_TASK_TIME_LIMIT": "30", "REPORT_TEST_SLOW_RENDER": "20"}
    # The limits travel in the message (set by the sender from the task's options), so the sender's count.
    monkeypatch.setattr(summary_compile_task, "soft_time_limit", 2)
    monkeypatch.setattr(summary_compile_task, "time_limit", 30)
    monkeypatch.setattr(summary_compile_task, "_exec_options", None)  # Celery caches them at the first send
    with celery_app_on(own_redis.url, queue=queue):
        # prefork: the pool that enforces time limits (the solo pool cannot).
        worker = start_worker_process(broker_url=own_redis.url, queue=queue, log=tmp_path / "worker.log", env=env,
                                      pool="prefork")
        try:
            report = summary_request(audience="steering", period="2026-Q3", agreement=agreement, user=coordinator)
            _wait_for(report, _finished, 120)
        finally:
            worker.stop()
    assert report.status == ReportStatus.FAILED, (report.status, worker.output()[-3000:])
    assert report.error == "The compilation took longer than its time limit."
    assert not report.pdf_file and report.completed_at is not None

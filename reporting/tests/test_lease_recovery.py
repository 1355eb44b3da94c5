"""A worker killed mid-compilation: the summary must not stay "Compiling 5 %" for Redis's default hour. The
broker's visibility timeout follows the task time limits, and once the compile lease has run out the recovery
sweep shows the job as retrying and sends it again. (tests/test_faults_redis.py kills a real worker.)"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.utils import timezone

from reporting import services
from reporting.choices import ReportStatus
from reporting.models import SummaryReport
from reporting.services import compile_lease, summary_get_or_create
from tests.faults import ROOT

pytestmark = [pytest.mark.django_db, pytest.mark.fault]


def _compiling(agreement, started_at):  # type: ignore[no-untyped-def]
    report, _ = summary_get_or_create(audience="steering", agreement=agreement, period="2026-Q3", user=None)
    SummaryReport.objects.filter(pk=report.pk).update(status=ReportStatus.COMPILING, progress=5,
                                                      started_at=started_at, enqueued_at=started_at)
    return report


def test_sweep_shows_a_lost_attempt_as_retrying_and_sends_it_again(agreement, broker_refuses, monkeypatch,
                                                                   fast_pdf):
    lost_at = timezone.now() - compile_lease() - dt.timedelta(seconds=1)
    report = _compiling(agreement, lost_at)
    services.summary_requeue_stale()
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED and report.progress == 0 and report.started_at is None
    assert "stopped" in report.error and "trying again" in report.error
    assert broker_refuses == ["reporting.summary_compile_task"]
    monkeypatch.undo()  # the broker takes it now (eager: compiled at once)
    assert services.summary_requeue_stale(now=timezone.now() + dt.timedelta(minutes=2)) == [report.pk]
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.error == ""


def test_sweep_leaves_a_live_attempt_alone(agreement, broker_refuses):
    report = _compiling(agreement, timezone.now() - compile_lease() + dt.timedelta(seconds=30))
    assert services.summary_requeue_stale() == []
    report.refresh_from_db()
    assert report.status == ReportStatus.COMPILING and report.progress == 5
    assert broker_refuses == []


def test_the_sweep_is_on_the_beat_schedule_every_minute():
    entries = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert float(entries["reporting.summary_requeue_stale_task"]["schedule"]) <= 60


def _settings_with(**env: str) -> dict:
    code = ("import json, os; from config.settings import base; "
            "print(json.dumps({'options': getattr(base, 'CELERY_BROKER_TRANSPORT_OPTIONS', {}), "
            "'time_limit': base.CELERY_TASK_TIME_LIMIT}))")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "REPORT_"))}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**environment, **env}, check=True,
                            capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_redis_visibility_timeout_follows_the_task_time_limit():
    conf = _settings_with(CELERY_BROKER_URL="redis://127.0.0.1:6379/4", CELERY_TASK_TIME_LIMIT="120",
                          CELERY_TASK_SOFT_TIME_LIMIT="100")
    # A redelivery comes once the hard limit has surely ended the attempt, not after Redis's default hour.
    assert conf["options"]["visibility_timeout"] == 120 + 60


def test_redis_visibility_timeout_is_the_compile_lease_when_that_is_set():
    conf = _settings_with(CELERY_BROKER_URL="redis://127.0.0.1:6379/4", CELERY_TASK_TIME_LIMIT="120",
                          CELERY_TASK_SOFT_TIME_LIMIT="100", REPORT_COMPILE_LEASE_SECONDS="300")
    assert conf["options"]["visibility_timeout"] == 300

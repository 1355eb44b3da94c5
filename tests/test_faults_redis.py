"""The broker REALLY down (issue 11, defect 4): a redis-server of the test's own is stopped, the requests are
made, it is started again, the recovery sweeps run, and a real worker does the work that was saved.
Runs in the PostgreSQL + Redis pass (CELERY_BROKER_URL=redis://...), never skipped there; the same logic is
covered on SQLite with an injected broker error (reporting/tests/test_broker_down.py,
governance/tests/test_notification_outbox.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance import notifications
from governance.models import Decision, NotificationOutbox
from governance.tests import factories as f
from reporting import services as reporting_services
from reporting.choices import ReportStatus
from reporting.models import SummaryReport
from tests.api.conftest import token_client
from tests.faults import celery_app_on, requires_real_broker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services, pytest.mark.fault,
              requires_real_broker]

LATER = dt.timedelta(minutes=2)


@pytest.fixture
def fast_pdf(monkeypatch):  # type: ignore[no-untyped-def]
    from reporting import rendering

    def fake_pdf(snapshot, language):  # type: ignore[no-untyped-def]
        digest = hashlib.sha256(json.dumps(snapshot, sort_keys=True).encode()).hexdigest()
        return f"%PDF-1.7\n% test stand-in {language} {digest}\n%%EOF\n".encode()

    monkeypatch.setitem(rendering.RENDERERS, "pdf", fake_pdf)


def test_broker_stopped_then_started_loses_nothing_and_reports_truthfully(own_redis, agreement, coordinator,
                                                                          steering_member, fast_pdf):
    from celery.contrib.testing.worker import start_worker
    from django.core.cache import cache

    cache.clear()
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)  # eager, broker unused
    NotificationOutbox.objects.all().delete()
    mail.outbox.clear()
    queue = f"test-faults-{uuid.uuid4().hex[:8]}"
    with celery_app_on(own_redis.url, queue=queue) as app:
        own_redis.stop()
        assert not own_redis.ping()

        # A summary asked for over the API and on the page: 503 with the reason, nothing left behind.
        api = token_client(coordinator)
        started = time.monotonic()
        response = api.post("/api/v1/reports/", {"audience": "steering", "agreement": agreement.pk,
                                                 "period": "2026-Q3"}, format="json")
        assert response.status_code == 503, response.content
        assert response.json()["code"] == "queue_unavailable" and response["Retry-After"]
        assert time.monotonic() - started < 20  # the user is not kept waiting for long
        page = Client()
        page.force_login(coordinator)
        response = page.post(reverse("reporting:request"), {"audience": "steering", "agreement": agreement.pk,
                                                           "period": "2026-Q2", "language": "fi"})
        assert response.status_code == 503
        assert "The background queue is not available right now" in response.content.decode()
        assert not SummaryReport.objects.exists()

        # A decision: recorded, and the chair is told so; the notification waits in the outbox.
        chair = Client()
        chair.force_login(steering_member)
        response = chair.post(reverse("governance:decision-record", args=[meeting.pk, proposal.pk]),
                              {"outcome": "rejected", "method": "consensus", "rationale": "Ei vastaa kriteerejä."})
        assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
        decision = Decision.objects.get(proposal=proposal)
        entry = NotificationOutbox.objects.get(task_name="decision_recorded_notify_task", object_id=decision.pk)
        assert entry.sent_at is None and entry.attempts == 1 and entry.last_error

        # A scheduled summary (no one waiting): kept for the sweep.
        scheduled = reporting_services.summary_request(audience="steering", period="2026-Q1", agreement=agreement,
                                                       user=None)
        scheduled.refresh_from_db()
        assert scheduled.status == ReportStatus.QUEUED and scheduled.enqueued_at is None

        # Still down: the sweeps send nothing and keep everything.
        assert notifications.outbox_sweep(now=timezone.now() + LATER) == 0
        assert reporting_services.summary_requeue_stale(now=timezone.now() + LATER) == []

        own_redis.start()
        assert notifications.outbox_sweep(now=timezone.now() + LATER) == 1
        assert reporting_services.summary_requeue_stale(now=timezone.now() + LATER) == [scheduled.pk]
        with start_worker(app, queues=[queue], perform_ping_check=False, shutdown_timeout=30):
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                scheduled.refresh_from_db()
                if scheduled.status in (ReportStatus.DONE, ReportStatus.FAILED) and mail.outbox:
                    break
                time.sleep(0.25)
            # Later requests are not turned into a 429 by orphans: the broker takes them again.
            response = api.post("/api/v1/reports/", {"audience": "steering", "agreement": agreement.pk,
                                                     "period": "2026-Q3"}, format="json")
            assert response.status_code == 202, response.content
    assert scheduled.status == ReportStatus.DONE, scheduled.error
    assert {to for m in mail.outbox for to in m.to} == {coordinator.email}
    entry.refresh_from_db()
    assert entry.sent_at is not None

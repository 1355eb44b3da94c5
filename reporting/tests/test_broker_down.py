"""The broker refuses the compile job (Redis down): nothing is left behind that never runs, the user is told
with a 503, and the recovery sweep sends what was saved once the broker is back. The broker error is injected
here (SQLite, eager tasks); tests/test_faults_redis.py does the same with a real Redis stopped and started."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting import services
from reporting.choices import ReportStatus
from reporting.models import SummaryReport
from reporting.services import summary_request
from tests.api.conftest import token_client

# Autocommit (transactional) tests: the job is sent right after the request's own commit, as in production.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.fault]

STEERING = {"audience": "steering", "period": "2026-Q3", "language": "fi"}


@pytest.fixture(autouse=True)
def _fresh_throttles():  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    cache.clear()


def test_api_request_answers_503_and_leaves_no_job_when_the_broker_refuses(broker_refuses, coordinator, agreement,
                                                                         fast_pdf):
    api = token_client(coordinator)
    response = api.post("/api/v1/reports/", {**STEERING, "agreement": agreement.pk}, format="json")
    assert response.status_code == 503, response.content
    body = response.json()
    assert body["status"] == 503 and body["code"] == "queue_unavailable"
    assert "not available" in body["detail"]
    assert response["Retry-After"]
    assert broker_refuses == ["reporting.summary_compile_task"]
    assert not SummaryReport.objects.exists()


def test_refused_requests_do_not_count_against_the_in_flight_limit(broker_refuses, coordinator, agreement,
                                                                   fast_pdf, monkeypatch):
    api = token_client(coordinator)
    for period in ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"):
        response = api.post("/api/v1/reports/", {**STEERING, "period": period, "agreement": agreement.pk},
                            format="json")
        assert response.status_code == 503, (period, response.content)
    monkeypatch.undo()  # the broker is back
    response = api.post("/api/v1/reports/", {**STEERING, "agreement": agreement.pk}, format="json")
    assert response.status_code == 202, response.content
    assert SummaryReport.objects.get().status == ReportStatus.DONE  # eager: compiled at once


def test_compile_page_answers_503_with_the_reason_when_the_broker_refuses(broker_refuses, coordinator_client,
                                                                       agreement):
    response = coordinator_client.post(reverse("reporting:request"), {**STEERING, "agreement": agreement.pk})
    assert response.status_code == 503
    page = response.content.decode()
    assert "The background queue is not available right now" in page
    assert 'value="2026-Q3"' in page  # the form keeps what was typed
    assert not SummaryReport.objects.exists()


def test_scheduled_request_is_kept_and_the_sweep_sends_it_when_the_broker_is_back(broker_refuses, agreement,
                                                                                  fast_pdf, monkeypatch):
    report = summary_request(**STEERING, agreement=agreement, user=None)
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED and report.enqueued_at is None
    assert services.summary_requeue_stale(now=timezone.now() + dt.timedelta(minutes=5)) == []  # still down: kept
    monkeypatch.undo()
    assert services.summary_requeue_stale(now=timezone.now() + dt.timedelta(minutes=5)) == [report.pk]
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.enqueued_at is not None


def test_sweep_leaves_a_just_created_job_to_its_own_request(agreement, broker_refuses):
    report = summary_request(**STEERING, agreement=agreement, user=None)
    assert services.summary_requeue_stale() == []
    assert broker_refuses == ["reporting.summary_compile_task"]  # only the request's own attempt
    assert SummaryReport.objects.get(pk=report.pk).enqueued_at is None

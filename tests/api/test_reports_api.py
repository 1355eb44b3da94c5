"""Summary reports over the API: list, detail with download links, starting a compilation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile

from reporting.models import SummaryReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(agreement):  # type: ignore[no-untyped-def]
    report = SummaryReport.objects.create(audience="steering", agreement=agreement, period="2026-Q1",
                                          period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 3, 31),
                                          status="done", progress=100, data_version="abc")
    report.json_file.save("kooste.json", ContentFile(b"{}"), save=False)
    report.csv_file.save("kooste.csv", ContentFile(b"a;b\n"), save=False)
    report.save()
    return report


def test_report_detail_has_download_urls(clients, report):
    body = clients["ministry"].get(f"/api/v1/reports/{report.pk}/").json()
    assert set(body["files"]) == {"pdf", "xlsx", "csv", "json"}
    assert body["files"]["pdf"] is None and body["files"]["xlsx"] is None
    assert body["files"]["json"].endswith(f"/api/v1/reports/{report.pk}/files/json/")
    download = clients["ministry"].get(body["files"]["json"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Cache-Control"] == "no-store"
    assert report.downloads.count() == 1
    assert clients["ministry"].get(f"/api/v1/reports/{report.pk}/files/pdf/").status_code == 404
    assert clients["other_coordinator"].get(body["files"]["json"]).status_code == 404
    assert clients["anonymous"].get(body["files"]["json"]).status_code == 401


def test_reports_follow_visibility(clients, report):
    mine = clients["coordinator"].get(f"/api/v1/reports/{report.pk}/")
    assert mine.status_code == 200
    assert (mine.json()["id"], mine.json()["period"]) == (report.pk, "2026-Q1")
    assert clients["other_coordinator"].get(f"/api/v1/reports/{report.pk}/").status_code == 404
    assert clients["plain"].get("/api/v1/reports/").status_code == 403


def test_report_filters(clients, report):
    api = clients["ministry"]
    assert api.get("/api/v1/reports/", {"audience": "steering", "period": "2026"}).json()["count"] == 1
    assert api.get("/api/v1/reports/", {"audience": "national"}).json()["count"] == 0
    assert api.get("/api/v1/reports/", {"period": "2026-Q9"}).status_code == 400


def test_coordinator_starts_a_compilation(clients, agreement, django_capture_on_commit_callbacks):
    response = clients["coordinator"].post("/api/v1/reports/", {"audience": "steering", "agreement": agreement.pk,
                                                                "period": "2026-Q2"}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued" and body["period"] == "2026-Q2"
    assert SummaryReport.objects.filter(pk=body["id"]).exists()


def test_compilation_request_validation(clients, agreement):
    api = clients["coordinator"]
    assert api.post("/api/v1/reports/", {"audience": "steering", "agreement": agreement.pk, "period": "2026-Q5"},
                    format="json").status_code == 400
    # A steering summary without its agreement is not one this coordinator may request (checked first).
    response = api.post("/api/v1/reports/", {"audience": "steering", "period": "2026"}, format="json")
    assert response.status_code == 403
    assert not SummaryReport.objects.exists()


def test_who_may_start_compilations(clients, agreement, other_agreement):
    steering = {"audience": "steering", "agreement": agreement.pk, "period": "2026"}
    assert clients["steering"].post("/api/v1/reports/", steering, format="json").status_code == 403
    assert clients["other_coordinator"].post("/api/v1/reports/", steering, format="json").status_code == 403
    assert clients["coordinator"].post("/api/v1/reports/", {"audience": "national", "period": "2026"},
                                       format="json").status_code == 403
    assert not SummaryReport.objects.exists()


def test_reports_cannot_be_changed_or_deleted(clients, report):
    for method in ("patch", "put", "delete"):
        response = getattr(clients["coordinator"], method)(f"/api/v1/reports/{report.pk}/", {}, format="json")
        assert response.status_code == 405


def test_compilation_requests_are_rate_limited(clients, agreement):
    api = clients["coordinator"]
    payload = {"audience": "steering", "agreement": agreement.pk, "period": "2026-Q3"}
    statuses = [api.post("/api/v1/reports/", payload, format="json").status_code for _ in range(21)]
    assert statuses[:20] == [202] * 20
    assert statuses[20] == 429
    response = api.post("/api/v1/reports/", payload, format="json")
    assert response.json()["code"] == "throttled"
    # Reading is not limited.
    assert api.get("/api/v1/reports/").status_code == 200


def test_at_most_a_few_compilations_in_flight_per_user(clients, agreement):
    from reporting.views import MAX_PENDING_PER_USER

    api = clients["coordinator"]
    periods = [f"2025-Q{q}" for q in range(1, 5)] + ["2024"]
    statuses = [api.post("/api/v1/reports/", {"audience": "steering", "agreement": agreement.pk, "period": p},
                         format="json").status_code for p in periods[:MAX_PENDING_PER_USER + 1]]
    assert statuses == [202] * MAX_PENDING_PER_USER + [429]
    assert SummaryReport.objects.count() == MAX_PENDING_PER_USER

"""`/api/v1/progress-reports/`: scoped lists, filters, writes by contacts, actions checked per object."""

import datetime as dt

import pytest
from django.test import Client

from followup.models import ProgressReport
from followup.services import progress_reports_generate

from .factories import make_contact

pytestmark = pytest.mark.django_db

URL = "/api/v1/progress-reports/"


def _client(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def report(project):  # type: ignore[no-untyped-def]
    progress_reports_generate(project=project)
    return ProgressReport.objects.get(project=project, kind="periodic", period_start=dt.date(2025, 1, 1))


CONTENT = {"status": "on_track", "done": "Pilotit käynnissä.",
           "spending": [{"instrument": "ERDF", "amount": "1 000,50"}]}


def test_anonymous_gets_403(report):
    assert Client().get(URL).status_code in (401, 403)


def test_a_contact_updates_and_submits_their_report(report, contact):
    client = _client(contact)
    response = client.patch(f"{URL}{report.pk}/", CONTENT, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["spending"] == [{"instrument": "ERDF", "amount": "1000.50"}]
    response = client.post(f"{URL}{report.pk}/submit/", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["review_state"] == "submitted"
    assert client.post(f"{URL}{report.pk}/submit/", {}, content_type="application/json").status_code == 409


def test_create_writes_the_expected_report_of_a_period(project, contact):
    response = _client(contact).post(URL, {"project": project.pk, "period_start": "2024-07-01", **CONTENT},
                                     content_type="application/json")
    assert response.status_code == 201, response.content
    report = ProgressReport.objects.get(pk=response.json()["id"])
    assert (report.period_start, report.done) == (dt.date(2024, 7, 1), "Pilotit käynnissä.")


def test_create_for_a_period_that_is_not_one_is_400(project, contact):
    response = _client(contact).post(URL, {"project": project.pk, "period_start": "2024-08-01", **CONTENT},
                                     content_type="application/json")
    assert response.status_code == 400 and "period_start" in str(response.json())


def test_a_negative_amount_is_400_and_nothing_changes(report, contact):
    body = {"done": "Uusi", "spending": [{"instrument": "ERDF", "amount": "-5"}]}
    response = _client(contact).patch(f"{URL}{report.pk}/", body, content_type="application/json")
    assert response.status_code == 400 and "spending" in str(response.json())
    report.refresh_from_db()
    assert report.done == "" and not report.spending.exists()


def test_a_contact_of_another_project_cannot_see_or_write(report, other_project):
    stranger = _client(make_contact(other_project, username="stranger"))
    assert stranger.get(f"{URL}{report.pk}/").status_code == 404
    assert stranger.patch(f"{URL}{report.pk}/", CONTENT, content_type="application/json").status_code == 404
    response = stranger.post(URL, {"project": report.project_id, "period_start": "2025-01-01", **CONTENT},
                             content_type="application/json")
    assert response.status_code == 400  # the project is not one they can choose


def test_readers_cannot_write_or_review(report, contact, steering_member, ministry_user):
    _client(contact).patch(f"{URL}{report.pk}/", CONTENT, content_type="application/json")
    _client(contact).post(f"{URL}{report.pk}/submit/", {}, content_type="application/json")
    for user in (steering_member, ministry_user):
        client = _client(user)
        assert client.get(f"{URL}{report.pk}/").status_code == 200
        assert client.post(f"{URL}{report.pk}/accept/", {}, content_type="application/json").status_code == 403
    assert _client(contact).post(f"{URL}{report.pk}/accept/", {}, content_type="application/json").status_code == 403


def test_coordinator_returns_then_accepts(report, contact, coordinator):
    _client(contact).patch(f"{URL}{report.pk}/", CONTENT, content_type="application/json")
    _client(contact).post(f"{URL}{report.pk}/submit/", {}, content_type="application/json")
    client = _client(coordinator)
    assert client.post(f"{URL}{report.pk}/return/", {"comment": ""}, content_type="application/json"
                       ).status_code == 400
    response = client.post(f"{URL}{report.pk}/return/", {"comment": "Lisää riskit."}, content_type="application/json")
    assert response.status_code == 200 and response.json()["review_state"] == "returned"
    _client(contact).post(f"{URL}{report.pk}/submit/", {}, content_type="application/json")
    response = client.post(f"{URL}{report.pk}/accept/", {}, content_type="application/json")
    assert response.status_code == 200 and [t["to_state"] for t in response.json()["transitions"]] == [
        "submitted", "returned", "submitted", "accepted"]


def test_filters(report, coordinator, project):
    ProgressReport.objects.filter(pk=report.pk).update(review_state="submitted", status="late", status_reason="x")
    client = _client(coordinator)
    ids = {r["id"] for r in client.get(URL, {"review_state": "submitted"}).json()["results"]}
    assert ids == {report.pk}
    assert {r["id"] for r in client.get(URL, {"status": "late"}).json()["results"]} == {report.pk}
    total = ProgressReport.objects.filter(project=project).count()
    assert client.get(URL, {"project": project.pk}).json()["count"] == total
    assert client.get(URL, {"agreement": project.agreement_id}).json()["count"] == total
    # An id the user cannot see is answered exactly as one that does not exist.
    assert client.get(URL, {"agreement": 987654321}).status_code == 400
    assert client.get(URL, {"agreement": "5.1e+27"}).status_code == 400


def test_a_contact_cannot_filter_by_a_project_they_do_not_see(report, contact, other_project):
    client = _client(contact)
    missing = client.get(URL, {"project": 987654321})
    hidden = client.get(URL, {"project": other_project.pk})
    assert missing.status_code == hidden.status_code == 400

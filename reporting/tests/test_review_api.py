"""The review over the API (issue 18): `review_status`, the narrative, approval, `deliveries` and retry."""

from __future__ import annotations

import pytest
from django.core import mail

from governance.choices import GroupKind
from governance.models import Membership, SteeringGroup
from reporting.services import summary_compile, summary_get_or_create
from tests.api.conftest import token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(agreement, fast_pdf):  # type: ignore[no-untyped-def]
    report, _ = summary_get_or_create(audience="steering", period="2026-Q3", agreement=agreement, user=None)
    summary_compile(report_id=report.pk)
    report.refresh_from_db()
    return report


def test_review_status_and_deliveries_are_in_the_api(report, ministry_user):
    body = token_client(ministry_user).get(f"/api/v1/reports/{report.pk}/").json()
    assert body["review_status"] == "draft"
    assert body["deliveries"] == []
    assert [e["action"] for e in body["history"]] == ["compiled"]


@pytest.mark.parametrize("who", ["steering_member", "ministry_user"])
def test_only_coordinators_write_the_narrative_and_approve(report, who, request):
    client = token_client(request.getfixturevalue(who))
    url = f"/api/v1/reports/{report.pk}/"
    assert client.post(url + "narrative/", {"key_messages": "x"}, format="json").status_code == 403
    assert client.post(url + "approve/").status_code == 403
    report.refresh_from_db()
    assert report.review_status == "draft" and report.key_messages == ""


def test_other_agreements_coordinator_does_not_see_it(report, other_coordinator):
    assert token_client(other_coordinator).post(f"/api/v1/reports/{report.pk}/approve/").status_code == 404


def test_coordinator_writes_approves_and_a_failed_delivery_is_retried(
        report, agreement, coordinator, django_capture_on_commit_callbacks, monkeypatch):
    group = SteeringGroup.objects.get(kind=GroupKind.REGIONAL, agreement=agreement)
    for email in ("a@example.fi", "b@example.fi"):
        Membership.objects.create(group=group, user=UserFactory(email=email))
    client = token_client(coordinator)
    url = f"/api/v1/reports/{report.pk}/"
    assert client.post(url + "approve/").status_code == 400  # no key messages yet
    with django_capture_on_commit_callbacks(execute=True):  # the files are made at the commit
        response = client.post(url + "narrative/", {"key_messages": "Avainviesti.", "risks": "Riski."},
                               format="json")
    assert response.status_code == 200, response.content
    assert response.json()["key_messages"] == "Avainviesti."

    from reporting import notifications

    real = notifications.summary_delivery_message

    def failing_for_b(delivery):  # type: ignore[no-untyped-def]
        message = real(delivery)
        if delivery.email == "b@example.fi":
            message.send = lambda fail_silently=False: (_ for _ in ()).throw(  # type: ignore[method-assign]
                __import__("smtplib").SMTPRecipientsRefused({"b@example.fi": (550, b"unknown")}))
        return message

    monkeypatch.setattr(notifications, "summary_delivery_message", failing_for_b)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        body = client.post(url + "approve/").json()
    assert body["review_status"] == "approved"
    body = client.get(url).json()
    statuses = {d["email"]: (d["status"], d["error"]) for d in body["deliveries"]}
    assert statuses["a@example.fi"] == ("sent", "")
    assert statuses["b@example.fi"][0] == "failed" and "unknown" in statuses["b@example.fi"][1]
    assert [m.to for m in mail.outbox] == [["a@example.fi"]]
    assert client.post(url + "narrative/", {"key_messages": "Muutos."}, format="json").status_code == 400

    monkeypatch.setattr(notifications, "summary_delivery_message", real)
    failed = next(d for d in body["deliveries"] if d["status"] == "failed")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url + f"deliveries/{failed['id']}/retry/")
    assert response.status_code == 200
    body = client.get(url).json()
    assert body["review_status"] == "sent"
    assert {d["status"] for d in body["deliveries"]} == {"sent"}
    assert client.post(url + f"deliveries/{failed['id']}/retry/").status_code == 400  # sent: nothing to retry

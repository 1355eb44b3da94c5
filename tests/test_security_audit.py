"""The security audit log: sign-ins, failed sign-ins, lock-outs, denials, downloads, exports and imports each
leave one entry with the request ID of the response; nothing secret is stored; the admin can search and
export it but nobody can change or delete it; old entries are purged after AUDIT_RETENTION_DAYS."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.admin.sites import site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from portfolio.audit import security_event_record
from portfolio.choices import SecurityEventKind as Kind
from portfolio.models import Organisation, ProjectAttachment, SecurityEvent
from portfolio.tasks import security_events_purge_task
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def person(db):  # type: ignore[no-untyped-def]
    user = UserFactory(username="maija")
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR="192.0.2.10", HTTP_USER_AGENT="pytest-agent")


def _no_secret_anywhere(*secrets: str) -> None:
    for event in SecurityEvent.objects.all():
        text = json.dumps({f.name: str(getattr(event, f.name)) for f in SecurityEvent._meta.fields})
        for secret in secrets:
            assert secret not in text


def test_sign_in_is_recorded_with_request_id_and_address(person):
    response = _login(Client(), "maija", PASSWORD)
    assert response.status_code == 302
    event = SecurityEvent.objects.get(kind=Kind.SIGN_IN)
    assert event.user == person and event.username == "maija"
    assert event.request_id == response["X-Request-ID"]
    assert event.ip_address == "192.0.2.10" and event.user_agent == "pytest-agent"
    assert event.at.tzinfo is not None
    _no_secret_anywhere(PASSWORD)


def test_failed_sign_in_is_recorded_without_the_password(person):
    response = _login(Client(), "maija", "wrong-password-123")
    assert response.status_code == 200
    event = SecurityEvent.objects.get(kind=Kind.SIGN_IN_FAILED)
    assert event.user is None and event.username == "maija"
    assert event.request_id == response["X-Request-ID"]
    _no_secret_anywhere("wrong-password-123", PASSWORD)


def test_lock_out_is_recorded(person, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "maija", "wrong-password-123")
    assert SecurityEvent.objects.filter(kind=Kind.LOCKED_OUT, username="maija").count() == 1
    assert SecurityEvent.objects.filter(kind=Kind.SIGN_IN_FAILED).count() == settings.AXES_FAILURE_LIMIT
    _no_secret_anywhere("wrong-password-123")


def test_sign_out_is_recorded(person):
    client = Client()
    _login(client, "maija", PASSWORD)
    client.post(reverse("logout"))
    assert SecurityEvent.objects.filter(kind=Kind.SIGN_OUT, user=person).count() == 1


def test_permission_denied_is_recorded(plain_user):
    client = Client()
    client.force_login(plain_user)
    response = client.get(reverse("portfolio:project-list"))
    assert response.status_code == 403
    event = SecurityEvent.objects.get(kind=Kind.PERMISSION_DENIED)
    assert event.user == plain_user and event.path == reverse("portfolio:project-list")
    assert event.request_id == response["X-Request-ID"]


def test_api_permission_denied_is_recorded(ministry_user):
    from tests.api.conftest import token_client

    response = token_client(ministry_user).post("/api/v1/organisations/", {"name_fi": "X Oy", "kind": "company"},
                                                format="json")
    assert response.status_code == 403
    assert SecurityEvent.objects.filter(kind=Kind.PERMISSION_DENIED, user=ministry_user).count() == 1


def test_attachment_download_is_recorded(coordinator_client, agreement, coordinator):
    project = ProjectFactory(agreement=agreement, status="idea")
    coordinator_client.post(reverse("portfolio:attachment-upload", args=[project.pk]),
                            {"file": SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")})
    attachment = ProjectAttachment.objects.get()
    response = coordinator_client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    event = SecurityEvent.objects.get(kind=Kind.DOWNLOAD)
    assert (event.user, event.object_type, event.object_id) == (coordinator, "portfolio.projectattachment",
                                                               str(attachment.pk))
    assert event.request_id == response["X-Request-ID"]


def test_summary_download_is_recorded(ministry_client, ministry_user, agreement):
    from django.core.files.base import ContentFile

    from reporting.models import SummaryReport

    report = SummaryReport.objects.create(audience="steering", agreement=agreement, period="2026-Q1",
                                          period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 3, 31),
                                          status="done")
    report.json_file.save("s.json", ContentFile(b"{}"))
    response = ministry_client.get(reverse("reporting:download", args=[report.pk, "json"]))
    assert response.status_code == 200
    event = SecurityEvent.objects.get(kind=Kind.DOWNLOAD)
    assert (event.user, event.object_id, event.detail) == (ministry_user, str(report.pk), {"format": "json"})


def test_project_export_is_recorded(coordinator_client, coordinator):
    response = coordinator_client.get(reverse("portfolio:project-export-csv"), {"status": "idea"})
    assert response.status_code == 200
    event = SecurityEvent.objects.get(kind=Kind.EXPORT)
    assert event.user == coordinator and event.detail["format"] == "csv"


def test_import_service_scrubs_secrets(coordinator):
    request = RequestFactory().post("/import/")
    request.user = coordinator
    event = security_event_record(kind=Kind.IMPORT, request=request,
                                  detail={"rows": 12, "file": "projects.xlsx", "password": "s3cret",
                                          "api_token": "abc", "nested": {"Authorization": "Token x", "ok": 1}})
    assert event is not None
    assert event.detail == {"rows": 12, "file": "projects.xlsx", "nested": {"ok": 1}}


def test_history_rows_carry_the_request_id(coordinator):
    from tests.api.conftest import token_client

    response = token_client(coordinator).post("/api/v1/organisations/", {"name_fi": "Testi Oy", "kind": "company"},
                                              format="json")
    assert response.status_code == 201, response.content
    organisation = Organisation.objects.get(pk=response.json()["id"])
    assert organisation.history.get().request_id == response["X-Request-ID"]


# --- admin -----------------------------------------------------------------------------------------------

def test_admin_log_is_read_only_even_for_superusers(admin_user):
    security_event_record(kind=Kind.IMPORT, user=admin_user)
    model_admin = site._registry[SecurityEvent]
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    event = SecurityEvent.objects.get()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_admin_lists_filters_and_exports_csv(admin_client_logged, person):
    _login(Client(), "maija", "wrong-password-123")
    changelist = reverse("admin:portfolio_securityevent_changelist")
    assert admin_client_logged.get(changelist, {"kind__exact": "sign_in_failed", "q": "maija"}).status_code == 200
    ids = list(SecurityEvent.objects.values_list("pk", flat=True))
    response = admin_client_logged.post(changelist, {"action": "export_security_events_csv",
                                                     "_selected_action": ids})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert "sign_in_failed" in body and "maija" in body
    assert SecurityEvent.objects.filter(kind=Kind.EXPORT).count() == 1
    change = reverse("admin:portfolio_securityevent_change", args=[ids[0]])
    admin_client_logged.post(change, {"username": "changed"})
    assert not SecurityEvent.objects.filter(username="changed").exists()


# --- retention -------------------------------------------------------------------------------------------

def test_purge_deletes_only_entries_older_than_retention(settings, coordinator):
    settings.AUDIT_RETENTION_DAYS = 30
    old = security_event_record(kind=Kind.IMPORT, user=coordinator)
    recent = security_event_record(kind=Kind.IMPORT, user=coordinator)
    SecurityEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=31))
    SecurityEvent.objects.filter(pk=recent.pk).update(at=timezone.now() - dt.timedelta(days=29))
    call_command("audit_purge", verbosity=0)
    assert list(SecurityEvent.objects.values_list("pk", flat=True)) == [recent.pk]


def test_purge_task_uses_the_setting(settings, coordinator):
    settings.AUDIT_RETENTION_DAYS = 1
    old = security_event_record(kind=Kind.IMPORT, user=coordinator)
    SecurityEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=2))
    assert security_events_purge_task.apply().get() == 1
    assert not SecurityEvent.objects.exists()


def test_purge_is_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "portfolio.security_events_purge_task" in tasks

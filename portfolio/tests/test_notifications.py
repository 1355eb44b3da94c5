"""Notifications inside the portal (issue 15, also expected): the people an e-mail goes to also find it in the
portal, in their own language, and only their own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from governance.tests import factories as f
from portfolio.models import Notification
from portfolio.notifications import notify

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_a_recorded_decision_notifies_the_coordinators_in_the_portal(coordinator, steering_member, agreement,
                                                                     other_coordinator,
                                                                     django_capture_on_commit_callbacks):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    Notification.objects.all().delete()  # the agenda's own notifications
    with django_capture_on_commit_callbacks(execute=True):
        decision = f.approve(meeting, proposal, steering_member)
    mine = Notification.objects.get(user=coordinator, kind="decision_recorded")
    assert mine.url == reverse("governance:decision-detail", args=[decision.pk])
    assert not Notification.objects.filter(user=other_coordinator).exists()  # another agreement's

    client = _client(coordinator)
    home = client.get("/").content.decode()
    assert 'class="badge text-bg-warning">1<span class="visually-hidden"> unread' in home
    page = client.get(reverse("notifications:list")).content.decode()
    assert f"A decision was recorded on “{proposal.title}” ({proposal.project.code})." in page
    with translation.override("fi"):
        assert mine.message().startswith("Päätös kirjattiin")  # rendered in the reader's language

    response = client.post(reverse("notifications:open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == mine.url
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert "notifications-link" in (home := client.get("/").content.decode())
    assert "unread</span>" not in home.split("notifications-link")[1].split("</a>")[0]


def test_only_your_own_notifications(coordinator, other_coordinator):
    notify(users=[coordinator], kind="agenda_published", params={"meeting": "Johtoryhmä 1/2026"}, url="/")
    item = Notification.objects.get(user=coordinator)
    other = _client(other_coordinator)
    assert other.post(reverse("notifications:open", args=[item.pk])).status_code == 404
    assert "Johtoryhmä 1/2026" not in other.get(reverse("notifications:list")).content.decode()
    other.post(reverse("notifications:read"))
    item.refresh_from_db()
    assert item.read_at is None
    _client(coordinator).post(reverse("notifications:read"))
    item.refresh_from_db()
    assert item.read_at is not None


def test_notify_skips_inactive_and_repeated_users_and_unknown_kinds(coordinator, plain_user):
    plain_user.is_active = False
    plain_user.save()
    assert notify(users=[coordinator, coordinator, plain_user, None], kind="report_due",
                  params={"project": "HEV-001", "due": "2026-12-31"}) == 1
    with pytest.raises(ValueError):
        notify(users=[coordinator], kind="nonsense", params={})
    item = Notification.objects.get(user=coordinator)
    with translation.override("fi"):
        assert "31.12.2026" in item.message()  # the date in the reader's format
    with translation.override("en"):
        assert "31/12/2026" in item.message() or "2026-12-31" in item.message()


def test_a_due_report_reminds_the_contact_in_the_portal(agreement):
    from followup.models import ProgressReport
    from followup.services import progress_report_reminders_send, progress_reports_generate
    from followup.tests.factories import make_contact
    from tests.factories import ProjectFactory

    project = ProjectFactory(agreement=agreement, start_date=dt.date(2024, 3, 15), end_date=dt.date(2025, 9, 30))
    contact = make_contact(project, username="yhteys")
    progress_reports_generate(project=project)
    report = ProgressReport.objects.filter(project=project).order_by("due_date").first()
    progress_report_reminders_send(today=report.due_date - dt.timedelta(days=3))
    item = Notification.objects.get(user=contact)
    assert item.kind == "report_due" and item.url == report.get_absolute_url()
    assert project.code in item.message()

"""A decision is recorded even when the broker refuses its notification (Redis down): the chair sees success,
not a 500 for something that was saved (and a retry that says "already decided"), and the e-mail goes out
later through the recovery sweep. The notification is written in the decision's own transaction (an outbox
row), so a rolled-back change leaves none. The broker error is injected here (SQLite, eager tasks);
tests/test_faults_redis.py stops and starts a real Redis."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from governance import notifications, services
from governance.models import Decision, Proposal
from governance.tests import factories as f

pytestmark = pytest.mark.fault

LATER = dt.timedelta(minutes=2)


def _pending():  # type: ignore[no-untyped-def]
    from governance.models import NotificationOutbox

    return list(NotificationOutbox.objects.filter(sent_at__isnull=True).values_list("task_name", "object_id"))


@pytest.mark.django_db(transaction=True)
def test_decision_page_reports_success_when_the_broker_refuses_the_notification(
        client, coordinator, steering_member, agreement, broker_refuses, monkeypatch):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    from governance.models import NotificationOutbox

    NotificationOutbox.objects.all().delete()  # the set-up's own notifications (refused too) are not the point
    mail.outbox.clear()
    broker_refuses.clear()
    client.force_login(steering_member)
    response = client.post(reverse("governance:decision-record", args=[meeting.pk, proposal.pk]),
                           {"outcome": "rejected", "method": "consensus", "rationale": "Ei vastaa kriteerejä."})
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["The decision was recorded."]
    decision = Decision.objects.get(proposal=proposal)
    assert broker_refuses == ["governance.decision_recorded_notify_task"]
    assert mail.outbox == [] and _pending() == [("decision_recorded_notify_task", decision.pk)]

    assert notifications.outbox_sweep(now=timezone.now() + LATER) == 0  # still down: kept
    monkeypatch.undo()  # the broker is back
    assert notifications.outbox_sweep(now=timezone.now() + LATER) == 1
    assert {to for m in mail.outbox for to in m.to} == {coordinator.email}
    assert _pending() == []
    assert notifications.outbox_sweep(now=timezone.now() + LATER) == 0  # sent once, not again


@pytest.mark.django_db(transaction=True)
def test_decision_api_answers_201_when_the_broker_refuses_the_notification(coordinator, steering_member, agreement,
                                                                          broker_refuses):
    from tests.api.conftest import token_client

    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    response = token_client(steering_member).post("/api/v1/decisions/", {
        "proposal": proposal.pk, "meeting": meeting.pk, "outcome": "rejected", "method": "consensus",
        "rationale": "Ei vastaa kriteerejä."}, format="json")
    assert response.status_code == 201, response.content
    assert ("decision_recorded_notify_task", response.json()["id"]) in _pending()


@pytest.mark.django_db(transaction=True)
def test_sweep_leaves_a_just_committed_notification_to_its_own_request(coordinator, steering_member, agreement,
                                                                      broker_refuses):
    proposal = f.draft(coordinator, agreement)
    services.proposal_submit(proposal=proposal, user=coordinator)
    assert notifications.outbox_sweep() == 0
    assert broker_refuses == ["governance.proposal_submitted_notify_task"]  # only the commit's own attempt


@pytest.mark.django_db
def test_rolled_back_change_leaves_no_notification(coordinator, steering_member, agreement,
                                                   django_capture_on_commit_callbacks):
    proposal = f.draft(coordinator, agreement)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.proposal_submit(proposal=proposal, user=coordinator)
            raise RuntimeError("rolled back")
    assert callbacks == [] and _pending() == [] and mail.outbox == []
    assert Proposal.objects.get(pk=proposal.pk).status == "draft"


@pytest.mark.django_db
def test_committed_change_sends_its_notification_once(coordinator, steering_member, agreement,
                                                     django_capture_on_commit_callbacks):
    proposal = f.draft(coordinator, agreement)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.proposal_submit(proposal=proposal, user=coordinator)
    assert len(callbacks) == 1 and len(mail.outbox) == 1 and _pending() == []
    assert notifications.outbox_sweep(now=timezone.now() + LATER) == 0


def test_the_sweep_is_on_the_beat_schedule_every_minute(settings):
    entries = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert float(entries["governance.outbox_sweep_task"]["schedule"]) <= 60


@pytest.mark.django_db(transaction=True)
def test_admin_lists_unsent_notifications_and_sends_them_on_request(admin_client, coordinator, steering_member,
                                                                     agreement, broker_refuses, monkeypatch):
    from governance.models import NotificationOutbox

    proposal = f.draft(coordinator, agreement)
    services.proposal_submit(proposal=proposal, user=coordinator)
    entry = NotificationOutbox.objects.get(sent_at__isnull=True, task_name="proposal_submitted_notify_task")
    changelist = reverse("admin:governance_notificationoutbox_changelist")

    page = admin_client.get(changelist, {"sent_at__isempty": "1"})
    assert page.status_code == 200
    assert "proposal_submitted_notify_task" in page.content.decode()
    assert admin_client.get(reverse("admin:governance_notificationoutbox_add")).status_code == 403

    still_down = admin_client.post(changelist, {"action": "send_now", "_selected_action": [entry.pk]}, follow=True)
    assert "The broker refused the notifications; 1 stay in the outbox" in still_down.content.decode()
    entry.refresh_from_db()
    assert entry.sent_at is None and entry.attempts == 2 and entry.last_error

    monkeypatch.undo()  # the broker is back
    sent = admin_client.post(changelist, {"action": "send_now", "_selected_action": [entry.pk]}, follow=True)
    assert "1 of 1 notifications handed to the broker." in sent.content.decode()
    entry.refresh_from_db()
    assert entry.sent_at is not None and entry.last_error == ""

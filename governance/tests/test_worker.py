"""The notification tasks through a real Celery worker on Redis (the CI PostgreSQL + Redis pass, never skipped
there): sent after the commit through the outbox, retried with backoff after a transient mail error, sent once."""

from __future__ import annotations

import time
import uuid

import pytest
from django.conf import settings
from django.core import mail

from governance import notifications, services
from governance.models import NotificationOutbox
from governance.tests import factories as f
from tests.faults import celery_app_on, requires_real_broker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services, pytest.mark.fault,
              requires_real_broker]


def _wait(condition, seconds: float = 60) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def test_notification_is_retried_after_a_transient_mail_error_and_sent_once(coordinator, steering_member, agreement,
                                                                            monkeypatch):
    from celery.contrib.testing.worker import start_worker

    proposal = f.draft(coordinator, agreement)
    mail.outbox.clear()
    real_send = notifications.send_mass_mail
    attempts: list[int] = []

    def flaky_send(messages, **kwargs):  # type: ignore[no-untyped-def]
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionRefusedError("the mail server is restarting")
        return real_send(messages, **kwargs)

    monkeypatch.setattr(notifications, "send_mass_mail", flaky_send)
    queue = f"test-governance-{uuid.uuid4().hex[:8]}"
    with celery_app_on(str(settings.CELERY_BROKER_URL), queue=queue) as app:
        with start_worker(app, queues=[queue], perform_ping_check=False, shutdown_timeout=30):
            services.proposal_submit(proposal=proposal, user=coordinator)  # autocommit: sent at once
            entry = NotificationOutbox.objects.get(task_name="proposal_submitted_notify_task", object_id=proposal.pk)
            assert entry.sent_at is not None  # the broker took it
            assert _wait(lambda: len(mail.outbox) >= 1, 60), attempts
            time.sleep(1)  # no late duplicate
    assert len(attempts) == 2  # the transient error, then the retry (backoff)
    assert [m.to for m in mail.outbox] == [[steering_member.email]]
    assert proposal.title in mail.outbox[0].subject

"""The recovery sweep queues again the summary files and the annex PDFs whose task message was lost: the
broker took it (the outbox marked it sent) and then lost it (Redis restarted without persistence) or its
worker died for good. Without the sweep the page said "being made" for ever."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from governance.models import NotificationOutbox
from reporting.choices import AnnexState
from reporting.services import (
    ANNEX_TASK,
    FILES_TASK,
    action_plan_annex_make,
    action_plan_version_create,
    compile_lease,
    files_requeue_lost,
    summary_files_make,
    summary_narrative_save,
)
from reporting.tests.test_action_plan import fake_annex_pdf  # noqa: F401  (a fixture)
from reporting.tests.test_review import compiled

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_loses(monkeypatch):  # type: ignore[no-untyped-def]
    """A broker that takes every message and loses it: the outbox marks it sent, no worker ever runs it."""
    from governance import notifications

    taken: list[tuple[str, int]] = []
    monkeypatch.setattr(notifications, "job", lambda name: type("Lost", (), {
        "delay": staticmethod(lambda object_id: taken.append((name, object_id)))}))
    return taken


def _later() -> dt.datetime:
    return timezone.now() + compile_lease() + dt.timedelta(minutes=1)


def test_lost_files_of_a_narrative_save_are_queued_again_once_a_lease_has_passed(
        agreement, coordinator, broker_loses, django_capture_on_commit_callbacks):
    from reporting.models import SummaryReport

    report = compiled(agreement)
    with django_capture_on_commit_callbacks(execute=True):
        saved = summary_narrative_save(report=report, user=coordinator, key_messages="Viesti.", risks="", asks="")
    assert broker_loses == [(FILES_TASK, saved.pk)] and saved.files_state == "making"
    assert files_requeue_lost() == {"files": [], "annexes": []}  # just sent: the worker may be on it
    # Two leases later (the save and its message moved back in time): still being made, so it is lost.
    past = timezone.now() - 2 * compile_lease()
    SummaryReport.objects.filter(pk=saved.pk).update(narrative_updated_at=past)
    NotificationOutbox.objects.filter(task_name=FILES_TASK).update(created_at=past, sent_at=past)
    with django_capture_on_commit_callbacks(execute=True):
        assert files_requeue_lost() == {"files": [saved.pk], "annexes": []}
    assert broker_loses == [(FILES_TASK, saved.pk)] * 2
    sent = NotificationOutbox.objects.filter(task_name=FILES_TASK, object_id=saved.pk, sent_at__isnull=False)
    assert sent.count() == 2
    assert files_requeue_lost() == {"files": [], "annexes": []}  # sent again just now: not a third time
    made = summary_files_make(report_id=saved.pk)  # the worker, at last
    assert made.files_state == "ready"
    assert files_requeue_lost(now=_later()) == {"files": [], "annexes": []}


def test_failed_files_wait_for_make_again_and_an_unsent_entry_is_the_outbox_sweeps(
        agreement, coordinator, broker_loses, monkeypatch):
    from reporting import rendering

    report = compiled(agreement)
    saved = summary_narrative_save(report=report, user=coordinator, key_messages="Viesti.", risks="", asks="")
    # Not committed in this test: the entry is unsent (the broker never took it) — the outbox sweep sends it.
    assert NotificationOutbox.objects.get(task_name=FILES_TASK, object_id=saved.pk).sent_at is None
    assert files_requeue_lost(now=_later()) == {"files": [], "annexes": []}
    monkeypatch.setattr(rendering, "render_all", lambda snapshot, language: 1 / 0)
    assert summary_files_make(report_id=saved.pk).files_state == "failed"
    NotificationOutbox.objects.all().delete()
    assert files_requeue_lost(now=_later()) == {"files": [], "annexes": []}  # the reviewer makes them again


def test_a_lost_annex_version_is_queued_again(agreement, coordinator, broker_loses, fake_annex_pdf,  # noqa: F811
                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version = action_plan_version_create(agreement=agreement, user=coordinator, reason="Syksy")
    assert version.state == AnnexState.MAKING and broker_loses == [(ANNEX_TASK, version.pk)]
    assert files_requeue_lost() == {"files": [], "annexes": []}
    # The outbox prunes its old sent entries: a version still being made without one is queued again too.
    NotificationOutbox.objects.filter(task_name=ANNEX_TASK).delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert files_requeue_lost(now=_later()) == {"files": [], "annexes": [version.pk]}
    assert broker_loses == [(ANNEX_TASK, version.pk)] * 2
    assert action_plan_annex_make(version_id=version.pk).state == AnnexState.READY
    assert files_requeue_lost(now=_later() + compile_lease()) == {"files": [], "annexes": []}


def test_the_beat_sweep_runs_it(monkeypatch):
    from reporting import services, tasks

    called = []
    monkeypatch.setattr(services, "files_requeue_lost", lambda: called.append(True) or {"files": [], "annexes": []})
    tasks.summary_requeue_stale_task()
    assert called == [True]

"""Reminders: N days before the due date, once when overdue, never repeated (time-machine moves the clock)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from followup.models import ProgressReport, ReportReminder
from followup.services import progress_report_reminders_send, progress_reports_generate
from followup.tasks import progress_report_reminders_send_task

pytestmark = pytest.mark.django_db

HELSINKI = dt.timezone(dt.timedelta(hours=3))


@pytest.fixture
def due_report(project, contact):  # type: ignore[no-untyped-def]
    progress_reports_generate(project=project)
    # Period 1.1.–30.6.2025, due 29.8.2025. Leave only this one open so the others do not remind.
    ProgressReport.objects.filter(project=project).exclude(period_start=dt.date(2025, 1, 1), kind="periodic").update(
        review_state="accepted")
    return ProgressReport.objects.get(project=project, kind="periodic", period_start=dt.date(2025, 1, 1))


def _at(day: dt.date):  # type: ignore[no-untyped-def]
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=HELSINKI), tick=False)


def test_no_reminder_before_the_window(due_report, settings):
    settings.FOLLOWUP_REMINDER_DAYS_BEFORE = 14
    with _at(dt.date(2025, 8, 14)):  # 15 days before 29.8.
        assert progress_report_reminders_send() == 0
    assert mail.outbox == []


def test_reminder_14_days_before_and_not_repeated(due_report, contact, settings):
    settings.FOLLOWUP_REMINDER_DAYS_BEFORE = 14
    settings.LANGUAGE_CODE = "fi"  # the portal's default language (the test settings use English)
    with _at(dt.date(2025, 8, 15)):
        assert progress_report_reminders_send() == 1
    with _at(dt.date(2025, 8, 20)):
        assert progress_report_reminders_send() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [contact.email]
    assert due_report.project.code in mail.outbox[0].subject
    assert "29.8.2025" in mail.outbox[0].body  # Finnish date format: the default language
    assert list(ReportReminder.objects.values_list("kind", flat=True)) == ["before"]


def test_overdue_reminder_once(due_report, settings):
    settings.FOLLOWUP_REMINDER_DAYS_BEFORE = 14
    with _at(dt.date(2025, 8, 15)):
        progress_report_reminders_send()
    with _at(dt.date(2025, 8, 29)):  # the due date itself is not overdue
        assert progress_report_reminders_send() == 0
    with _at(dt.date(2025, 8, 30)):
        assert progress_report_reminders_send() == 1
    with _at(dt.date(2025, 9, 30)):
        assert progress_report_reminders_send() == 0
    assert sorted(ReportReminder.objects.values_list("kind", flat=True)) == ["before", "overdue"]
    assert len(mail.outbox) == 2


def test_a_report_first_seen_overdue_gets_only_the_overdue_reminder(due_report):
    with _at(dt.date(2025, 10, 1)):
        assert progress_report_reminders_send() == 1
    assert list(ReportReminder.objects.values_list("kind", flat=True)) == ["overdue"]


def test_submitted_reports_are_not_reminded(due_report):
    ProgressReport.objects.filter(pk=due_report.pk).update(review_state="submitted")
    with _at(dt.date(2025, 10, 1)):
        assert progress_report_reminders_send() == 0


def test_the_days_before_come_from_the_setting(due_report, settings):
    settings.FOLLOWUP_REMINDER_DAYS_BEFORE = 30
    with _at(dt.date(2025, 7, 30)):  # 30 days before 29.8.
        assert progress_report_reminders_send() == 1


def test_the_beat_task_generates_then_reminds(project, contact):
    with _at(dt.date(2025, 8, 20)):
        sent = progress_report_reminders_send_task()
    # 20.8.2025: 1.1.–30.6.2025 due 29.8. (before); the 2024 reports are overdue; 1.7.–30.9.2025 not yet due.
    assert sent == 3
    assert sorted(ReportReminder.objects.values_list("report__period_start", "kind")) == [
        (dt.date(2024, 3, 15), "overdue"), (dt.date(2024, 7, 1), "overdue"), (dt.date(2025, 1, 1), "before")]


def test_the_beat_schedule_lists_the_task(settings):
    from config.jobs import has_job

    entry = settings.CELERY_BEAT_SCHEDULE["progress-report-reminders-daily"]
    assert entry["task"] == "followup.progress_report_reminders_send_task" and has_job(entry["task"])

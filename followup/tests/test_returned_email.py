"""A returned report is e-mailed to the project's contacts (issue 13): through the notification outbox,
committed with the return or not at all, with the coordinator's comments and a link to the report."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from followup.models import ProgressReport
from followup.services import (
    progress_report_return,
    progress_report_submit,
    progress_report_update,
    progress_reports_generate,
)
from governance.models import NotificationOutbox

from .factories import make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(project, contact):  # type: ignore[no-untyped-def]
    progress_reports_generate(project=project)
    report = ProgressReport.objects.get(project=project, kind="periodic", period_start=dt.date(2025, 1, 1))
    progress_report_update(report=report, user=contact, data={"status": "on_track", "done": "Pilotti."})
    return progress_report_submit(report=report, user=contact)


def test_returning_mails_every_contact_the_comment_and_the_link(submitted, project, contact, coordinator,
                                                                 django_capture_on_commit_callbacks):
    second = make_contact(project, email="toinen@example.fi")
    make_contact(project, email="")  # no address: not mailed
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        progress_report_return(report=submitted, user=coordinator, comment="Tarkenna riskit ja aikataulu.")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([contact.email, second.email])
    message = mail.outbox[0]
    with translation.override(settings.LANGUAGE_CODE):  # the portal's default language (no per-user one)
        assert message.subject == gettext("Progress report returned for changes: %(code)s") % {"code": project.code}
    assert "Tarkenna riskit ja aikataulu." in message.body
    assert submitted.get_absolute_url() in message.body
    entry = NotificationOutbox.objects.get(task_name="followup.progress_report_returned_notify_task",
                                           object_id=submitted.pk)
    assert entry.sent_at is not None


def test_a_refused_return_writes_no_notification(submitted, contact, coordinator):
    with pytest.raises(Exception):  # noqa: B017  # a contact may not review: PermissionDenied
        progress_report_return(report=submitted, user=contact, comment="x")
    assert not NotificationOutbox.objects.filter(object_id=submitted.pk).exists()


def test_a_report_resubmitted_before_the_mail_goes_is_not_announced(submitted, contact, coordinator):
    from followup.services.reports import progress_report_returned_notify

    progress_report_return(report=submitted, user=coordinator, comment="Korjaa.")
    progress_report_submit(report=submitted, user=contact)
    mail.outbox.clear()
    assert progress_report_returned_notify(report_id=submitted.pk) == 0
    assert mail.outbox == []

"""The rest of issue 18's delivery: files attached only for named recipients (and only while the setting allows
it), the agenda item of a summary approved before the group's next meeting existed, the reviewers' dashboard
block, the recipients' language kept in the UI with history, and the retries of a mail-server error."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from governance.choices import GroupKind, MemberRole
from governance.models import AgendaItem, Meeting, Membership, SteeringGroup
from governance.services import meeting_create, meeting_update
from reporting.choices import DeliveryStatus, ReviewAction, ReviewStatus
from reporting.models import RecipientChange, SummaryDelivery, SummaryRecipient, SummaryReport
from reporting.services import (
    summary_approve,
    summary_compile,
    summary_files_make,
    summary_get_or_create,
    summary_narrative_save,
    summary_recipient_add,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(fast_pdf):  # type: ignore[no-untyped-def]
    return None


@pytest.fixture
def group(agreement):  # type: ignore[no-untyped-def]
    return SteeringGroup.objects.get(kind=GroupKind.REGIONAL, agreement=agreement)


def compiled(agreement, *, audience="steering", period="2026-Q3", language="fi"):  # type: ignore[no-untyped-def]
    report, _ = summary_get_or_create(audience=audience, period=period,
                                      agreement=agreement if audience == "steering" else None,
                                      language=language, user=None, rerun=True)
    summary_compile(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == "done", report.error
    return report


def reviewed(report, user):  # type: ignore[no-untyped-def]
    saved = summary_narrative_save(report=report, user=user, key_messages="Rahoitus etenee suunnitellusti.",
                                   risks="", asks="")
    return summary_files_make(report_id=saved.pk) or saved  # the worker's step (the task at the commit)


def member(group, email, language=""):  # type: ignore[no-untyped-def]
    user = UserFactory(email=email)
    return Membership.objects.create(group=group, user=user, role=MemberRole.MEMBER, language=language)


# --- 1. attachments only for named recipients -----------------------------------------------------------------

def test_only_a_named_recipient_gets_the_pdf_and_only_while_the_setting_allows_it(
        agreement, group, coordinator, settings, django_capture_on_commit_callbacks):
    settings.REPORT_ATTACHMENTS_TO_NAMED_RECIPIENTS = True
    member(group, "anna@example.fi")
    summary_recipient_add(group=group, email="kirjaamo@tem.example.fi", user=coordinator, language="sv",
                          attachments=True)
    summary_recipient_add(group=group, email="tiedoksi@example.fi", user=coordinator)
    report = reviewed(compiled(agreement), coordinator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        summary_approve(report=report, user=coordinator)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"anna@example.fi", "kirjaamo@tem.example.fi", "tiedoksi@example.fi"}
    named = by_address["kirjaamo@tem.example.fi"]
    assert len(named.attachments) == 1
    filename, content, mimetype = named.attachments[0]
    report.refresh_from_db()
    with report.pdf_file.open("rb") as handle:
        assert content == handle.read()  # the approved file, in the summary's language
    assert (filename, mimetype) == (f"summary-2026-Q3-v{report.version}-fi.pdf", "application/pdf")
    assert "bifogad" in named.body and "finska" in named.body, named.body  # told in Swedish, the file in Finnish
    for address in ("anna@example.fi", "tiedoksi@example.fi"):  # a member, and an entry without the permission
        assert by_address[address].attachments == []
        assert f"/reports/{report.pk}/" in by_address[address].body
    deliveries = dict(SummaryDelivery.objects.filter(report=report).values_list("email", "attachments"))
    assert deliveries == {"anna@example.fi": False, "kirjaamo@tem.example.fi": True, "tiedoksi@example.fi": False}
    from tests.api.conftest import token_client

    body = token_client(coordinator).get(f"/api/v1/reports/{report.pk}/").json()
    assert {d["email"]: d["attachments"] for d in body["deliveries"]} == deliveries


def test_with_the_setting_off_nobody_gets_files(agreement, group, coordinator, settings,
                                                 django_capture_on_commit_callbacks):
    assert settings.REPORT_ATTACHMENTS_TO_NAMED_RECIPIENTS is False  # the default
    summary_recipient_add(group=group, email="kirjaamo@tem.example.fi", user=coordinator, attachments=True)
    report = reviewed(compiled(agreement), coordinator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        summary_approve(report=report, user=coordinator)
    assert [m.attachments for m in mail.outbox] == [[]]
    assert "PDF" not in mail.outbox[0].body


def test_the_setting_turned_off_before_the_send_wins(agreement, group, coordinator, settings,
                                                      django_capture_on_commit_callbacks):
    settings.REPORT_ATTACHMENTS_TO_NAMED_RECIPIENTS = True
    summary_recipient_add(group=group, email="kirjaamo@tem.example.fi", user=coordinator, attachments=True)
    report = reviewed(compiled(agreement), coordinator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        summary_approve(report=report, user=coordinator)
    assert SummaryDelivery.objects.get(report=report).attachments is True
    settings.REPORT_ATTACHMENTS_TO_NAMED_RECIPIENTS = False
    for callback in callbacks:
        callback()
    assert [m.attachments for m in mail.outbox] == [[]]


# --- 2. the agenda item of a meeting planned after the approval ------------------------------------------------

def test_a_summary_approved_without_a_meeting_goes_on_the_next_meeting_once(agreement, group, coordinator,
                                                                             client):
    report = reviewed(compiled(agreement), coordinator)
    summary_approve(report=report, user=coordinator)
    report.refresh_from_db()
    assert report.agenda_pending and report.agenda_item is None
    assert not AgendaItem.objects.exists()

    now = timezone.now()
    past = meeting_create(group=group, title="Jo pidetty", starts_at=now - dt.timedelta(days=2), location="A",
                          user=coordinator)
    assert not past.other_items.exists()  # a past meeting is no one's next meeting
    meeting = meeting_create(group=group, title="Syyskokous", starts_at=now + dt.timedelta(days=20),
                             location="Sali", user=coordinator)
    item = meeting.other_items.get()
    report.refresh_from_db()
    assert report.agenda_item == item and not report.agenda_pending
    assert item.link == f"/reports/{report.pk}/" and "2026-Q3" in item.title
    assert report.review_events.filter(action=ReviewAction.AGENDA, note=str(meeting)).exists()

    # Idempotent: moving the meeting, or planning another one, adds nothing more.
    meeting_update(meeting=meeting, user=coordinator, starts_at=now + dt.timedelta(days=21))
    meeting_create(group=group, title="Kevätkokous", starts_at=now + dt.timedelta(days=120), location="Sali",
                   user=coordinator)
    assert AgendaItem.objects.count() == 1

    # Linked from the meeting page and the minutes.
    from governance.pdf import minutes_html

    client.force_login(coordinator)
    page = client.get(f"/governance/meetings/{meeting.pk}/").content.decode()
    assert f'href="/reports/{report.pk}/"' in page
    assert f"/reports/{report.pk}/" in minutes_html(meeting=meeting, user=coordinator)


def test_a_past_meeting_moved_ahead_takes_the_waiting_summary(agreement, group, coordinator):
    now = timezone.now()
    meeting = Meeting.objects.create(group=group, title="Siirtyy", starts_at=now - dt.timedelta(days=1),
                                     location="A")
    report = reviewed(compiled(agreement), coordinator)
    summary_approve(report=report, user=coordinator)
    assert not meeting.other_items.exists()
    meeting_update(meeting=meeting, user=coordinator, starts_at=now + dt.timedelta(days=7))
    assert meeting.other_items.get().link == f"/reports/{report.pk}/"


def test_a_draft_or_another_agreements_summary_does_not_wait_for_the_meeting(agreement, group, coordinator,
                                                                             other_agreement, other_coordinator):
    compiled(agreement)  # a draft
    other = reviewed(compiled(other_agreement), other_coordinator)
    summary_approve(report=other, user=other_coordinator)
    assert SummaryReport.objects.get(pk=other.pk).agenda_pending
    meeting = meeting_create(group=group, title="Syyskokous", starts_at=timezone.now() + dt.timedelta(days=5),
                             location="Sali", user=coordinator)
    assert not meeting.other_items.exists()


# --- 3. the reviewers' dashboard block ------------------------------------------------------------------------

def test_the_dashboard_lists_the_drafts_and_the_unsent_for_their_reviewers(
        agreement, coordinator, other_coordinator, ministry_user, steering_member, client):
    draft = compiled(agreement)
    approved = reviewed(compiled(agreement, period="2026-Q2"), coordinator)
    summary_approve(report=approved, user=coordinator)  # nobody to send to: stays approved
    sent = reviewed(compiled(agreement, period="2026-Q1"), coordinator)
    SummaryReport.objects.filter(pk=sent.pk).update(review_status=ReviewStatus.SENT, approved_at=timezone.now())
    national = compiled(None, audience="national", period="2026-H1")

    client.force_login(coordinator)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "Koosteet odottavat tarkastusta" in page
    assert f'href="/reports/{draft.pk}/#review-heading"' in page
    assert f'href="/reports/{approved.pk}/#deliveries-heading"' in page
    assert f'href="/reports/{sent.pk}/' not in page.split("Koosteet odottavat tarkastusta")[1].split("</section>")[0]
    assert f"/reports/{national.pk}/#" not in page  # the ministry reviews the national summary

    client.force_login(ministry_user)
    page = client.get("/").content.decode()
    assert f'href="/reports/{national.pk}/#review-heading"' in page
    assert f"/reports/{draft.pk}/#" not in page

    for outsider in (other_coordinator, steering_member):
        client.force_login(outsider)
        page = client.get("/").content.decode()
        assert f"/reports/{draft.pk}/#" not in page and f"/reports/{approved.pk}/#" not in page


# --- 4. the recipients' language in the UI, with history -------------------------------------------------------

def test_coordinator_sets_a_members_language_and_the_delivery_uses_it(agreement, group, coordinator, client,
                                                                      django_capture_on_commit_callbacks):
    seat = member(group, "sven@example.se")
    client.force_login(coordinator)
    url = f"/reports/recipients/{group.pk}/"
    page = client.get(url).content.decode()
    assert "sven@example.se" in page and f'id="member-language-{seat.pk}"' in page
    response = client.post(url + f"members/{seat.pk}/language/", {"language": "sv"})
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.language == "sv"
    change = RecipientChange.objects.get()
    assert (change.membership, change.field, change.old_value, change.new_value, change.by) == (
        seat, "language", "", "sv", coordinator)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "ruotsi" in page and "ei asetettu (suomi)" in page  # the history, in Finnish

    bad = client.post(url + f"members/{seat.pk}/language/", {"language": "de"})
    assert bad.status_code == 400 and f'id="member-error-{seat.pk}"' in bad.content.decode()
    assert RecipientChange.objects.count() == 1

    report = reviewed(compiled(agreement), coordinator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        summary_approve(report=report, user=coordinator)
    assert SummaryDelivery.objects.get(report=report).language == "sv"
    assert "Projekt" in mail.outbox[0].body


def test_coordinator_changes_a_recipients_language_and_attachments_with_history(group, coordinator, client):
    recipient = summary_recipient_add(group=group, email="kirjaamo@example.fi", user=coordinator)
    client.force_login(coordinator)
    url = f"/reports/recipients/{group.pk}/"
    assert client.post(url + f"{recipient.pk}/update/", {"language": "en", "attachments": "on"}).status_code == 302
    recipient.refresh_from_db()
    assert (recipient.language, recipient.attachments) == ("en", True)
    assert sorted(RecipientChange.objects.values_list("field", "old_value", "new_value")) == [
        ("attachments", "0", "1"), ("language", "fi", "en")]
    assert client.post(url + f"{recipient.pk}/update/", {"language": "en", "attachments": "on"}).status_code == 302
    assert RecipientChange.objects.count() == 2  # nothing changed, nothing recorded
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "Liitetiedostot: ei → kyllä" in page


@pytest.mark.parametrize("who", ["steering_member", "ministry_user", "other_coordinator"])
def test_only_the_coordinators_change_languages(group, coordinator, who, request, client):
    seat = member(group, "sven@example.se")
    recipient = summary_recipient_add(group=group, email="kirjaamo@example.fi", user=coordinator)
    client.force_login(request.getfixturevalue(who))
    url = f"/reports/recipients/{group.pk}/"
    assert client.post(url + f"members/{seat.pk}/language/", {"language": "sv"}).status_code in (403, 404)
    assert client.post(url + f"{recipient.pk}/update/", {"language": "sv", "attachments": "on"}).status_code in (
        403, 404)
    seat.refresh_from_db()
    recipient.refresh_from_db()
    assert seat.language == "" and (recipient.language, recipient.attachments) == ("fi", False)
    assert not RecipientChange.objects.exists()


def test_a_seat_of_another_group_is_not_changed_through_this_one(group, coordinator, client):
    national = SteeringGroup.objects.get(kind=GroupKind.NATIONAL)
    seat = member(national, "tem@example.fi")
    client.force_login(coordinator)
    assert client.post(f"/reports/recipients/{group.pk}/members/{seat.pk}/language/",
                       {"language": "sv"}).status_code == 404
    assert SummaryRecipient.objects.count() == 0


# --- 5. a mail-server error is retried with back-off ------------------------------------------------------------

TEMPORARY = "jono@example.fi"


class TemporarilyFailing(EmailBackend):
    """The server drops the connection for one address every time (a 4xx-like, transient error)."""

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        for message in messages:
            if TEMPORARY in message.to:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def test_a_transient_error_is_retried_with_growing_backoff_then_fails(
        agreement, group, coordinator, settings, monkeypatch, django_capture_on_commit_callbacks):
    import celery.utils.time

    from reporting.tasks import DELIVERY_MAX_RETRIES, DELIVERY_RETRY_BACKOFF, summary_delivery_send_task

    settings.EMAIL_BACKEND = "reporting.tests.test_review_delivery.TemporarilyFailing"
    member(group, "anna@example.fi")
    member(group, TEMPORARY)
    countdowns: list[int] = []
    retry = summary_delivery_send_task.retry

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        countdowns.append(kwargs["countdown"])
        return retry(*args, **kwargs)

    monkeypatch.setattr(summary_delivery_send_task, "retry", spy)
    # Eager, Celery re-runs a retried task at once when it does not propagate the task's errors to the caller.
    monkeypatch.setattr(summary_delivery_send_task.app.conf, "task_eager_propagates", False)
    # The jitter at its upper bound, so that the back-off itself is what is measured.
    monkeypatch.setattr(celery.utils.time.random, "randrange", lambda n: n - 1)
    report = reviewed(compiled(agreement), coordinator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        summary_approve(report=report, user=coordinator)

    assert DELIVERY_RETRY_BACKOFF == 60 and DELIVERY_MAX_RETRIES == 5
    assert countdowns == [60, 120, 240, 480, 960]  # grows, through Celery's own retry machinery
    failed = SummaryDelivery.objects.get(report=report, email=TEMPORARY)
    assert failed.status == DeliveryStatus.FAILED and failed.attempts == DELIVERY_MAX_RETRIES + 1
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in failed.error
    assert "Temporary error" not in failed.error and "tilapäinen" not in failed.error.lower()  # the final word
    sent = SummaryDelivery.objects.get(report=report, email="anna@example.fi")
    assert sent.status == DeliveryStatus.SENT and sent.attempts == 1
    assert [m.to for m in mail.outbox] == [["anna@example.fi"]]
    report.refresh_from_db()
    assert report.review_status == ReviewStatus.APPROVED  # one recipient still lacks it: retryable


def test_the_backoff_with_jitter_stays_under_its_bound(agreement, group, coordinator, settings, monkeypatch,
                                                       django_capture_on_commit_callbacks):
    from reporting.tasks import summary_delivery_send_task

    settings.EMAIL_BACKEND = "reporting.tests.test_review_delivery.TemporarilyFailing"
    member(group, TEMPORARY)
    countdowns: list[int] = []
    retry = summary_delivery_send_task.retry

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        countdowns.append(kwargs["countdown"])
        return retry(*args, **kwargs)

    monkeypatch.setattr(summary_delivery_send_task, "retry", spy)
    monkeypatch.setattr(summary_delivery_send_task.app.conf, "task_eager_propagates", False)
    report = reviewed(compiled(agreement), coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        summary_approve(report=report, user=coordinator)
    assert len(countdowns) == 5
    assert all(0 <= c <= 60 * 2 ** n for n, c in enumerate(countdowns))

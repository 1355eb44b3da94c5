"""Review of a summary (issue 18): draft → approved → sent, who may do what, the narrative in every format,
corrections, delivery with a failing address, the reviewers' notice and reminder, and the agenda item."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import smtplib

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone
from openpyxl import load_workbook

from governance.choices import GroupKind, MeetingStatus, MemberRole
from governance.models import Meeting, Membership, NotificationOutbox, SteeringGroup
from reporting.choices import DeliveryStatus, ReviewAction, ReviewStatus
from reporting.models import SummaryDelivery, SummaryReport
from reporting.services import (
    summary_approve,
    summary_compile,
    summary_correct,
    summary_delivery_retry,
    summary_files_make,
    summary_files_make_again,
    summary_get_or_create,
    summary_narrative_save,
    summary_review_reminders_send,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FAILING = "fails@example.invalid"


class FailingForOneAddress(EmailBackend):
    """The locmem backend, except that the server refuses one address (as SMTP would)."""

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        for message in messages:
            if FAILING in message.to:
                raise smtplib.SMTPRecipientsRefused({FAILING: (550, b"5.1.1 no such user")})
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def _eager_outbox(django_capture_on_commit_callbacks, fast_pdf):  # type: ignore[no-untyped-def]
    return None


def compiled(agreement, *, user=None, language="fi") -> SummaryReport:  # type: ignore[no-untyped-def]
    report, _ = summary_get_or_create(audience="steering", period="2026-Q3", agreement=agreement,
                                      language=language, user=user, rerun=True)
    summary_compile(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == "done", report.error
    return report


def members(agreement, *emails_and_languages):  # type: ignore[no-untyped-def]
    group = SteeringGroup.objects.get(kind=GroupKind.REGIONAL, agreement=agreement)
    users = []
    for email, language in emails_and_languages:
        user = UserFactory(email=email)
        Membership.objects.create(group=group, user=user, role=MemberRole.MEMBER, language=language)
        users.append(user)
    return users


def narrative(report, user, **texts):  # type: ignore[no-untyped-def]
    texts.setdefault("key_messages", "Rahoitus etenee suunnitellusti.")
    texts.setdefault("risks", "Kaksi hanketta on myöhässä.")
    texts.setdefault("asks", "Johtoryhmää pyydetään merkitsemään tiedoksi.")
    saved = summary_narrative_save(report=report, user=user, **texts)
    # The worker's step: the saved narrative's task (queued through the outbox at the commit) makes the files.
    return summary_files_make(report_id=saved.pk) or saved


# --- transitions and who may make them ------------------------------------------------------------------------

def test_a_compiled_summary_starts_as_a_draft(agreement):
    report = compiled(agreement)
    assert report.review_status == ReviewStatus.DRAFT
    assert list(report.review_events.values_list("action", flat=True)) == [ReviewAction.COMPILED]


def test_coordinator_approves_and_the_approval_is_attributed(agreement, coordinator,
                                                             django_capture_on_commit_callbacks):
    report = narrative(compiled(agreement), coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        summary_approve(report=report, user=coordinator)
    report.refresh_from_db()
    assert report.review_status == ReviewStatus.APPROVED  # nobody to send to: stays approved
    assert report.approved_by == coordinator and report.approved_at is not None
    event = report.review_events.get(action=ReviewAction.APPROVED, note="")
    assert event.by == coordinator


@pytest.mark.parametrize("who", ["steering_member", "ministry_user", "other_coordinator"])
def test_only_the_agreements_coordinators_approve(agreement, coordinator, who, request):
    report = narrative(compiled(agreement), coordinator)
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        summary_approve(report=report, user=user)
    report.refresh_from_db()
    assert report.review_status == ReviewStatus.DRAFT


@pytest.mark.parametrize("who", ["steering_member", "ministry_user", "other_coordinator"])
def test_only_the_agreements_coordinators_write_the_narrative(agreement, who, request):
    report = compiled(agreement)
    with pytest.raises(PermissionDenied):
        narrative(report, request.getfixturevalue(who))
    report.refresh_from_db()
    assert report.key_messages == ""


def test_approval_needs_the_key_messages(agreement, coordinator):
    report = compiled(agreement)
    with pytest.raises(ValidationError) as exc:
        summary_approve(report=report, user=coordinator)
    assert "key_messages" in exc.value.message_dict


def test_nobody_edits_an_approved_summary(agreement, coordinator):
    report = narrative(compiled(agreement), coordinator)
    summary_approve(report=report, user=coordinator)
    with pytest.raises(ValidationError) as exc:
        narrative(report, coordinator, key_messages="Muutettu jälkikäteen.")
    assert exc.value.code == "frozen"
    report.refresh_from_db()
    assert report.key_messages == "Rahoitus etenee suunnitellusti."
    assert report.snapshot["narrative"]["key_messages"] == "Rahoitus etenee suunnitellusti."
    with pytest.raises(ValidationError):
        summary_approve(report=report, user=coordinator)


def test_a_correction_is_a_new_version_with_its_reason(agreement, coordinator, django_capture_on_commit_callbacks):
    report = narrative(compiled(agreement), coordinator)
    summary_approve(report=report, user=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        new = summary_correct(report=report, user=coordinator, reason="Yhden hankkeen rahoitus oli väärin.")
    new.refresh_from_db()
    report.refresh_from_db()
    assert new.version == report.version + 1 and new.correction_of == report
    assert new.review_status == ReviewStatus.DRAFT and new.status == "done"
    assert new.key_messages == report.key_messages  # the narrative to edit
    assert new.snapshot["correction"] == {"of_version": report.version,
                                          "reason": "Yhden hankkeen rahoitus oli väärin."}
    assert report.review_status == ReviewStatus.APPROVED  # the approved one stays as it was
    csv_text = new.csv_file.open("rb").read().decode("utf-8-sig")
    assert "Yhden hankkeen rahoitus oli väärin." in csv_text


def test_a_correction_needs_a_reason(agreement, coordinator):
    report = narrative(compiled(agreement), coordinator)
    summary_approve(report=report, user=coordinator)
    with pytest.raises(ValidationError):
        summary_correct(report=report, user=coordinator, reason="  ")


# --- the narrative in every format ---------------------------------------------------------------------------

def test_the_narrative_is_in_every_format(agreement, coordinator, monkeypatch):
    from reporting import rendering

    monkeypatch.setitem(rendering.RENDERERS, "pdf", rendering.render_pdf)  # the real PDF this time
    report = compiled(agreement)
    report = narrative(report, coordinator, key_messages="Avainviesti: kehys riittää.",
                       risks="Riski: rekrytoinnit viivästyvät.", asks="Päätettäväksi: haku avataan.")
    texts = ["Avainviesti: kehys riittää.", "Riski: rekrytoinnit viivästyvät.", "Päätettäväksi: haku avataan."]

    data = json.loads(report.json_file.open("rb").read())
    assert [data["narrative"][k] for k in ("key_messages", "risks", "asks")] == texts

    rows = list(csv.reader(io.StringIO(report.csv_file.open("rb").read().decode("utf-8-sig"))))
    assert [r[4] for r in rows if r[0] == "narrative"] == texts

    sheet = load_workbook(io.BytesIO(report.xlsx_file.open("rb").read())).worksheets[0]
    cells = {c.value for row in sheet.iter_rows() for c in row if c.value}
    assert set(texts) <= cells and "Keskeiset viestit" in cells

    from pypdf import PdfReader

    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(report.pdf_file.open("rb").read())).pages)
    for text in texts:
        assert " ".join(text.split()) in " ".join(pdf_text.split())
    assert "Riskit" in pdf_text and "Keskeiset viestit" in pdf_text


def test_saving_the_narrative_keeps_the_figures(agreement, coordinator):
    report = compiled(agreement)
    before = report.snapshot
    report = narrative(report, coordinator)
    assert {k: v for k, v in report.snapshot.items() if k != "narrative"} == before


# --- the files are made by a task after a narrative save ------------------------------------------------------

def _csv_text(report):  # type: ignore[no-untyped-def]
    return report.csv_file.open("rb").read().decode("utf-8-sig")


def test_saving_the_narrative_queues_the_files_and_approval_waits_for_them(agreement, coordinator):
    report = compiled(agreement)
    saved = summary_narrative_save(report=report, user=coordinator, key_messages="Kehys riittää vuodelle.",
                                   risks="", asks="")
    # Saved at once; the files (seconds of PDF) are the task's, queued in the same transaction.
    assert saved.key_messages == "Kehys riittää vuodelle." and saved.snapshot["narrative"]["key_messages"]
    assert saved.files_state == "making" and not saved.is_settled
    assert "Kehys riittää vuodelle." not in _csv_text(saved)
    assert NotificationOutbox.objects.filter(task_name="reporting.summary_files_make_task",
                                             object_id=saved.pk).exists()
    with pytest.raises(ValidationError) as exc:
        summary_approve(report=saved, user=coordinator)
    assert exc.value.code == "files_not_ready"
    saved.refresh_from_db()
    assert saved.review_status == ReviewStatus.DRAFT

    made = summary_files_make(report_id=saved.pk)
    assert made is not None and made.files_state == "ready" and made.is_settled
    assert "Kehys riittää vuodelle." in _csv_text(made)
    assert summary_files_make(report_id=saved.pk).files_narrative_at == made.files_narrative_at  # idempotent
    summary_approve(report=made, user=coordinator)
    made.refresh_from_db()
    assert made.review_status == ReviewStatus.APPROVED


def test_the_task_makes_the_files_at_the_commit(agreement, coordinator, django_capture_on_commit_callbacks):
    report = compiled(agreement)
    with django_capture_on_commit_callbacks(execute=True):
        saved = summary_narrative_save(report=report, user=coordinator, key_messages="Avainviesti tehtävästä.",
                                       risks="", asks="")
    saved.refresh_from_db()
    assert saved.files_state == "ready"
    assert "Avainviesti tehtävästä." in _csv_text(saved)


def test_a_narrative_saved_again_while_the_files_are_made_is_left_to_its_own_task(agreement, coordinator,
                                                                                   monkeypatch):
    from reporting import rendering

    report = compiled(agreement)
    first = summary_narrative_save(report=report, user=coordinator, key_messages="Ensimmäinen.", risks="", asks="")
    real = rendering.render_all

    def render_while_saved_again(snapshot, language):  # type: ignore[no-untyped-def]
        files = real(snapshot, language)
        summary_narrative_save(report=first, user=coordinator, key_messages="Toinen.", risks="", asks="")
        return files

    monkeypatch.setattr(rendering, "render_all", render_while_saved_again)
    stale = summary_files_make(report_id=first.pk)
    assert stale is not None and stale.files_state == "making"  # the first render was not written
    assert "Ensimmäinen." not in _csv_text(stale)
    monkeypatch.setattr(rendering, "render_all", real)
    made = summary_files_make(report_id=first.pk)
    assert made.files_state == "ready" and "Toinen." in _csv_text(made)


def test_a_failure_to_make_the_files_is_kept_and_made_again_on_request(agreement, coordinator, monkeypatch,
                                                                        django_capture_on_commit_callbacks):
    from reporting import rendering

    report = compiled(agreement)
    saved = summary_narrative_save(report=report, user=coordinator, key_messages="Viesti.", risks="", asks="")
    real = rendering.render_all

    def broken(snapshot, language):  # type: ignore[no-untyped-def]
        raise ValueError("font missing")

    monkeypatch.setattr(rendering, "render_all", broken)
    failed = summary_files_make(report_id=saved.pk)
    assert failed.files_state == "failed" and "font missing" in failed.files_error and failed.is_settled
    with pytest.raises(ValidationError):
        summary_approve(report=failed, user=coordinator)
    with pytest.raises(PermissionDenied):
        summary_files_make_again(report=failed, user=UserFactory())
    monkeypatch.setattr(rendering, "render_all", real)
    with django_capture_on_commit_callbacks(execute=True):
        summary_files_make_again(report=failed, user=coordinator)
    failed.refresh_from_db()
    assert failed.files_state == "ready" and failed.files_error == "" and "Viesti." in _csv_text(failed)


# --- delivery ------------------------------------------------------------------------------------------------

def test_delivery_goes_on_when_one_address_fails(agreement, coordinator, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "reporting.tests.test_review.FailingForOneAddress"
    members(agreement, ("anna@example.fi", "fi"), (FAILING, ""), ("sven@example.se", "sv"))
    report = narrative(compiled(agreement), coordinator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        summary_approve(report=report, user=coordinator)
    deliveries = {d.email: d for d in SummaryDelivery.objects.filter(report=report)}
    assert deliveries["anna@example.fi"].status == DeliveryStatus.SENT
    assert deliveries["sven@example.se"].status == DeliveryStatus.SENT
    failed = deliveries[FAILING]
    assert failed.status == DeliveryStatus.FAILED and "no such user" in failed.error
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.fi", "sven@example.se"]
    report.refresh_from_db()
    assert report.review_status == ReviewStatus.APPROVED  # not every recipient has it yet

    # The address is fixed on the mail server's side; the coordinator retries and the summary is sent.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        summary_delivery_retry(delivery=failed, user=coordinator)
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.SENT and failed.attempts == 2
    report.refresh_from_db()
    assert report.review_status == ReviewStatus.SENT and report.sent_at is not None
    assert report.review_events.filter(action=ReviewAction.RETRIED, by=coordinator).exists()


def test_delivery_in_the_recipients_language_with_figures_and_no_attachment(
        agreement, coordinator, settings, django_capture_on_commit_callbacks):
    settings.PORTAL_BASE_URL = "https://portaali.example.fi"
    members(agreement, ("anna@example.fi", ""), ("sven@example.se", "sv"), ("eve@example.com", "en"))
    report = narrative(compiled(agreement), coordinator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        summary_approve(report=report, user=coordinator)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"anna@example.fi", "sven@example.se", "eve@example.com"}
    assert "Hankkeet" in by_address["anna@example.fi"].body  # no language known: Finnish
    assert "Projekt" in by_address["sven@example.se"].body
    assert "Projects" in by_address["eve@example.com"].body
    for message in by_address.values():
        assert f"https://portaali.example.fi/reports/{report.pk}/" in message.body
        assert message.attachments == []
        assert "Rahoitus etenee suunnitellusti." in message.body  # the key messages, as written


def test_retrying_is_only_for_failed_deliveries(agreement, coordinator, django_capture_on_commit_callbacks):
    members(agreement, ("anna@example.fi", "fi"))
    report = narrative(compiled(agreement), coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        summary_approve(report=report, user=coordinator)
    with pytest.raises(ValidationError):
        summary_delivery_retry(delivery=report.deliveries.get(), user=coordinator)


def test_the_national_summary_goes_to_the_national_group_and_the_configured_recipients(
        agreement, ministry_user, settings, django_capture_on_commit_callbacks):
    settings.REPORT_NATIONAL_RECIPIENTS = ["kirjaamo@tem.example.fi", "svensk@tem.example.fi:sv"]
    group = SteeringGroup.objects.filter(kind=GroupKind.NATIONAL).first() or SteeringGroup.objects.create(
        kind=GroupKind.NATIONAL, name="Kansallinen ohjausryhmä")
    Membership.objects.create(group=group, user=UserFactory(email="jasen@example.fi"))
    members(agreement, ("regional@example.fi", "fi"))  # not in the national audience
    report, _ = summary_get_or_create(audience="national", period="2026-H1", user=None)
    summary_compile(report_id=report.pk)
    report.refresh_from_db()
    report = narrative(report, ministry_user)
    with django_capture_on_commit_callbacks(execute=True):
        summary_approve(report=report, user=ministry_user)
    assert dict(report.deliveries.values_list("email", "language")) == {
        "jasen@example.fi": "fi", "kirjaamo@tem.example.fi": "fi", "svensk@tem.example.fi": "sv"}


def test_the_delivery_tasks_go_through_the_outbox(agreement, coordinator):
    members(agreement, ("anna@example.fi", "fi"))
    report = narrative(compiled(agreement), coordinator)
    summary_approve(report=report, user=coordinator)
    delivery = report.deliveries.get()
    assert NotificationOutbox.objects.filter(task_name="reporting.summary_delivery_send_task",
                                             object_id=delivery.pk).exists()


# --- the reviewers are told, and reminded ---------------------------------------------------------------------

def test_a_scheduled_summary_tells_the_coordinators_and_reminds_them(agreement, coordinator, settings,
                                                                      django_capture_on_commit_callbacks):
    import time_machine

    from reporting.tasks import summary_compile_scheduled_task

    settings.REPORT_REVIEW_REMINDER_DAYS = 5
    coordinator.email = "coord@example.fi"
    coordinator.save()
    with time_machine.travel(dt.datetime(2026, 10, 1, 3, 0, tzinfo=dt.UTC), tick=False):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            ids = summary_compile_scheduled_task(audience="steering", period_kind="quarter")
        report = SummaryReport.objects.get(pk=ids[0])
        assert report.status == "done" and report.review_status == ReviewStatus.DRAFT
        assert [m.to for m in mail.outbox] == [["coord@example.fi"]]
        assert "odottaa" in mail.outbox[0].subject
    with time_machine.travel(dt.datetime(2026, 10, 5, 7, 0, tzinfo=dt.UTC), tick=False):
        mail.outbox.clear()
        assert summary_review_reminders_send() == []  # four days: not yet
        assert mail.outbox == []
    with time_machine.travel(dt.datetime(2026, 10, 6, 7, 0, tzinfo=dt.UTC), tick=False):
        assert summary_review_reminders_send() == [report.pk]
        assert [m.to for m in mail.outbox] == [["coord@example.fi"]]
        assert "Muistutus" in mail.outbox[0].subject
        assert summary_review_reminders_send() == []  # once, then again after as many days
    with time_machine.travel(dt.datetime(2026, 10, 11, 7, 0, tzinfo=dt.UTC), tick=False):
        assert summary_review_reminders_send() == [report.pk]
    report.refresh_from_db()
    report = narrative(report, coordinator)
    summary_approve(report=report, user=coordinator)
    with time_machine.travel(dt.datetime(2026, 10, 30, 7, 0, tzinfo=dt.UTC), tick=False):
        assert summary_review_reminders_send() == []  # approved: no more reminders
    actions = list(report.review_events.values_list("action", flat=True))
    assert actions.count(ReviewAction.NOTIFIED) == 1 and actions.count(ReviewAction.REMINDED) == 2


def test_a_summary_compiled_on_request_is_not_announced(agreement, coordinator):
    coordinator.email = "coord@example.fi"
    coordinator.save()
    mail.outbox.clear()
    compiled(agreement, user=coordinator)
    assert not NotificationOutbox.objects.filter(task_name="reporting.summary_review_notify_task").exists()


# --- the agenda -----------------------------------------------------------------------------------------------

def test_approval_adds_an_information_item_to_the_next_meeting(agreement, coordinator):
    group = SteeringGroup.objects.get(kind=GroupKind.REGIONAL, agreement=agreement)
    now = timezone.now()
    Meeting.objects.create(group=group, title="Mennyt", starts_at=now - dt.timedelta(days=3), location="A")
    later = Meeting.objects.create(group=group, title="Myöhempi", starts_at=now + dt.timedelta(days=40),
                                   location="A")
    nxt = Meeting.objects.create(group=group, title="Seuraava", starts_at=now + dt.timedelta(days=10),
                                 location="A", status=MeetingStatus.AGENDA_PUBLISHED)
    report = narrative(compiled(agreement), coordinator)
    summary_approve(report=report, user=coordinator)
    item = nxt.other_items.get()
    assert item.link == f"/reports/{report.pk}/"
    assert "2026-Q3" in item.title and item.description == "Rahoitus etenee suunnitellusti."
    assert not later.other_items.exists()
    assert report.review_events.get(action=ReviewAction.AGENDA).note == str(nxt)


def test_approval_without_a_planned_meeting_says_so(agreement, coordinator):
    report = narrative(compiled(agreement), coordinator)
    summary_approve(report=report, user=coordinator)
    assert report.review_events.get(action=ReviewAction.AGENDA).note.startswith("No planned meeting")


def test_a_summary_without_its_snapshot_cannot_take_a_narrative(agreement, coordinator):
    """Found by the object matrix: a "done" row without a snapshot made the narrative page answer 500."""
    report = SummaryReport.objects.create(audience="steering", agreement=agreement, period="2026-Q1",
                                          period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 3, 31),
                                          status="done", progress=100)
    with pytest.raises(ValidationError) as exc:
        narrative(report, coordinator)
    assert exc.value.code == "not_compiled"


def test_the_email_is_plain_text_not_html_escaped(agreement, coordinator, django_capture_on_commit_callbacks):
    members(agreement, ("anna@example.fi", "fi"))
    report = narrative(compiled(agreement), coordinator, key_messages='Kaupungit & TEM: "yhteinen" <linja>.')
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        summary_approve(report=report, user=coordinator)
    assert 'Kaupungit & TEM: "yhteinen" <linja>.' in mail.outbox[0].body

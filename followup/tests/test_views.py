"""The report pages: wiring, permissions and the form's errors."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from followup.models import ProgressReport
from followup.services import progress_reports_generate

from .factories import make_contact

pytestmark = pytest.mark.django_db


def _client(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def report(project):  # type: ignore[no-untyped-def]
    progress_reports_generate(project=project)
    return ProgressReport.objects.get(project=project, kind="periodic", period_start=dt.date(2025, 1, 1))


FORM = {"status": "at_risk", "status_reason": "Viive.", "done": "Tehty.", "next_steps": "", "risks": "",
        "spent_ERDF": "12 500,50"}


def test_contact_saves_and_submits_through_the_form(report, contact):
    client = _client(contact)
    assert client.get(f"/followup/reports/{report.pk}/edit/").status_code == 200
    response = client.post(f"/followup/reports/{report.pk}/edit/", {**FORM, "submit": "1"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.review_state == "submitted" and str(report.spending.get().amount) == "12500.50"


def test_a_bad_amount_is_shown_next_to_its_field_and_nothing_is_saved(report, contact):
    response = _client(contact).post(f"/followup/reports/{report.pk}/edit/", {**FORM, "spent_ERDF": "-3"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_spent_ERDF_error"' in html and 'value="-3"' in html
    report.refresh_from_db()
    assert report.done == "" and report.review_state == "draft"


def test_submit_without_reason_keeps_the_draft_unchanged(report, contact):
    response = _client(contact).post(f"/followup/reports/{report.pk}/edit/",
                                     {**FORM, "status_reason": "", "submit": "1"})
    assert response.status_code == 400 and 'id="id_status_reason_error"' in response.content.decode()
    report.refresh_from_db()
    assert report.status == "" and report.review_state == "draft"


def test_other_contacts_get_404_and_readers_403_on_the_form(report, other_project, steering_member):
    stranger = make_contact(other_project, username="stranger")
    assert _client(stranger).get(f"/followup/reports/{report.pk}/").status_code == 404
    assert _client(steering_member).get(f"/followup/reports/{report.pk}/").status_code == 200
    assert _client(steering_member).get(f"/followup/reports/{report.pk}/edit/").status_code == 403


def test_coordinator_returns_with_comment_then_accepts(report, contact, coordinator):
    _client(contact).post(f"/followup/reports/{report.pk}/edit/", {**FORM, "submit": "1"})
    client = _client(coordinator)
    page = client.get(f"/followup/reports/{report.pk}/").content.decode()
    assert "/return/" in page and "/accept/" in page
    response = client.post(f"/followup/reports/{report.pk}/return/", {"comment": ""})
    assert response.status_code == 400 and 'id="id_comment_error"' in response.content.decode()
    assert client.post(f"/followup/reports/{report.pk}/return/", {"comment": "Tarkenna."}).status_code == 302
    _client(contact).post(f"/followup/reports/{report.pk}/submit/", {"comment": ""})
    assert client.post(f"/followup/reports/{report.pk}/accept/", {"comment": ""}).status_code == 302
    report.refresh_from_db()
    assert report.review_state == "accepted"


def test_reviewing_a_draft_says_why(report, coordinator):
    response = _client(coordinator).post(f"/followup/reports/{report.pk}/accept/", {"comment": ""})
    assert response.status_code == 400 and "alert-danger" in response.content.decode()


def test_a_contact_cannot_accept_through_the_page(report, contact):
    ProgressReport.objects.filter(pk=report.pk).update(review_state="submitted", status="on_track", done="x")
    assert _client(contact).post(f"/followup/reports/{report.pk}/accept/", {}).status_code == 403


def test_attachment_upload_and_download(report, contact, ministry_user):
    upload = SimpleUploadedFile("liite.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = _client(contact).post(f"/followup/reports/{report.pk}/attachments/", {"file": upload,
                                                                                     "description": "Raportti"})
    assert response.status_code == 302
    attachment = report.attachments.get()
    download = _client(ministry_user).get(attachment.get_absolute_url())
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_project_page_has_the_reports_panel(report, coordinator):
    html = _client(coordinator).get(report.project.get_absolute_url()).content.decode()
    assert f"/followup/reports/{report.pk}/" in html


def test_the_coordinator_dashboard_lists_reports_awaiting_review(report, coordinator):
    ProgressReport.objects.filter(pk=report.pk).update(review_state="submitted", status="on_track", done="x")
    html = _client(coordinator).get("/").content.decode()
    assert "report-queue" in html and f"/followup/reports/{report.pk}/" in html


def test_my_reports_put_overdue_first(project, contact):
    progress_reports_generate(project=project)
    from followup.selectors import my_reports

    rows = list(my_reports(user=contact, today=dt.date(2025, 8, 1)))
    # Overdue on 1.8.2025: the 2024 periods (due 29.8.2024 and 1.3.2025); then due: 29.8., 29.11., the final.
    assert [r.due_date for r in rows] == [dt.date(2024, 8, 29), dt.date(2025, 3, 1), dt.date(2025, 8, 29),
                                          dt.date(2025, 11, 29), dt.date(2025, 12, 29)]


def test_coordinator_sets_the_schedule_on_the_page(project, coordinator, contact):
    client = _client(coordinator)
    assert client.get(f"/followup/projects/{project.pk}/reports/").status_code == 200
    response = client.post(f"/followup/projects/{project.pk}/schedule/",
                           {"frequency": "year", "due_days": "30", "final_window_days": "90"})
    assert response.status_code == 302
    assert ProgressReport.objects.filter(project=project, kind="periodic").count() == 2
    assert _client(contact).post(f"/followup/projects/{project.pk}/schedule/",
                                 {"frequency": "year", "due_days": "30", "final_window_days": "90"}).status_code == 403


def test_index_page_for_each_role(report, contact, coordinator, ministry_user):
    for user in (contact, coordinator, ministry_user):
        assert _client(user).get("/followup/reports/").status_code == 200


def test_coordinator_assigns_and_removes_a_contact_on_the_project_page(project, coordinator):
    from django.contrib.auth.models import Group

    from portfolio.models import ProjectContact
    from tests.factories import UserFactory

    person = UserFactory(username="uusi")
    client = _client(coordinator)
    page = client.get(f"/followup/projects/{project.pk}/reports/").content.decode()
    assert "contact-form" in page
    response = client.post(f"/followup/projects/{project.pk}/contacts/",
                           {"user": person.pk, "organisation": project.lead_organisation_id})
    assert response.status_code == 302
    contact = ProjectContact.objects.get(project=project, user=person)
    assert person.groups.filter(name="project_contact").exists() and Group.objects.filter(name="project_contact")
    assert client.post(f"/followup/projects/{project.pk}/contacts/{contact.pk}/delete/").status_code == 302
    assert not ProjectContact.objects.filter(pk=contact.pk).exists()


def test_a_foreign_organisation_is_refused_and_a_contact_cannot_assign(project, coordinator, contact):
    from portfolio.models import ProjectContact
    from tests.factories import OrganisationFactory, UserFactory

    person = UserFactory(username="uusi")
    response = _client(coordinator).post(f"/followup/projects/{project.pk}/contacts/",
                                         {"user": person.pk, "organisation": OrganisationFactory().pk})
    assert response.status_code == 400 and not ProjectContact.objects.filter(user=person).exists()
    assert _client(contact).post(f"/followup/projects/{project.pk}/contacts/",
                                 {"user": person.pk}).status_code == 403
    mine = ProjectContact.objects.get(user=contact)
    assert _client(contact).post(f"/followup/projects/{project.pk}/contacts/{mine.pk}/delete/").status_code == 403

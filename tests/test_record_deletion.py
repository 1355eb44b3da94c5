"""Defect 6: deleting a user, a project or a report must not rewrite the permanent record. People leave by
deactivation (and anonymisation); records that decisions, reports and the history refer to are protected,
and the admin says why a delete is refused (never a 500, never a silent cascade)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse

from funding.models import FundingLine
from governance import services as gov
from governance.models import Meeting, Membership
from governance.tests import factories as f
from portfolio.models import Project
from reporting.models import ReportDownload, SummaryReport
from tests.factories import FundingLineFactory, ProjectFactory, UserFactory, instrument

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(coordinator, steering_member, agreement):  # type: ignore[no-untyped-def]
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    f.approve(meeting, proposal, steering_member)
    gov.meeting_update_minutes(meeting=meeting, minutes="Kokous avattiin.", user=steering_member)
    gov.meeting_confirm_minutes(meeting=meeting, user=steering_member)
    return Meeting.objects.get(pk=meeting.pk)


@pytest.fixture
def running_project(agreement):  # type: ignore[no-untyped-def]
    project = ProjectFactory(agreement=agreement, status="running", start_date=dt.date(2025, 1, 1),
                             end_date=dt.date(2027, 12, 31))
    FundingLineFactory(project=project, instrument=instrument("ERDF"), year=2026,
                       planned_amount=Decimal("1000.00"))
    return project


@pytest.fixture
def downloaded_report(agreement, ministry_user):  # type: ignore[no-untyped-def]
    report = SummaryReport.objects.create(audience="steering", agreement=agreement, period="2026-Q1",
                                          period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 3, 31),
                                          status="done")
    ReportDownload.objects.create(report=report, user=ministry_user, file_format="pdf")
    return report


def _attendee(meeting: Meeting) -> User:
    return meeting.attendees.exclude(username="steer").first()


# --- ORM ---------------------------------------------------------------------------------------------------

def test_deleting_member_who_attended_confirmed_meeting_is_refused(confirmed):
    member = _attendee(confirmed)
    attendees_before = confirmed.attendees.count()
    with pytest.raises(ProtectedError), transaction.atomic():
        member.delete()
    assert confirmed.attendees.count() == attendees_before
    assert Membership.objects.filter(user=member).exists()


def test_deleting_the_chair_who_recorded_decisions_is_refused(confirmed):
    chair = User.objects.get(username="steer")
    with pytest.raises(ProtectedError), transaction.atomic():
        chair.delete()
    assert confirmed.decisions.get().recorded_by == chair


def test_deleting_a_user_with_history_rows_is_refused(coordinator, agreement):
    project = ProjectFactory(agreement=agreement)
    project._history_user = coordinator  # type: ignore[attr-defined]
    project.summary = "Muutettu"
    project.save()
    assert project.history.filter(history_user=coordinator).exists()
    with pytest.raises(ProtectedError), transaction.atomic():
        coordinator.delete()
    assert project.history.filter(history_user=coordinator).exists()


def test_deleting_a_running_project_with_funding_lines_is_refused(running_project):
    with pytest.raises(ProtectedError), transaction.atomic():
        running_project.delete()
    assert FundingLine.objects.filter(project=running_project).count() == 1


def test_deleting_a_running_project_without_lines_is_refused(agreement):
    project = ProjectFactory(agreement=agreement, status="running")
    with pytest.raises(ProtectedError), transaction.atomic():
        project.delete()
    assert Project.objects.filter(pk=project.pk).exists()


def test_deleting_a_downloaded_report_is_refused(downloaded_report):
    with pytest.raises(ProtectedError), transaction.atomic():
        downloaded_report.delete()
    assert ReportDownload.objects.filter(report=downloaded_report).count() == 1


def test_an_unused_account_and_an_empty_idea_can_still_be_deleted(agreement):
    user = UserFactory()
    user.delete()
    idea = ProjectFactory(agreement=agreement, status="idea")
    idea.delete()
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Project.objects.filter(pk=idea.pk).exists()


# --- admin, as a superuser ---------------------------------------------------------------------------------

def _refused(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    body = response.content.decode()
    assert "Cannot delete" in body


def test_admin_refuses_to_delete_member_with_reason(confirmed, admin_client_logged):
    member = _attendee(confirmed)
    url = reverse("admin:auth_user_delete", args=[member.pk])
    _refused(admin_client_logged.get(url))
    response = admin_client_logged.post(url, {"post": "yes"})
    _refused(response)
    assert "minutes are confirmed" in response.content.decode()
    assert User.objects.filter(pk=member.pk).exists()
    assert confirmed.attendees.filter(pk=member.pk).exists()


def test_admin_bulk_delete_of_users_is_refused(confirmed, admin_client_logged):
    member = _attendee(confirmed)
    response = admin_client_logged.post(reverse("admin:auth_user_changelist"),
                                        {"action": "delete_selected", "_selected_action": [member.pk],
                                         "post": "yes"})
    assert response.status_code == 200
    assert User.objects.filter(pk=member.pk).exists()


def test_admin_refuses_to_delete_running_project_with_reason(running_project, admin_client_logged):
    url = reverse("admin:portfolio_project_delete", args=[running_project.pk])
    response = admin_client_logged.post(url, {"post": "yes"})
    _refused(response)
    assert "decided project" in response.content.decode()
    assert Project.objects.filter(pk=running_project.pk).exists()
    assert FundingLine.objects.filter(project=running_project).exists()


def test_admin_refuses_to_delete_downloaded_report_with_reason(downloaded_report, admin_client_logged):
    url = reverse("admin:reporting_summaryreport_delete", args=[downloaded_report.pk])
    response = admin_client_logged.post(url, {"post": "yes"})
    _refused(response)
    assert ReportDownload.objects.filter(report=downloaded_report).exists()

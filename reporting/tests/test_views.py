"""/reports/: the archive, "compile now", the live status partial and the logged downloads, per role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reporting.choices import ReportStatus
from reporting.models import ReportDownload, SummaryReport
from reporting.selectors import dashboard_reports
from reporting.services import summary_compile, summary_get_or_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdf")]


def _compile(**kwargs) -> SummaryReport:  # type: ignore[no-untyped-def]
    report, _ = summary_get_or_create(user=None, **kwargs)
    summary_compile(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    return report


@pytest.fixture
def steering_report(agreement) -> SummaryReport:  # type: ignore[no-untyped-def]
    return _compile(audience="steering", agreement=agreement, period="2026-Q3")


@pytest.fixture
def national_report(agreement) -> SummaryReport:  # type: ignore[no-untyped-def]
    return _compile(audience="national", period="2026-H1")


@pytest.fixture
def national_member(agreement):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Group

    from governance.choices import GroupKind
    from governance.models import Membership, SteeringGroup
    from tests.factories import UserFactory

    user = UserFactory(username="national-member")
    user.groups.add(Group.objects.get(name="steering"))
    Membership.objects.create(group=SteeringGroup.objects.get(kind=GroupKind.NATIONAL), user=user)
    return user


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("who", "expected"), [
    ("coordinator", 200), ("steering_member", 200), ("ministry_user", 200), ("admin_user", 200),
    ("other_coordinator", 404), ("national_member", 404), ("plain_user", 403),
])
def test_steering_summary_download_permission_per_role(request, steering_report, who, expected):
    user = request.getfixturevalue(who)
    response = _client(user).get(reverse("reporting:download", args=[steering_report.pk, "pdf"]))
    assert response.status_code == expected
    assert ReportDownload.objects.filter(user=user).count() == (1 if expected == 200 else 0)


@pytest.mark.parametrize(("who", "expected"), [
    ("ministry_user", 200), ("national_member", 200), ("admin_user", 200),
    ("coordinator", 404), ("steering_member", 404), ("plain_user", 403),
])
def test_national_summary_download_permission_per_role(request, national_report, who, expected):
    user = request.getfixturevalue(who)
    response = _client(user).get(reverse("reporting:download", args=[national_report.pk, "xlsx"]))
    assert response.status_code == expected


def test_anonymous_user_is_sent_to_login(client, steering_report):
    response = client.get(reverse("reporting:download", args=[steering_report.pk, "pdf"]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_download_is_an_uncached_attachment_and_logged(ministry_client, ministry_user, steering_report):
    response = ministry_client.get(reverse("reporting:download", args=[steering_report.pk, "csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == steering_report.csv_file.read()
    log = ReportDownload.objects.get()
    assert (log.user, log.report, log.file_format) == (ministry_user, steering_report, "csv")


def test_unknown_format_is_not_found(ministry_client, steering_report):
    assert ministry_client.get(f"/reports/{steering_report.pk}/download/exe/").status_code == 404
    assert not ReportDownload.objects.exists()


def test_archive_lists_only_visible_summaries_and_filters(coordinator_client, ministry_client, steering_report,
                                                          national_report):
    page = coordinator_client.get(reverse("reporting:index")).content.decode()
    assert f"/reports/{steering_report.pk}/" in page and f"/reports/{national_report.pk}/" not in page
    page = ministry_client.get(reverse("reporting:index"), {"audience": "national"}).content.decode()
    assert f"/reports/{national_report.pk}/" in page and f"/reports/{steering_report.pk}/\"" not in page
    page = ministry_client.get(reverse("reporting:index"), {"period": "2026"}).content.decode()
    assert f"/reports/{national_report.pk}/" in page and f"/reports/{steering_report.pk}/" in page
    page = ministry_client.get(reverse("reporting:index"), {"period": "2026-Q3"}).content.decode()
    assert f"/reports/{national_report.pk}/" not in page


def test_archive_htmx_request_gets_the_table_partial(ministry_client, steering_report):
    response = ministry_client.get(reverse("reporting:index"), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<h1>" not in content and "<table" in content


def test_archive_query_count_does_not_grow_with_rows(ministry_client, agreement, django_assert_max_num_queries):
    for n in range(5):
        SummaryReport.objects.create(audience="steering", agreement=agreement, period="2026-Q1", version=n + 1,
                                     period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 3, 31),
                                     rerun=True)
    with django_assert_max_num_queries(15):
        response = ministry_client.get(reverse("reporting:index"))
    assert response.status_code == 200
    # All five versions are rows of the archive.
    assert response.content.decode().count("2026-Q1") >= 5


def test_coordinator_compiles_now_and_sees_the_job(coordinator_client, agreement, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(reverse("reporting:request"), {
            "audience": "steering", "agreement": agreement.pk, "period": "2026-Q3", "language": "fi"})
    report = SummaryReport.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    page = coordinator_client.get(report.get_absolute_url()).content.decode()
    assert reverse("reporting:download", args=[report.pk, "pdf"]) in page


def test_compile_form_keeps_input_and_shows_errors(coordinator_client, agreement):
    response = coordinator_client.post(reverse("reporting:request"), {
        "audience": "steering", "agreement": agreement.pk, "period": "2026-Q7", "language": "fi"})
    assert response.status_code == 400
    assert 'value="2026-Q7"' in response.content.decode()
    assert not SummaryReport.objects.exists()


def test_coordinator_cannot_compile_another_agreement_or_the_national_summary(coordinator_client, other_agreement):
    for data in ({"audience": "steering", "agreement": other_agreement.pk, "period": "2026-Q3", "language": "fi"},
                 {"audience": "national", "period": "2026-H1", "language": "fi"}):
        assert coordinator_client.post(reverse("reporting:request"), data).status_code == 400
    assert not SummaryReport.objects.exists()


def test_compile_requests_are_limited_per_user(coordinator, coordinator_client, agreement):
    for n in range(3):
        SummaryReport.objects.create(audience="steering", agreement=agreement, period=f"2025-Q{n + 1}",
                                     period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 3, 31),
                                     requested_by=coordinator)
    response = coordinator_client.post(reverse("reporting:request"), {
        "audience": "steering", "agreement": agreement.pk, "period": "2026-Q3", "language": "fi"})
    assert response.status_code == 429
    assert SummaryReport.objects.count() == 3


def test_steering_member_cannot_compile(steering_client, agreement):
    response = steering_client.post(reverse("reporting:request"), {
        "audience": "steering", "agreement": agreement.pk, "period": "2026-Q3", "language": "fi"})
    assert response.status_code == 403


def test_ministry_compiles_the_national_summary(ministry_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = ministry_client.post(reverse("reporting:request"), {
            "audience": "national", "period": "2026-H1", "language": "sv"})
    assert response.status_code == 302
    assert SummaryReport.objects.get().language == "sv"


def test_detail_page_polls_a_live_status_region_while_running(coordinator_client, agreement):
    report, _ = summary_get_or_create(audience="steering", agreement=agreement, period="2026-Q3", user=None)
    SummaryReport.objects.filter(pk=report.pk).update(status=ReportStatus.COMPILING, progress=40,
                                                      started_at=timezone.now())
    page = coordinator_client.get(report.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 2s"' in page and reverse("reporting:status", args=[report.pk]) in page
    assert 'role="status"' in page and 'aria-live="polite"' in page
    assert page.count("<h1") == 1
    response = coordinator_client.get(reverse("reporting:status", args=[report.pk]), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200 and "<progress" in content and 'value="40"' in content


def test_status_partial_stops_polling_and_shows_the_reason_when_failed(coordinator_client, agreement):
    report, _ = summary_get_or_create(audience="steering", agreement=agreement, period="2026-Q3", user=None)
    SummaryReport.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, error="Boom: no fonts")
    response = coordinator_client.get(reverse("reporting:status", args=[report.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 286  # htmx stops polling
    assert "Boom: no fonts" in response.content.decode()
    assert "hx-trigger" not in coordinator_client.get(report.get_absolute_url()).content.decode()


def test_dashboard_block_lists_latest_downloadable_summaries(coordinator, other_coordinator, steering_report):
    from django.template.loader import render_to_string

    block = dashboard_reports(user=coordinator)
    assert block["reports"] == [steering_report] and block["can_compile"]
    html = render_to_string("reporting/partials/dashboard_reports.html", {"reports_block": block})
    assert reverse("reporting:download", args=[steering_report.pk, "pdf"]) in html
    assert dashboard_reports(user=other_coordinator)["reports"] == []


def test_the_compile_form_offers_only_what_the_user_may_compile(ministry_client, coordinator_client, agreement):
    """Defect (issue 15, point 7): the steering summary form was offered to the ministry and then refused."""
    import re

    def compile_form(client):  # type: ignore[no-untyped-def]
        page = client.get(reverse("reporting:index")).content.decode()
        return page.split(f'action="{reverse("reporting:request")}"', 1)[1].split("</form>", 1)[0]

    ministry_page = compile_form(ministry_client)
    audiences = re.findall(r'<option value="(steering|national)"', ministry_page)
    assert audiences == ["national"]
    assert 'type="hidden" name="agreement"' in ministry_page
    coordinator_page = compile_form(coordinator_client)
    assert re.findall(r'<option value="(steering|national)"', coordinator_page) == ["steering"]
    assert f'<option value="{agreement.pk}"' in coordinator_page


def test_dashboard_block_orders_finished_and_running_summaries_and_tells_of_more(coordinator, agreement):
    """The block reads finished and running summaries in one query: the five finished most recently (newest
    first, "more" when there is a sixth), the running ones latest requested first, failed ones in neither."""
    start = timezone.now() - dt.timedelta(days=30)
    periods = [f"{year}-Q{quarter}" for year in (2022, 2023, 2024) for quarter in (1, 2, 3, 4)]
    made = {}
    for number in range(7):
        report, _ = summary_get_or_create(audience="steering", agreement=agreement, period=periods[number],
                                          user=None)
        made[number] = report
    # Finished 0-5 (completed in the order 5, 0, 1, 2, 3, 4 — so the newest is 4 and 5 is the oldest); 6 failed.
    for rank, number in enumerate([5, 0, 1, 2, 3, 4]):
        SummaryReport.objects.filter(pk=made[number].pk).update(
            status=ReportStatus.DONE, completed_at=start + dt.timedelta(days=rank))
    SummaryReport.objects.filter(pk=made[6].pk).update(status=ReportStatus.FAILED)
    running = []
    for number, status in enumerate([ReportStatus.QUEUED, ReportStatus.RENDERING, ReportStatus.COMPILING]):
        report, _ = summary_get_or_create(audience="steering", agreement=agreement, period=periods[7 + number],
                                          user=None)
        SummaryReport.objects.filter(pk=report.pk).update(status=status, created_at=start + dt.timedelta(hours=number))
        running.append(report.pk)
    block = dashboard_reports(user=coordinator, limit=5)
    assert [r.pk for r in block["reports"]] == [made[n].pk for n in (4, 3, 2, 1, 0)]
    assert block["has_more"] is True
    assert [r.pk for r in block["running"]] == running[::-1]
    assert dashboard_reports(user=coordinator, limit=6)["has_more"] is False
    assert [r.pk for r in dashboard_reports(user=coordinator, limit=2)["running"]] == running[:0:-1]

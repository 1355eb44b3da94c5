"""Timelines (issue 13): the project's period with milestones (planned against actual, late flagged) and report
due dates; the portfolio's projects from start to end by stage, filtered like the project list."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from followup.selectors.timeline import Axis, portfolio_timeline, project_timeline
from followup.services import progress_reports_generate
from portfolio.models import Project
from tests.factories import AgreementFactory, ProjectFactory

from .factories import MilestoneFactory

pytestmark = pytest.mark.django_db


def _client(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_axis_positions_are_shares_of_the_days():
    axis = Axis(dt.date(2024, 1, 1), dt.date(2025, 12, 31))  # 730 days
    assert axis.at(dt.date(2024, 1, 1)) == "0.0"
    assert axis.at(dt.date(2025, 1, 1)) == str((Decimal(366) * 100 / 730).quantize(Decimal("0.1")))
    assert axis.at(dt.date(2030, 1, 1)) == "100.0"  # clamped
    assert axis.span(dt.date(2024, 1, 1), dt.date(2024, 1, 1)) == ("0.0", "0.5")  # a day still shows
    assert [t["year"] for t in axis.years] == [2025]


def test_project_timeline_flags_late_milestones_and_overdue_reports(project):  # type: ignore[no-untyped-def]
    MilestoneFactory(project=project, title="Myöhässä", planned_date=dt.date(2024, 6, 1))
    MilestoneFactory(project=project, title="Ajallaan", planned_date=dt.date(2024, 9, 1),
                     actual_date=dt.date(2024, 8, 20))
    MilestoneFactory(project=project, title="Myöhään saavutettu", planned_date=dt.date(2024, 10, 1),
                     actual_date=dt.date(2024, 11, 5))
    progress_reports_generate(project=project)
    timeline = project_timeline(project=project, today=dt.date(2024, 12, 1))
    assert timeline is not None
    assert (timeline.axis.start, timeline.axis.end) == (dt.date(2024, 1, 1), dt.date(2025, 12, 31))
    assert {m.label: m.late for m in timeline.milestones} == {"Myöhässä": True, "Ajallaan": False,
                                                              "Myöhään saavutettu": True}
    reached = next(m for m in timeline.milestones if m.label == "Ajallaan")
    assert reached.actual_at == timeline.axis.at(dt.date(2024, 8, 20))
    # Reports of 15.3.–30.6.2024 (due 29.8.) overdue on 1.12.2024 as a draft; later ones not yet.
    assert [(r.day, r.overdue) for r in timeline.reports][:2] == [(dt.date(2024, 8, 29), True),
                                                                  (dt.date(2025, 3, 1), False)]


def test_a_project_without_dates_has_no_timeline(agreement):  # type: ignore[no-untyped-def]
    assert project_timeline(project=ProjectFactory(agreement=agreement, start_date=None, end_date=None)) is None


def test_the_project_page_shows_the_timeline_with_its_table(project, coordinator):  # type: ignore[no-untyped-def]
    MilestoneFactory(project=project, title="Pilotti", planned_date=dt.date(2024, 6, 1))
    html = _client(coordinator).get(f"/projects/{project.pk}/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert 'class="timeline-graphic" aria-hidden="true"' in html
    assert "Hankkeen välitavoitteet ja raporttien määräpäivät" in html  # the table's caption
    assert "Välitavoite: Pilotti" in html


def test_portfolio_timeline_draws_the_filtered_projects_in_the_users_scope(agreement, coordinator):  # type: ignore[no-untyped-def]
    from portfolio.models import Priority

    p2 = Priority.objects.get(agreement=agreement, code=2)
    ProjectFactory(agreement=agreement, code="TL-1", priority=p2, status="running")
    ProjectFactory(agreement=agreement, code="TL-2", status="approved")
    ProjectFactory(agreement=agreement, code="TL-3", priority=p2, start_date=None)
    ProjectFactory(agreement=AgreementFactory(), code="XX-9", status="idea")  # another agreement's idea
    client = _client(coordinator)
    html = client.get("/followup/timeline/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "TL-1" in html and "TL-2" in html and "XX-9" not in html
    assert "status-running" in html and "status-approved" in html
    filtered = client.get("/followup/timeline/?priority=2", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "TL-1" in filtered and "TL-2" not in filtered
    assert "1 suodatukseen sopiva hanke ei ole piirretty" in filtered  # TL-3 has no start date


def test_portfolio_timeline_counts_the_undated_projects(agreement):  # type: ignore[no-untyped-def]
    ProjectFactory(agreement=agreement, code="TL-A")
    ProjectFactory(agreement=agreement, code="TL-B", end_date=None)
    timeline = portfolio_timeline(projects=Project.objects.filter(code__startswith="TL-"))
    assert [b.project.code for b in timeline.bars] == ["TL-A"] and timeline.undated == 1


def test_the_timeline_page_needs_a_portal_user(client):  # type: ignore[no-untyped-def]
    assert client.get("/followup/timeline/").status_code == 302


def test_the_timeline_table_lists_every_event_in_date_order(project):  # type: ignore[no-untyped-def]
    MilestoneFactory(project=project, title="Loppuseminaari", planned_date=dt.date(2025, 9, 1))
    progress_reports_generate(project=project)
    events = project_timeline(project=project, today=dt.date(2024, 12, 1)).events  # type: ignore[union-attr]
    days = [e.day for e in events]
    assert days == sorted(days)
    assert (events[0].kind, events[0].day) == ("start", project.start_date)
    assert "end" in [e.kind for e in events]
    # The final report, due 90 days after the end, comes last.
    assert (events[-1].kind, events[-1].day) == ("report", project.end_date + dt.timedelta(days=90))

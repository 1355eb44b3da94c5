"""The dashboard's portfolio figures: counts by status, the pipeline, the priority × method matrix, projects
ending soon, and role-specific top sections."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from funding.models import FundingLine
from portfolio.models import Priority, Project
from portfolio.selectors import dashboard_portfolio, projects_ending_soon
from tests.factories import FundingLineFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_matrix_counts_and_euros_per_cell(agreement, coordinator):
    p2 = Priority.objects.get(agreement=agreement, code=2)
    a = ProjectFactory(agreement=agreement, priority=p2, methods=[1, 3])
    b = ProjectFactory(agreement=agreement, priority=p2, methods=[3])
    FundingLineFactory(project=a, planned_amount=Decimal("100.00"))
    FundingLineFactory(project=b, planned_amount=Decimal("50.25"))
    data = dashboard_portfolio(user=coordinator, agreement=agreement)
    row = next(r for r in data["matrix"] if r["priority"].code == 2)
    cells = {c["method"].code: c for c in row["cells"]}
    # independent figures: projects of priority 2 using method 3, and their planned euros
    expected_projects = Project.objects.filter(agreement=agreement, priority__code=2, methods__code=3).count()
    expected_euros = FundingLine.objects.filter(project__agreement=agreement, project__priority__code=2,
                                                project__methods__code=3).aggregate(s=Sum("planned_amount"))["s"]
    assert cells[3]["count"] == expected_projects == 2
    assert cells[3]["amount"] == expected_euros == Decimal("150.25")
    assert cells[1]["count"] == 1 and cells[1]["amount"] == Decimal("100.00")
    assert cells[3]["query"] == f"agreement={agreement.pk}&priority=2&method=3"


def test_status_counts_and_pipeline(agreement, coordinator):
    ProjectFactory(agreement=agreement, status="idea")
    ProjectFactory(agreement=agreement, status="proposal")
    data = dashboard_portfolio(user=coordinator, agreement=agreement)
    counts = {s["code"]: s["count"] for s in data["statuses"]}
    for status, n in counts.items():
        assert n == Project.objects.filter(agreement=agreement, status=status).count()
    assert [s["code"] for s in data["pipeline"]] == ["idea", "proposal", "approved", "running", "closed"]
    assert data["project_count"] == Project.objects.filter(agreement=agreement).count()


def test_projects_ending_within_90_days(agreement, coordinator):
    today = timezone.localdate()
    soon = ProjectFactory(agreement=agreement, status="running", end_date=today + dt.timedelta(days=30),
                          start_date=today - dt.timedelta(days=300))
    ProjectFactory(agreement=agreement, status="running", end_date=today + dt.timedelta(days=120),
                   start_date=today - dt.timedelta(days=300))
    ProjectFactory(agreement=agreement, status="idea", end_date=today + dt.timedelta(days=10),
                   start_date=today - dt.timedelta(days=300))
    assert list(projects_ending_soon(user=coordinator, agreement=agreement)) == [soon]


def test_dashboard_cells_link_to_the_filtered_list(coordinator_client, agreement):
    ProjectFactory(agreement=agreement, methods=[2])
    html = coordinator_client.get("/").content.decode()
    assert f"/projects/?agreement={agreement.pk}&amp;priority=1&amp;method=2" in html
    assert "<svg" in html and "<caption>" in html  # chart with a table alternative


def test_role_specific_top_sections(coordinator_client, ministry_client, steering_client, agreement):
    assert 'id="work-heading"' in coordinator_client.get("/").content.decode()
    assert 'id="national-heading"' in ministry_client.get("/").content.decode()
    assert 'id="steering-heading"' in steering_client.get("/").content.decode()


def test_project_progress_time_and_spending(agreement, time_machine):
    from portfolio.selectors import project_progress

    time_machine.move_to(dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC))
    project = ProjectFactory(agreement=agreement, start_date=dt.date(2024, 1, 1), end_date=dt.date(2025, 12, 31))
    FundingLineFactory(project=project, granted_amount=Decimal("1000.00"), spent_amount=Decimal("100.00"))
    progress = project_progress(project=project)
    span = (dt.date(2025, 12, 31) - dt.date(2024, 1, 1)).days
    assert progress["elapsed_percent"] == round(100 * (dt.date(2025, 1, 1) - dt.date(2024, 1, 1)).days / span)
    assert progress["spent_percent"] == 10
    assert progress["behind"] is True

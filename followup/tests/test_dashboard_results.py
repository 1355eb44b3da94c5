"""The dashboard's situation picture of results (issue 13): how the projects report they are doing, and
each targeted indicator's share achieved, hand-computed; shown only to those who work on the agreement."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from followup.selectors import dashboard_results
from followup.tests.factories import IndicatorTargetFactory, IndicatorValueFactory, ProgressReportFactory, indicator
from portfolio.models import Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def picture(agreement):  # type: ignore[no-untyped-def]
    Project.objects.filter(agreement=agreement).exclude(status="idea").update(status="idea")  # only ours count
    p1, p2, p3 = (ProjectFactory(agreement=agreement, status="running") for _ in range(3))
    ProjectFactory(agreement=agreement, status="idea")  # not counted
    # p1: the accepted first half says at risk, the later draft (not yet submitted) does not count.
    ProgressReportFactory(project=p1, status="at_risk", status_reason="Rekrytointi.", review_state="accepted")
    ProgressReportFactory(project=p1, status="on_track", review_state="draft", period_start=D(2025, 7, 1),
                          period_end=D(2025, 12, 31), due_date=D(2026, 2, 28))
    # p2: the first half accepted on track, the second submitted late: the latest counts.
    ProgressReportFactory(project=p2, status="on_track", review_state="accepted")
    ProgressReportFactory(project=p2, status="late", status_reason="Viivästys.", review_state="submitted",
                          period_start=D(2025, 7, 1), period_end=D(2025, 12, 31), due_date=D(2026, 2, 28))
    # p3: no report submitted yet.
    hev03 = indicator("HEV03")
    IndicatorTargetFactory(project=p1, indicator=hev03, target_value=Decimal("10"))
    IndicatorTargetFactory(project=p2, indicator=hev03, target_value=Decimal("15"))
    IndicatorValueFactory(project=p1, indicator=hev03, period_start=D(2025, 1, 1), period_end=D(2025, 6, 30),
                          value=Decimal("4"))
    IndicatorValueFactory(project=p2, indicator=hev03, period_start=D(2025, 1, 1), period_end=D(2025, 6, 30),
                          value=Decimal("6"))
    return p1, p2, p3


def test_statuses_and_indicator_shares(coordinator, agreement, picture):
    results = dashboard_results(user=coordinator, agreement=agreement)
    counts = {s["code"]: s["count"] for s in results["statuses"]}
    assert counts == {"on_track": 0, "at_risk": 1, "late": 1}
    assert results["unreported"] == 1 and results["projects"] == 3
    rows = {row["label"]: row["values"] for row in results["chart"]["rows"]}
    assert rows == {"HEV03": [Decimal("40")]}  # (4 + 6) / (10 + 15)


def test_dashboard_shows_the_picture_to_those_who_work_on_the_agreement(coordinator_client, other_coordinator_client,
                                                                       agreement, picture):
    body = coordinator_client.get(reverse("dashboard") + f"?agreement={agreement.pk}").content.decode()
    section = body.split('aria-labelledby="results-heading"')[1].split("</section>")[0]
    assert "HEV03" in section and "40 %" in section
    assert f'<script id="chart-data-results-{agreement.pk}" type="application/json">' in section
    other = other_coordinator_client.get(reverse("dashboard")).content.decode()
    assert "HEV03" not in other and f"chart-data-results-{agreement.pk}" not in other  # their own agreement

"""A summary of a period: stock figures as of the period's end, flow figures within it (issue 12, points 5
and 10)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from funding.models import FundingLine
from portfolio.selectors import projects_ending_soon
from reporting.periods import period_containing, period_parse
from reporting.rendering import tables
from reporting.selectors import data_version_of, summary_data
from tests.asof_helpers import backdate, moment, save_at
from tests.factories import FundingFrameFactory, FundingLineFactory, ProjectFactory, instrument

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(region):  # type: ignore[no-untyped-def]
    return region


@pytest.fixture
def history(asof_history):  # type: ignore[no-untyped-def]
    return asof_history


def section(agreement, period: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return summary_data(audience="steering", period=period_parse(period), agreement_id=agreement.pk)["agreements"][0]


def test_summary_of_2024_is_unchanged_by_a_plan_change_made_today(agreement, history):  # type: ignore[no-untyped-def]
    before = summary_data(audience="steering", period=period_parse("2024"), agreement_id=agreement.pk)
    line, p2 = history["line2"], history["p2"]
    line.planned_amount = Decimal("999999.00")
    line.granted_amount = Decimal("55555.55")
    line.save()
    p2.status = "closed"
    p2.save()
    FundingLineFactory(project=p2, year=2024, instrument=instrument("PRIVATE"), planned_amount=Decimal("7.00"))
    history["frame"].amount = Decimal("1.00")
    history["frame"].save()
    ProjectFactory(agreement=agreement, status="running")
    after = summary_data(audience="steering", period=period_parse("2024"), agreement_id=agreement.pk)
    assert after == before
    assert data_version_of(after) == data_version_of(before)
    # ... while today's figures did change.
    assert section(agreement, f"{timezone.localdate().year}")["split"]["planned"] != before["agreements"][0][
        "split"]["planned"]


def test_summary_stock_figures_are_the_state_at_the_period_end(agreement, history):  # type: ignore[no-untyped-def]
    in_2022 = section(agreement, "2022")
    assert in_2022["projects"]["total"] == 1
    assert in_2022["projects"]["by_status"]["running"] == 1
    assert in_2022["split"]["granted"]["total"] == "100000.00"
    assert in_2022["funding"]["all_years"]["frame"] == "500000.00"
    in_2024 = section(agreement, "2024")
    assert in_2024["projects"]["total"] == 2
    assert in_2024["split"]["granted"]["total"] == "190000.00"
    assert in_2024["funding"]["all_years"]["frame"] == "700000.00"
    # Withdrawn in February 2025: the 2025 summary shows it withdrawn and its money out of the split.
    in_2025 = section(agreement, "2025")
    assert in_2025["projects"]["by_status"]["withdrawn"] == 1
    assert in_2025["split"]["granted"]["total"] == "40000.00"


def test_summary_flow_figures_are_what_happened_within_the_period(agreement, history):  # type: ignore[no-untyped-def]
    in_2024 = section(agreement, "2024")
    # Granted 100 000 → 150 000 on one line and 40 000 on a new project during 2024.
    assert in_2024["activity"]["granted_change"] == "90000.00"
    assert section(agreement, "2023")["activity"]["granted_change"] == "0.00"


# --- point 10 ---------------------------------------------------------------------------------------------

def test_summary_and_dashboard_count_the_same_projects_ending_within_90_days(agreement, coordinator):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    for days in (0, 1, 30, 89, 90):
        ProjectFactory(agreement=agreement, status="running", start_date=today - dt.timedelta(days=400),
                       end_date=today + dt.timedelta(days=days))
    ProjectFactory(agreement=agreement, status="running", start_date=today - dt.timedelta(days=400),
                   end_date=today + dt.timedelta(days=91))
    ProjectFactory(agreement=agreement, status="idea", start_date=today, end_date=today + dt.timedelta(days=10))
    dashboard = projects_ending_soon(user=coordinator, agreement=agreement)
    period = period_containing(today, "quarter").code
    summary = summary_data(audience="steering", period=period_parse(period), agreement_id=agreement.pk)
    ending = summary["agreements"][0]["ending"]
    assert ending["count"] == dashboard.count() == 5
    assert {p["code"] for p in ending["projects"]} == set(dashboard.values_list("code", flat=True))


def test_summary_does_not_count_a_running_project_as_ended(agreement):  # type: ignore[no-untyped-def]
    running = ProjectFactory(agreement=agreement, status="running", start_date=dt.date(2023, 1, 1),
                             end_date=dt.date(2024, 6, 30))
    closed = ProjectFactory(agreement=agreement, status="closed", start_date=dt.date(2023, 1, 1),
                            end_date=dt.date(2024, 5, 31))
    for project in (running, closed):
        backdate(project, moment(dt.date(2023, 1, 1)))
    in_2024 = section(agreement, "2024")
    assert in_2024["activity"]["ended"] == 1
    assert in_2024["late"]["count"] == 1
    assert [p["code"] for p in in_2024["late"]["projects"]] == [running.code]


def test_method_category_totals_count_a_project_in_two_categories_once(agreement):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    both = ProjectFactory(agreement=agreement, status="running", methods=[1, 2])
    FundingLineFactory(project=both, year=today.year, granted_amount=Decimal("1000.00"))
    one = ProjectFactory(agreement=agreement, status="running", methods=[2])
    FundingLineFactory(project=one, year=today.year, granted_amount=Decimal("10.00"))
    data = summary_data(audience="steering", period=period_parse(str(today.year)), agreement_id=agreement.pk)
    projects = data["agreements"][0]["projects"]
    by_method = {m["code"]: m for m in projects["by_method"]}
    assert (by_method[1]["projects"], by_method[2]["projects"]) == (1, 2)  # listed in each category
    assert by_method[2]["granted"] == "1010.00"
    expected_granted = FundingLine.objects.filter(project__agreement=agreement).values_list("granted_amount", flat=True)
    assert projects["method_total"] == {"projects": 2, "granted": str(sum(expected_granted))}
    table = next(t for t in tables({"data": data}, "en") if t["key"] == "method")
    assert "counts it once" in table["title"]
    assert table["rows"][-1][3:] == [2, Decimal("1010.00")]


def test_frame_of_a_later_allocation_does_not_change_a_past_summary(agreement, history):  # type: ignore[no-untyped-def]
    frame = FundingFrameFactory(agreement=agreement, year=2025, amount=Decimal("300000.00"))
    backdate(frame, moment(dt.date(2025, 1, 15)))
    assert section(agreement, "2024")["funding"]["all_years"]["frame"] == "700000.00"
    assert section(agreement, "2025")["funding"]["all_years"]["frame"] == "1000000.00"
    save_at(frame, moment(dt.date(2025, 6, 1)), amount=Decimal("0.00"))
    assert section(agreement, "2025-Q1")["funding"]["all_years"]["frame"] == "1000000.00"
    assert section(agreement, "2025")["funding"]["all_years"]["frame"] == "700000.00"

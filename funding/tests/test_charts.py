"""Charts over the years (issue 15): the figures behind the dashboard's and the project page's charts,
computed by hand here, and each chart rendered with its data table and its JSON island."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.selectors import frames_by_year, project_financing_plan
from funding.tests.conftest import add_frame, add_line, make_project
from portfolio.charts import chart

pytestmark = pytest.mark.django_db

D = Decimal


def test_frames_by_year_counts_eu_and_state_money_of_decided_projects(clean_agreement):
    running = make_project(clean_agreement, status="running")
    idea = make_project(clean_agreement, status="idea")
    add_frame(clean_agreement, "ERDF", 2025, "1000000")
    add_frame(clean_agreement, "ESF", 2025, "200000")
    add_frame(clean_agreement, "ERDF", 2026, "500000")
    add_line(running, "ERDF", 2025, planned="300000", granted="300000", spent="120000")
    add_line(running, "ESF", 2025, planned="50000", granted="50000", spent="10000")
    add_line(running, "CITY", 2025, planned="230000", granted="230000", spent="90000")  # local: no frame
    add_line(running, "ERDF", 2026, planned="100000", granted="100000")
    add_line(idea, "ERDF", 2026, planned="999999")  # not decided: commits nothing
    rows = {row["year"]: row for row in frames_by_year(agreement=clean_agreement)}
    assert list(rows) == list(clean_agreement.years)
    assert (rows[2025]["frame"], rows[2025]["committed"], rows[2025]["spent"]) == (D("1200000"), D("350000"),
                                                                                 D("130000"))
    assert (rows[2026]["frame"], rows[2026]["committed"], rows[2026]["spent"]) == (D("500000"), D("100000"), D(0))
    assert rows[2026]["cumulative_frame"] == D("1700000")
    assert rows[2026]["cumulative_committed"] == D("450000")
    assert rows[2027]["cumulative_committed"] == D("450000")  # nothing more: the running sum stays


def test_project_chart_has_the_year_totals_of_the_plan(clean_agreement):
    project = make_project(clean_agreement)
    add_line(project, "ERDF", 2025, planned="300", granted="200", spent="100")
    add_line(project, "CITY", 2025, planned="200", granted="200", spent="50")
    add_line(project, "ERDF", 2026, planned="100")
    plan = project_financing_plan(project=project)
    by_label = {row["label"]: row["values"] for row in plan["chart"]["rows"]}
    assert by_label[2025] == [D("500"), D("400"), D("150")]  # planned, granted, spent
    assert by_label[2026] == [D("100"), D(0), D(0)]


def test_chart_refuses_a_series_without_one_value_per_label():
    with pytest.raises(ValueError):
        chart(key="x", title="t", kind="bar", label_heading="Year", labels=[2025, 2026],
              series=[{"label": "a", "style": "planned", "values": [D(1)]}])
    with pytest.raises(ValueError):
        chart(key="x", title="t", kind="pie", label_heading="Year", labels=[], series=[])


def test_dashboard_charts_carry_their_table_and_json(coordinator_client, clean_agreement):
    running = make_project(clean_agreement, status="running")
    add_frame(clean_agreement, "ERDF", 2026, "500000")
    add_line(running, "ERDF", 2026, planned="100000", granted="100000", spent="25000")
    body = coordinator_client.get(reverse("dashboard") + f"?agreement={clean_agreement.pk}").content.decode()
    key = f"chart-data-agreement-{clean_agreement.pk}-years"
    match = re.search(rf'<script id="{key}" type="application/json">(.*?)</script>', body, re.S)
    assert match, "the chart's figures are on the page"
    data = json.loads(match.group(1))
    year = data["labels"].index("2026")
    assert [D(s["values"][year]) for s in data["series"]] == [D("500000"), D("100000"), D("25000")]
    # The same figures in the table under the chart, and a canvas that names the table.
    figure = body.split(f'id="chart-agreement-{clean_agreement.pk}-years"')[1].split("</figure>")[0]
    assert "<canvas" in figure and "<table" in figure and "25,000.00" in figure

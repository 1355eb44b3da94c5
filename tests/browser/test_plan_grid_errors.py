"""The financing-plan grid in a real browser: bad amounts get their message next to the cell (issue 15)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bad_amounts_in_the_plan_grid_show_next_to_their_cell(page, login, demo_data, live_server, screenshot):
    from funding.models import FundingLine
    from portfolio.models import Project

    project = Project.objects.filter(funding_lines__isnull=False, status="running").distinct().order_by("code").first()
    line = FundingLine.objects.filter(project=project, kind="line").select_related("instrument").order_by(
        "year", "instrument__sort_order").first()
    name = f"{line.instrument.code}-{line.year}-planned"
    before = line.planned_amount
    login(page, "coordinator")
    for bad in ("abc", "1e9", "-5"):
        page.goto(f"{live_server.url}/funding/projects/{project.pk}/plan/?years=all")
        cell = page.locator(f"#id_{name}")
        assert "," in cell.input_value() or "." in cell.input_value()  # shown whole, with its decimals
        cell.fill(bad)
        page.click("button[name=action][value=save]")
        page.wait_for_selector(f"#err_{name}")
        assert page.locator(f"#err_{name}").is_visible()
        assert page.locator("#plan-errors[role=alert]").is_visible()
        assert page.locator(f"#id_{name}").get_attribute("aria-invalid") == "true"
    screenshot(page, "plan-grid-errors")
    line.refresh_from_db()
    assert line.planned_amount == before

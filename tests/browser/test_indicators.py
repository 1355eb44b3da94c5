"""Results indicators in a real browser: the project's panel (targets vs achieved, enterprises, a late
milestone), recording a value with a bad number, and the overview page as of a day, with axe checks."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _project_url(code: str) -> str:
    from portfolio.models import Project

    return Project.objects.get(code=code).get_absolute_url()


def test_project_panel_shows_indicators_enterprises_and_a_late_milestone(page, login, demo_data, live_server, axe):
    login(page, "coordinator")
    page.goto(f"{live_server.url}{_project_url('HEV-001')}")
    panel = page.locator("#results")
    assert panel.locator(".indicator-table caption").count() == 1
    assert "RCO01" in panel.locator(".indicator-table").inner_text()
    assert panel.locator(".enterprise-table tbody tr").count() >= 2
    late = panel.locator(".milestone-table tr.milestone-late")
    assert late.count() >= 1 and "Myöhässä" in late.first.inner_text()
    axe(page, "indicators-project-panel")


def test_a_bad_value_is_shown_next_to_its_field(page, login, demo_data, live_server, axe):
    login(page, "coordinator")
    page.goto(f"{live_server.url}{_project_url('HEV-001')}")
    page.locator("#results a[href$='/values/new/']").click()
    option = page.locator("#id_indicator option", has_text="HEV03").get_attribute("value")
    page.select_option("#id_indicator", option)
    page.fill("#id_period_start", "2026-01-01")
    page.fill("#id_period_end", "2026-06-30")
    page.fill("#id_value", "2,5")
    page.click("form.indicator-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert page.locator("#id_value").get_attribute("aria-invalid") == "true"
    assert "kokonaisluku" in page.locator("#id_value_error").inner_text()
    axe(page, "indicators-value-error")
    page.fill("#id_value", "2")
    page.click("form.indicator-form button[type=submit]")
    page.wait_for_url(re.compile(r"/projects/\d+/"))
    assert page.locator("#results").count() == 1


def test_overview_page_as_of_a_day(page, login, demo_data, live_server, axe):
    login(page, "coordinator")
    page.goto(f"{live_server.url}/followup/indicators/")
    assert page.locator("table.indicator-totals caption").count() == 1
    rco01 = page.locator("table.indicator-totals tr[data-code=RCO01] td.num").nth(1).inner_text()
    assert rco01.strip() not in ("", "0")
    axe(page, "indicators-overview")
    page.fill("#id_as_of", "2023-06-30")
    page.click("form.overview-form button[type=submit]")
    page.wait_for_url(re.compile(r"as_of=2023-06-30"))
    assert "30.6.2023" in page.locator("table.indicator-totals caption").inner_text()
    # Narrow phone: the page does not scroll sideways.
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

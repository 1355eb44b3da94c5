"""The idea list in a real browser: the coordinator sees the ideas the dashboard counts, at a laptop's and a
phone's width, without the page growing wider than the window, and axe finds nothing."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1366, 390])
def test_the_idea_list_shows_the_dashboards_ideas_and_fits(width, page, login, demo_data, live_server, axe,
                                                           screenshot):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "coordinator")
    page.goto(f"{live_server.url}/")
    link = page.locator("a[href='/governance/ideas/']", has_text="aihio").first
    assert link.inner_text().strip().startswith("4 ")
    link.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("table tbody tr").count() == 4
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"idea-list-fi-{width}")
    axe(page)

"""The charts of the dashboard and the project page are drawn in a real browser (Chart.js under the
portal's CSP: no console errors), fit the window at 1366 and 390 px and pass axe (issue 15)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _drawn(page) -> list[bool]:  # type: ignore[no-untyped-def]
    return page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-chart]')).map(c => !!window.Chart.getChart(c))")


@pytest.mark.parametrize("width", [1366, 390])
def test_dashboard_and_project_charts_are_drawn(page, login, demo_data, live_server, axe, width):
    from portfolio.models import Project

    page.set_viewport_size({"width": width, "height": 900})
    login(page, "coordinator")
    page.goto(f"{live_server.url}/")
    page.wait_for_load_state("load")
    drawn = _drawn(page)
    assert len(drawn) >= 2 and all(drawn)  # the funding charts, and the results chart when targets exist
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator("details.chart-figures summary").first.click()  # the figures open under the chart
    axe(page, f"dashboard-charts-{width}-fi")

    project = Project.objects.filter(agreement__code="helsinki-espoo-vantaa-2021-2027", funding_lines__isnull=False,
                                     status="running").distinct().order_by("code").first()
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    page.wait_for_load_state("load")
    assert _drawn(page) == [True]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    axe(page, f"project-chart-{width}-fi")
    assert not [e for e in page.console_errors if "Content Security Policy" in e or "Chart" in e]

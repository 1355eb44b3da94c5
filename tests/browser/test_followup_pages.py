"""The follow-up pages of issue 13 in a real browser, in Finnish at 1366 px and 390 px: the project's timeline, the
portfolio timeline, the report form's indicator values and the summary page with the follow-up tables; each
without sideways page scrolling, checked with axe and saved as a screenshot."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1366, "phone": 390}


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow} px wider than the window"


@pytest.mark.parametrize("width", list(WIDTHS))
def test_timelines_fit_and_pass_axe(page, login, demo_data, live_server, axe, screenshot, width):  # type: ignore[no-untyped-def]
    from portfolio.models import Project

    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    login(page, "coordinator")
    project = Project.objects.get(code="HEV-001")
    page.goto(f"{live_server.url}{project.get_absolute_url()}#results")
    assert page.locator("#results .timeline-graphic .timeline-bar").count() == 1
    page.locator("#results details.chart-figures summary", has_text="Aikajana taulukkona").click()
    caption = page.locator(".timeline-table caption").first.inner_text()
    assert caption == "Hankkeen välitavoitteet ja raporttien määräpäivät"
    _fits(page)
    page.locator(".timeline").first.scroll_into_view_if_needed()
    axe(page, f"followup-project-timeline-fi-{width}")
    screenshot(page, f"followup-project-timeline-fi-{width}")

    page.goto(f"{live_server.url}/projects/")
    page.locator("main a[href^='/followup/timeline/']").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator(".portfolio-timeline .timeline-bar").count() >= 5
    _fits(page)
    axe(page, f"followup-portfolio-timeline-fi-{width}")
    screenshot(page, f"followup-portfolio-timeline-fi-{width}")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_report_form_indicator_values_show_a_bad_value_next_to_its_cell(page, login, demo_data, live_server, axe,  # type: ignore[no-untyped-def]
                                                                        screenshot, width):
    from followup.models import IndicatorTarget, ProgressReport
    from followup.selectors.indicators import report_indicators

    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    report = next(r for r in ProgressReport.objects.filter(
        project__contacts__user__username="contact", review_state__in=("draft", "returned"), kind="periodic")
        .order_by("period_start") if report_indicators(report=r))
    code = report_indicators(report=report)[0].indicator.code
    assert IndicatorTarget.objects.filter(project=report.project).exists()
    login(page, "contact")
    page.goto(f"{live_server.url}/followup/reports/{report.pk}/edit/")
    page.fill(f"#id_indicator_{code}", "-2")
    page.click("button[name=save]")
    page.wait_for_load_state("domcontentloaded")
    error = page.locator(f"#id_indicator_{code}_error")
    assert error.is_visible() and page.locator(f"#id_indicator_{code}").get_attribute("aria-invalid") == "true"
    _fits(page)
    axe(page, f"followup-report-indicators-fi-{width}")
    screenshot(page, f"followup-report-indicators-fi-{width}")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_summary_page_shows_the_follow_up_tables(page, login, demo_data, live_server, axe, screenshot, width):  # type: ignore[no-untyped-def]
    from portfolio.models import Agreement
    from reporting.periods import period_containing
    from reporting.services import summary_compile, summary_get_or_create

    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    agreement = Agreement.objects.get(code="helsinki-espoo-vantaa-2021-2027")
    period = period_containing(dt.date.today(), "quarter")
    report, _created = summary_get_or_create(audience="steering", period=period, agreement=agreement, user=None)
    summary_compile(report_id=report.pk)
    login(page, "coordinator")
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    for key in ("followup_reports", "followup_indicators", "followup_decommitment"):
        assert page.locator(f"table[data-table={key}]").count() == 1, key
    _fits(page)
    page.locator("table[data-table=followup_reports]").scroll_into_view_if_needed()
    axe(page, f"followup-summary-page-fi-{width}")
    screenshot(page, f"followup-summary-page-fi-{width}")

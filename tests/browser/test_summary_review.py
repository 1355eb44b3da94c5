"""The summary page in a browser (issue 18): axe-core in Finnish, Swedish and English, the page within the
window at 1366 and 390 px (screenshots in Finnish), and a coordinator writing the narrative and approving."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.test_navigation_walk import MEASURE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def summary(demo_data, monkeypatch):  # type: ignore[no-untyped-def]
    """The demo agreement's summaries of two quarters (the second shows the changes since the first)."""
    import hashlib
    import json

    from portfolio.models import Agreement
    from reporting import rendering
    from reporting.services import summary_compile, summary_get_or_create

    def fake_pdf(snapshot, language):  # type: ignore[no-untyped-def]  # WeasyPrint is not what is tested here
        return f"%PDF-1.7\n% {hashlib.sha256(json.dumps(snapshot).encode()).hexdigest()}\n%%EOF\n".encode()

    monkeypatch.setitem(rendering.RENDERERS, "pdf", fake_pdf)
    agreement = Agreement.objects.order_by("pk").first()
    reports = []
    for period in ("2025-Q2", "2026-Q3"):
        report, _ = summary_get_or_create(audience="steering", period=period, agreement=agreement, user=None,
                                          rerun=True)
        summary_compile(report_id=report.pk)
        report.refresh_from_db()
        assert report.status == "done", report.error
        reports.append(report)
    return reports[-1]


def _fits(page: Any, width: int) -> list[str]:
    result = page.evaluate(MEASURE)
    problems = [] if result["overflow"] <= 0 else [f"page {result['scrollWidth']} px wide in {width} px"]
    for table in result["cut"]:
        if width >= 1366 or not table["responsive"]:
            problems.append(f"table '{table['name']}' {table['tableWidth']} px in a {table['boxWidth']} px box")
    return problems


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_summary_page_passes_axe_in_each_language(browser, live_server, login, axe, summary, language):
    context = browser.new_context(base_url=live_server.url, locale="fi-FI", viewport={"width": 1366, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    login(page, "coordinator")
    page.goto(f"{live_server.url}/reports/{summary.pk}/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("article.summary-body").get_attribute("lang") == "fi"
    assert page.locator("table[data-table] caption").count() >= 10
    assert page.locator("article.summary-body mark").count() >= 1  # the changes since the previous summary
    axe(page, f"summary-review-{language}")
    context.close()


@pytest.mark.parametrize("width", [1366, 390])
def test_summary_page_fits_the_window_in_finnish(browser, live_server, login, axe, screenshot, summary, width):
    context = browser.new_context(base_url=live_server.url, locale="fi-FI", viewport={"width": width, "height": 900})
    page = context.new_page()
    login(page, "coordinator")
    page.goto(f"{live_server.url}/reports/{summary.pk}/")
    screenshot(page, f"summary-review-fi-{width}")
    assert _fits(page, width) == []
    context.close()


def test_coordinator_writes_the_narrative_and_approves(page, live_server, login, axe, screenshot, summary):
    from reporting.models import SummaryReport

    login(page, "coordinator")
    page.goto(f"{live_server.url}/reports/{summary.pk}/")
    page.click("button[name=approve]")  # without key messages: refused, said where the user looks
    page.wait_for_selector("#review-error")
    axe(page, "summary-review-refused")
    page.fill("#id_key_messages", "Rahoituskehys riittää vuoden loppuun.")
    page.fill("#id_risks", "Kaksi hanketta on myöhässä.")
    page.fill("#id_asks", "Johtoryhmää pyydetään merkitsemään kooste tiedoksi.")
    page.click("form.narrative-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/reports/{summary.pk}/"))
    assert "Rahoituskehys riittää vuoden loppuun." in page.locator("article.summary-body").inner_text()
    page.click("button[name=approve]")
    page.wait_for_url(re.compile(rf"/reports/{summary.pk}/"))
    summary = SummaryReport.objects.get(pk=summary.pk)
    assert summary.review_status in ("approved", "sent")
    assert page.locator("#review-status").inner_text().strip() in ("Hyväksytty", "Lähetetty")
    assert page.locator("#id_key_messages").count() == 0 and page.locator("#id_reason").count() == 1
    if summary.deliveries.exists():
        assert page.locator("#deliveries table caption").count() == 1
    axe(page, "summary-review-approved")
    screenshot(page, "summary-review-approved-fi-1366")


def test_recipients_page_passes_axe_and_fits(page, live_server, login, axe, screenshot, summary):
    from reporting.selectors import audience_group

    group = audience_group(summary)
    login(page, "coordinator")
    page.goto(f"{live_server.url}/reports/{summary.pk}/")
    page.click(f"a[href='/reports/recipients/{group.pk}/']")
    page.fill("#id_email", "ei-osoite")
    page.click("form[action$='/add/'] button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert page.locator("#id_email").get_attribute("aria-invalid") == "true"
    axe(page, "summary-recipients-error")
    page.fill("#id_email", "kirjaamo@example.fi")
    page.click("form[action$='/add/'] button[type=submit]")
    page.wait_for_selector("text=kirjaamo@example.fi")
    axe(page, "summary-recipients")
    page.set_viewport_size({"width": 390, "height": 900})
    screenshot(page, "summary-recipients-fi-390")
    assert _fits(page, 390) == []


@pytest.fixture
def recipients_group(summary):  # type: ignore[no-untyped-def]
    """The summary's group with one additional recipient allowed the files, and one change in the history."""
    from django.contrib.auth import get_user_model

    from reporting.selectors import audience_group
    from reporting.services import summary_recipient_add, summary_recipient_update

    coordinator = get_user_model().objects.get(username="coordinator")
    group = audience_group(summary)
    recipient = summary_recipient_add(group=group, email="kirjaamo.pitka-osoite@tem.example.fi", user=coordinator,
                                      name="TEM:n kirjaamo", language="sv")
    summary_recipient_update(recipient=recipient, user=coordinator, language="sv", attachments=True)
    return group


@pytest.mark.parametrize("width", [1366, 390])
def test_recipients_page_fits_and_passes_axe_in_finnish(browser, live_server, login, axe, screenshot,
                                                        recipients_group, width):
    context = browser.new_context(base_url=live_server.url, locale="fi-FI", viewport={"width": width, "height": 900})
    page = context.new_page()
    login(page, "coordinator")
    page.goto(f"{live_server.url}/reports/recipients/{recipients_group.pk}/")
    assert page.locator("select[id^=member-language-]").count() >= 3
    axe(page, f"summary-recipients-fi-{width}")
    assert _fits(page, width) == []
    # A member's language changed in the browser, recorded in the history.
    page.locator("select[id^=member-language-]").first.select_option("sv")
    page.locator("form[action*='/members/'] button[type=submit]").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert "ruotsi" in page.locator("main").inner_text()
    context.close()


@pytest.mark.parametrize("width", [1366, 390])
def test_dashboard_lists_the_drafts_to_review_and_fits(browser, live_server, login, axe, screenshot, summary,
                                                       width):
    context = browser.new_context(base_url=live_server.url, locale="fi-FI", viewport={"width": width, "height": 900})
    page = context.new_page()
    login(page, "coordinator")
    page.goto(f"{live_server.url}/")
    block = page.locator("section.dashboard-review")
    assert block.locator(f"a[href='/reports/{summary.pk}/#review-heading']").count() == 1
    axe(page, f"dashboard-review-fi-{width}")
    assert _fits(page, width) == []
    context.close()


def test_the_page_shows_the_files_being_made_and_then_the_downloads(page, live_server, login, axe, screenshot,
                                                                     summary, monkeypatch):
    """A narrative save with a slow worker: the state box says the files are being made (no downloads, and
    approval waits), the page polls it, and the downloads and the approve button appear when the worker has made
    them."""
    from governance import notifications
    from reporting.services import summary_files_make

    held: list[int] = []
    # The broker takes the task but no worker runs it yet: the outbox entry is marked sent, nothing renders.
    monkeypatch.setattr(notifications, "job", lambda name: type("Held", (), {
        "delay": staticmethod(lambda object_id: held.append(object_id))}))
    login(page, "coordinator")
    page.goto(f"{live_server.url}/reports/{summary.pk}/")
    page.fill("#id_key_messages", "Kehys riittää.")
    page.click("form.narrative-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/reports/{summary.pk}/"))
    status = page.locator("#report-status")
    assert "muodostetaan uudelleen" in status.inner_text()
    assert status.locator("a[download]").count() == 0 and held == [summary.pk]
    assert page.locator("button[name=approve]").count() == 0  # approving waits for the files too
    assert "voi hyväksyä" in page.locator("#approve-area").inner_text()
    axe(page, "summary-files-making")
    screenshot(page, "summary-files-making-fi-1366")
    summary_files_make(report_id=summary.pk)  # the worker
    status.locator("a[download]").first.wait_for(timeout=10_000)  # htmx polls every 2 s
    assert status.locator("a[download]").count() == 4
    page.locator("#approve-area button[name=approve]").wait_for()  # swapped in by the same poll
    assert page.locator("#approve-area").count() == 1
    axe(page, "summary-files-ready")

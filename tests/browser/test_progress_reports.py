"""A project contact writes and submits a progress report; a coordinator returns it, then accepts it."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _draft_of_contact():  # type: ignore[no-untyped-def]
    from followup.models import ProgressReport

    return (ProgressReport.objects.filter(project__contacts__user__username="contact", review_state="draft")
            .order_by("due_date").first())


def test_contact_submits_coordinator_returns_then_accepts(browser, page, login, demo_data, live_server, axe):
    report = _draft_of_contact()
    assert report is not None
    login(page, "contact")
    page.goto(f"{live_server.url}/")
    assert page.locator(f"a[href='/followup/reports/{report.pk}/']").count() >= 1
    axe(page, "contact-home")

    page.goto(f"{live_server.url}/followup/reports/{report.pk}/edit/")
    page.select_option("#id_status", "at_risk")
    page.fill("#id_done", "Kaksi pilottia käynnistettiin.")
    page.fill("#id_spent_ERDF", "-5")
    page.click("button[name=submit]")
    page.wait_for_selector("#error-summary")
    # Both errors are shown next to their fields; what was typed is kept.
    assert page.locator("#id_spent_ERDF").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_done").input_value() == "Kaksi pilottia käynnistettiin."
    axe(page, "report-form-errors")
    page.fill("#id_spent_ERDF", "12 500,00")
    page.fill("#id_status_reason", "Yritysten rekrytointi on hidastunut.")
    page.click("button[name=submit]")
    page.wait_for_url(re.compile(rf"/followup/reports/{report.pk}/$"))
    report.refresh_from_db()
    assert report.review_state == "submitted"
    axe(page, "report-submitted")

    reviewer_context = browser.new_context(base_url=live_server.url, locale="fi-FI",
                                           viewport={"width": 1366, "height": 900})
    reviewer = reviewer_context.new_page()
    login(reviewer, "coordinator")
    reviewer.goto(f"{live_server.url}/")
    assert reviewer.locator(f".report-queue a[href='/followup/reports/{report.pk}/']").count() == 1
    reviewer.goto(f"{live_server.url}/followup/reports/{report.pk}/")
    axe(reviewer, "report-review")
    reviewer.click("button[value=return]")  # without a comment: refused, said next to the field
    reviewer.wait_for_selector("#id_comment_error")
    reviewer.fill("#id_comment", "Tarkenna riskien kuvausta.")
    reviewer.click("button[value=return]")
    reviewer.wait_for_url(re.compile(rf"/followup/reports/{report.pk}/$"))
    report.refresh_from_db()
    assert report.review_state == "returned"

    page.goto(f"{live_server.url}/followup/reports/{report.pk}/edit/")
    assert "Tarkenna riskien kuvausta." in page.locator(".alert-warning").inner_text()
    page.fill("#id_risks", "Kumppaniyritysten resurssit ja aikataulu.")
    page.click("button[name=submit]")
    page.wait_for_url(re.compile(rf"/followup/reports/{report.pk}/$"))

    reviewer.goto(f"{live_server.url}/followup/reports/{report.pk}/")
    reviewer.click("button[value=accept]")
    reviewer.wait_for_url(re.compile(rf"/followup/reports/{report.pk}/$"))
    report.refresh_from_db()
    assert report.review_state == "accepted"
    assert list(report.transitions.order_by("pk").values_list("to_state", flat=True)) == [
        "submitted", "returned", "submitted", "accepted"]
    assert reviewer.locator("#review-state").inner_text().strip() == "Hyväksytty"
    axe(reviewer, "report-accepted")
    reviewer_context.close()


def test_a_contact_sees_only_their_projects_in_the_list(page, login, demo_data, live_server, axe):
    from portfolio.models import Project

    login(page, "contact")
    page.goto(f"{live_server.url}/projects/")
    own = set(Project.objects.filter(contacts__user__username="contact").values_list("code", flat=True))
    shown = {code.strip() for code in page.locator(".project-table tbody tr td:first-child").all_inner_texts()}
    assert shown == own
    axe(page, "contact-project-list")

"""The coordinator's day in a real browser: sign in, filter, create, conflict, language, accessibility."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_and_filter_the_project_list(page, login, demo_data, live_server, screenshot):
    login(page, "coordinator")
    page.goto(f"{live_server.url}/projects/")
    page.select_option("#id_priority", "2")
    page.wait_for_url(re.compile(r"priority=2"))
    assert "priority=2" in page.url  # the filter state is in the address, so it can be bookmarked
    rows = page.locator(".project-table tbody tr")
    assert rows.count() >= 1
    screenshot(page, "projects-filtered")
    # a bookmarked address gives the same list
    page.goto(page.url)
    assert page.locator("#id_priority").input_value() == "2"


def test_create_a_project_with_funding_lines(page, login, demo_data, live_server):
    from portfolio.models import Project

    login(page, "coordinator")
    page.goto(f"{live_server.url}/projects/new/")
    page.fill("#id_code", "PW-001")
    page.fill("#id_title_fi", "Selaintestin hanke")
    page.select_option("#id_priority", index=1)
    page.check("input[name=methods] >> nth=0")
    page.select_option("#id_lead_organisation", index=1)
    page.fill("#id_start_date", "2025-01-01")
    page.fill("#id_end_date", "2026-12-31")
    page.select_option("#id_lines-0-instrument", "ERDF")
    page.fill("#id_lines-0-year", "2025")
    page.fill("#id_lines-0-planned_amount", "60 000,00")
    page.select_option("#id_lines-1-instrument", "CITY")
    page.fill("#id_lines-1-year", "2025")
    page.fill("#id_lines-1-planned_amount", "40000")
    page.click("button[type=submit]:has-text('Tallenna'), button[type=submit]:has-text('Save')")
    page.wait_for_url(re.compile(r"/projects/\d+/$"))
    assert page.locator("h1").inner_text().startswith("PW-001")
    project = Project.objects.get(code="PW-001")
    assert project.funding_lines.count() == 2


def test_invalid_input_shows_error_summary_and_field_errors(page, login, demo_data, live_server, axe):
    login(page, "coordinator")
    page.goto(f"{live_server.url}/projects/new/")
    page.fill("#id_code", "PW-BAD")
    page.fill("#id_start_date", "2026-01-01")
    page.fill("#id_end_date", "2025-01-01")
    page.click("form#project-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert page.locator("#id_end_date").get_attribute("aria-invalid") == "true"
    assert "id_end_date_error" in (page.locator("#id_end_date").get_attribute("aria-describedby") or "")
    assert page.locator("#id_code").input_value() == "PW-BAD"  # typed values are kept
    axe(page, "project-form-errors")


def test_edit_conflict_is_shown_and_resolved(browser, page, login, demo_data, live_server):
    from portfolio.models import Project

    project = Project.objects.filter(agreement__code="helsinki-espoo-vantaa-2021-2027").order_by("pk").first()
    url = f"{live_server.url}/projects/{project.pk}/edit/"
    login(page, "coordinator")
    other_context = browser.new_context(base_url=live_server.url, locale="fi-FI")
    other = other_context.new_page()
    login(other, "coordinator")
    page.goto(url)
    other.goto(url)
    other.fill("#id_title_fi", "Toisen käyttäjän otsikko")
    other.click("form#project-form button[type=submit]")
    other.wait_for_url(re.compile(r"/projects/\d+/$"))

    page.fill("#id_title_fi", "Minun otsikkoni")
    page.click("form#project-form button[type=submit]")
    page.wait_for_selector("#conflict")
    assert "Toisen käyttäjän otsikko" in page.locator("#conflict").inner_text()
    assert page.locator("#id_title_fi").input_value() == "Minun otsikkoni"  # nothing typed is lost
    project.refresh_from_db()
    assert project.title_fi == "Toisen käyttäjän otsikko"

    page.click("form#project-form button[type=submit]")  # resolve: keep my value deliberately
    page.wait_for_url(re.compile(r"/projects/\d+/$"))
    project.refresh_from_db()
    assert project.title_fi == "Minun otsikkoni"
    other_context.close()


def test_switch_language(page, login, demo_data, live_server):
    login(page, "coordinator")
    page.goto(f"{live_server.url}/projects/")
    assert page.locator("html").get_attribute("lang") == "fi"
    page.select_option("#language-select", "en")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "/projects/" in page.url
    page.select_option("#language-select", "sv")
    page.wait_for_function("document.documentElement.lang === 'sv'")


MAIN_PAGES = ["/", "/projects/", "/projects/{project}/", "/projects/{project}/edit/", "/projects/organisations/",
              "/projects/organisations/{organisation}/", "/funding/", "/governance/", "/reports/"]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_main_pages_have_no_axe_violations(page, login, demo_data, live_server, axe, language):
    from portfolio.models import Project

    project = Project.objects.filter(agreement__code="helsinki-espoo-vantaa-2021-2027").order_by("pk").first()
    login(page, "coordinator")
    if language != "fi":
        page.select_option("#language-select", language)
        page.wait_for_function(f"document.documentElement.lang === '{language}'")
    failures = []
    for path in MAIN_PAGES:
        url = path.format(project=project.pk, organisation=project.lead_organisation_id)
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.status == 200, url
        try:
            axe(page, f"{language}{url.replace('/', '_') or '_home'}")
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n\n".join(failures)
    csp = [e for e in page.console_errors if "Content Security Policy" in e or "Refused to" in e]
    assert not csp, csp


def test_sorting_is_kept_when_filtering(page, login, demo_data, live_server):
    login(page, "coordinator")
    page.goto(f"{live_server.url}/projects/")
    page.locator("th a.sort-link").first.click()  # sort by code, ascending
    page.wait_for_url(re.compile(r"ordering=code"))
    page.locator("th a.sort-link").first.click()  # descending
    page.wait_for_url(re.compile(r"ordering=-code"))
    page.select_option("#id_status", "running")
    page.wait_for_url(re.compile(r"status=running"))
    assert "ordering=-code" in page.url
    codes = page.locator(".project-table tbody tr td:first-child").all_inner_texts()
    assert codes == sorted(codes, reverse=True)

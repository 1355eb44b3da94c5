"""In a real browser (issue 15, also expected): the personal API token page (create, key shown once, revoke;
axe; 1366 and 390 px in Finnish), the warning before the session times out ("Stay signed in" extends the
session), and typed values that survive an expired session and a new sign-in."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page, width: int) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _sign_in_here(page, settings, username: str = "coordinator") -> None:  # type: ignore[no-untyped-def]
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(settings.DEMO_PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_load_state("domcontentloaded")


def test_token_page_creates_shows_once_and_revokes(page, login, demo_data, live_server, screenshot, axe):
    login(page, "coordinator")
    page.goto(f"{live_server.url}/")
    page.locator(".user-menu .dropdown-toggle").click()
    page.locator(".user-menu a[href='/accounts/tokens/']").click()
    expect(page.locator("h1")).to_have_text("API-tunnukset")
    axe(page, "api-tokens-empty-1366-fi")

    page.locator("#id_name").fill("Kaupungin Power BI")
    page.locator("#id_expires_in").select_option("365")
    page.locator(".api-token-form [type=submit]").click()
    key_field = page.locator("#new-token-key")
    expect(key_field).to_be_visible()
    key = key_field.input_value()
    assert key.startswith("ept_") and len(key) > 40
    assert page.evaluate("document.activeElement.id") == "new-token"  # focus on the key, announced
    expect(page.locator("[data-copy-target=new-token-key]")).to_be_visible()
    _fits(page, 1366)
    axe(page, "api-tokens-created-1366-fi")

    # The key works on the API, from a client outside the browser.
    assert Client().get("/api/v1/projects/", headers={"Authorization": f"Token {key}"}).status_code == 200

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/tokens/")
    assert key not in page.content()  # shown once: the list has the name and the prefix only
    expect(page.locator(".api-token-list")).to_contain_text("Kaupungin Power BI")
    expect(page.locator(".api-token-list")).to_contain_text(key[:10])
    _fits(page, 390)
    axe(page, "api-tokens-list-390-fi")

    page.locator(".api-token-list button:has-text('Mitätöi')").click()
    page.wait_for_selector(".messages")
    expect(page.locator(".messages")).to_contain_text("Kaupungin Power BI")
    assert page.locator(".api-token-list").count() == 0
    assert Client().get("/api/v1/projects/", headers={"Authorization": f"Token {key}"}).status_code == 401
    page.set_viewport_size({"width": 1366, "height": 900})
    axe(page)


def test_warning_before_the_timeout_and_stay_signed_in(page, login, demo_data, live_server, settings, screenshot,
                                                       axe):
    settings.SESSION_IDLE_TIMEOUT = 20
    settings.SESSION_WARNING_BEFORE = 16
    login(page, "coordinator")  # the session counts from here: it would end 20 s later
    page.goto(f"{live_server.url}/projects/")
    dialog = page.locator("#session-dialog")
    expect(dialog).to_be_visible(timeout=8_000)
    assert dialog.get_attribute("role") == "alertdialog"
    expect(page.locator("#session-dialog-title")).to_have_text("Istuntosi on päättymässä")
    expect(page.locator("#session-dialog-text")).to_contain_text(re.compile(r"klo \d{1,2}[.:]\d{2}"))
    assert page.evaluate("document.activeElement.hasAttribute('data-session-stay')")
    screenshot(page, "session-warning-1366-fi")
    axe(page)
    page.set_viewport_size({"width": 390, "height": 844})
    _fits(page, 390)
    screenshot(page, "session-warning-390-fi")

    page.locator("[data-session-stay]").click()
    expect(dialog).to_be_hidden()
    # Past the time the session would have ended without the button: still signed in.
    page.wait_for_timeout(11_000)
    page.goto(f"{live_server.url}/projects/")
    assert "/accounts/login/" not in page.url
    assert page.console_errors == []


def test_typed_values_survive_an_expired_session_and_sign_in(page, login, demo_data, live_server, settings,
                                                             screenshot):
    from portfolio.models import Organisation

    settings.SESSION_IDLE_TIMEOUT = 6
    settings.SESSION_WARNING_BEFORE = 3
    login(page, "coordinator")
    page.goto(f"{live_server.url}/projects/organisations/new/")
    page.locator("#id_name_fi").fill("Tallessa pysyvä Oy")
    page.locator("#id_municipality").fill("Espoo")

    # The time runs out: the dialog says so and offers to sign in again.
    expect(page.locator("[data-session-login]")).to_be_visible(timeout=10_000)
    expect(page.locator("#session-dialog-title")).to_have_text("Istuntosi on päättynyt")
    assert page.evaluate("document.activeElement.hasAttribute('data-session-login')")
    assert "next=%2Fprojects%2Forganisations%2Fnew%2F" in page.locator("[data-session-login]").get_attribute("href")
    screenshot(page, "session-ended-1366-fi")
    page.locator("[data-session-close]").click()

    # Saving now lands on the sign-in page (the session has ended server-side); nothing is saved.
    page.locator(".organisation-form [type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/login/\?next=/projects/organisations/new/"))
    assert not Organisation.objects.filter(name_fi="Tallessa pysyvä Oy").exists()
    stored = page.evaluate("sessionStorage.getItem('portal.draft')")
    assert "Tallessa pysyvä Oy" in stored and settings.DEMO_PASSWORD not in stored
    assert '"kind#1"' not in stored  # only what was changed is kept

    settings.SESSION_IDLE_TIMEOUT = 3600  # the rest of the test at an ordinary pace
    _sign_in_here(page, settings)
    page.wait_for_url(re.compile(r"/projects/organisations/new/$"))
    assert page.locator("#id_name_fi").input_value() == "Tallessa pysyvä Oy"
    assert page.locator("#id_municipality").input_value() == "Espoo"
    expect(page.locator("#draft-restored")).to_be_visible()
    screenshot(page, "session-restored-1366-fi")
    stored = page.evaluate("sessionStorage.getItem('portal.draft')") or ""
    assert settings.DEMO_PASSWORD not in stored and "csrfmiddlewaretoken" not in stored

    # Restored once: another visit to the page starts empty.
    page.goto(f"{live_server.url}/projects/organisations/new/")
    assert page.locator("#id_name_fi").input_value() == ""

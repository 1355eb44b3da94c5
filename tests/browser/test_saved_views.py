"""Saving a view of the project list after filtering it (htmx changes the address without a reload): the
view saved holds the filters on screen, not those the page was loaded with."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_view_saved_is_the_one_on_screen(page, login, demo_data, live_server):
    from portfolio.models import SavedView

    login(page, "coordinator")
    page.goto(f"{live_server.url}/projects/")
    page.locator("#id_status").select_option("running")
    page.wait_for_url("**status=running**")
    page.locator("#saved-view-name").fill("Käynnissä")
    page.locator("form.saved-view-form button[type=submit]").click()
    page.wait_for_load_state("load")
    view = SavedView.objects.get(name="Käynnissä")
    assert "status=running" in view.query

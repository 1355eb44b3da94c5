"""Notifications inside the portal in a real browser: the count in the top bar, the list, opening one
(issue 15, also expected). 1366 and 390 px in Finnish, axe."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1366, 390])
def test_notifications_page(page, login, demo_data, live_server, axe, screenshot, width):
    from django.contrib.auth import get_user_model

    from portfolio.models import Notification, Project
    from portfolio.notifications import notify

    user = get_user_model().objects.get(username="coordinator")
    project = Project.objects.filter(agreement__code="helsinki-espoo-vantaa-2021-2027").order_by("code").first()
    Notification.objects.filter(user=user).delete()
    notify(users=[user], kind="report_due", params={"project": project.code, "due": "2026-12-31"},
           url=project.get_absolute_url())
    notify(users=[user], kind="agenda_published", params={"meeting": "Johtoryhmä 1/2027"}, url="/governance/")
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "coordinator")
    if width < 992:
        page.locator(".navbar-toggler").click()
    link = page.locator("a.notifications-link")
    link.wait_for(state="visible")
    assert "2" in link.inner_text()
    if width >= 992:
        # The count beside the bell, not under it (the button was 52 px tall beside the 31 px language button,
        # the top bar 68 px), in every language; the rule that does it was once lost in a phone-only block.
        for language in ("fi", "sv", "en"):
            page.select_option("#language-select", language)
            page.locator(".language-menu [type=submit]").click()
            page.wait_for_load_state("load")
            assert page.locator("html").get_attribute("lang") == language
            height = page.locator(".language-menu button").bounding_box()["height"]
            assert link.bounding_box()["height"] <= height + 2, language
            assert page.locator("header .navbar").bounding_box()["height"] <= 60, language
        page.select_option("#language-select", "fi")
        page.locator(".language-menu [type=submit]").click()
        page.wait_for_load_state("load")
    # The top bar alone (the bell with its count), for review: build/screenshots/topbar-fi-coordinator-<width>.png.
    page.locator("header").screenshot(path=str(screenshot(page, f"topbar-fi-coordinator-{width}")))
    link.click()
    page.wait_for_url("**/notifications/")
    assert "31.12.2026" in page.locator(".notification-list").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    axe(page, f"notifications-{width}-fi")
    page.locator(".notification-list form button").last.click()  # the report's, listed first? either opens
    page.wait_for_load_state("load")
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 1

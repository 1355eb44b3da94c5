"""The action plan's theme pages in the browser (Finnish, 1366 and 390 px, axe): deleting a theme (confirmation,
refusal while projects carry it) and the conflict shown when someone else saved the theme meanwhile."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

WIDTHS = (1366, 390)


def _at_widths(page: Any, axe: Any, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} at {width} px is {overflow} px wider than the window"
        axe(page, f"{name}-fi-{width}")


def test_deleting_a_theme_asks_first_and_refuses_a_theme_in_use(page: Any, login: Any, axe: Any, live_server: Any,
                                                                  demo_data: Any) -> None:
    from django.contrib.auth import get_user_model

    from portfolio.models import Agreement, Priority, Theme

    coordinator = get_user_model().objects.get(username="coordinator")
    agreement = Agreement.objects.worked_on_by(coordinator).order_by("name").first()
    unused = Theme.objects.create(agreement=agreement, slug="zq-unused", name_fi="Käyttämätön kokeiluteema",
                                  priority=Priority.objects.get(agreement=agreement, code=1))
    used = Theme.objects.filter(agreement=agreement, projects__isnull=False).distinct().first()
    assert used is not None
    login(page, "coordinator")
    page.goto(f"{live_server.url}/action-plan/themes/{unused.pk}/delete/")
    assert page.locator("h1").inner_text() == "Poista teema"
    assert page.locator("form.theme-delete-form button").is_visible()
    _at_widths(page, axe, "action-plan-theme-delete")
    page.goto(f"{live_server.url}/action-plan/themes/{used.pk}/delete/")
    assert page.locator("#theme-in-use").is_visible()
    assert page.locator("form.theme-delete-form").count() == 0
    _at_widths(page, axe, "action-plan-theme-delete-in-use")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/action-plan/themes/{unused.pk}/delete/")
    page.locator("form.theme-delete-form button").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/action-plan/edit/")
    assert not Theme.objects.filter(pk=unused.pk).exists()


def test_a_theme_saved_by_someone_else_meanwhile_shows_the_conflict(page: Any, login: Any, axe: Any,
                                                                     live_server: Any, demo_data: Any) -> None:
    from django.contrib.auth import get_user_model

    from portfolio.models import Agreement, Theme
    from portfolio.services import theme_save

    other = get_user_model().objects.get(username="coordinator")
    agreement = Agreement.objects.worked_on_by(other).order_by("name").first()
    theme = Theme.objects.filter(agreement=agreement, slug="mobility").select_related("agreement").first()
    assert theme is not None
    login(page, "coordinator")
    page.goto(f"{live_server.url}/action-plan/themes/{theme.pk}/edit/")
    # Someone else (here: the same account from another browser) saves the theme while this form is open.
    theme_save(agreement=theme.agreement, theme=theme, user=other, expected_version=theme.version,
               data={"name_fi": "Liikkumisen kokeilut (toisen tallentama)"})
    page.locator("#id_name_fi").fill("Liikkumisen kokeilut (minun)")
    page.locator("form.theme-form [type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    conflict = page.locator("#conflict")
    assert conflict.is_visible()
    assert "Liikkumisen kokeilut (toisen tallentama)" in conflict.inner_text()
    assert "Liikkumisen kokeilut (minun)" in conflict.inner_text()
    _at_widths(page, axe, "action-plan-theme-conflict")
    theme.refresh_from_db()
    assert theme.name_fi == "Liikkumisen kokeilut (toisen tallentama)"

"""The action plan's annex page in the browser (issue 13, Finnish, 1366 and 390 px, axe): a coordinator
generates a version; with a worker that has not yet run, the page says its PDFs are being made (no downloads
for it) and the downloads appear by polling once the worker has made them."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1366, 390)


def _at_widths(page: Any, axe: Any, screenshot: Any, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()  # laid out at this width (a table that scrolls sideways becomes a tab stop on load)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} at {width} px is {overflow} px wider than the window"
        axe(page, f"{name}-fi-{width}")
        screenshot(page, f"{name}-fi-{width}")
    page.set_viewport_size({"width": 1366, "height": 900})


def test_a_generated_annex_is_made_by_the_worker_and_becomes_downloadable(page: Any, live_server: Any, login: Any,
                                                                          axe: Any, screenshot: Any,
                                                                          demo_data: Any, monkeypatch: Any) -> None:
    import hashlib
    import json

    from governance import notifications
    from reporting.models import ActionPlanVersion
    from reporting.rendering import annex
    from reporting.services import action_plan_annex_make

    def fake(snapshot, language):  # type: ignore[no-untyped-def]  # WeasyPrint is not what is tested here
        digest = hashlib.sha256(json.dumps(snapshot, sort_keys=True).encode()).hexdigest()
        return f"%PDF-1.7\n% annex {language} {digest}\n%%EOF\n".encode()

    monkeypatch.setattr(annex, "render_annex_pdf", fake)
    held: list[int] = []
    # The broker takes the task but no worker runs it yet: the outbox entry is marked sent, nothing renders.
    monkeypatch.setattr(notifications, "job", lambda name: type("Held", (), {
        "delay": staticmethod(lambda object_id: held.append(object_id))}))
    login(page, "coordinator")
    page.goto(f"{live_server.url}/action-plan/annex/")
    page.fill("#id_reason", "Johtoryhmän kokous")
    page.click("form.annex-form button[type=submit]")
    page.wait_for_url(re.compile(r"/action-plan/annex/$"))
    version = ActionPlanVersion.objects.order_by("-pk").first()
    assert version is not None and version.state == "making" and held == [version.pk]
    versions = page.locator("#annex-versions")
    row = versions.locator("tr.annex-making")
    assert row.inner_text().strip().endswith("Tekeillä") and row.locator("a").count() == 0
    assert "Versio 1: PDF-tiedostoja tehdään" in versions.locator(".annex-making-note").inner_text()
    _at_widths(page, axe, screenshot, "action-plan-annex-making")

    action_plan_annex_make(version_id=version.pk)  # the worker
    link = versions.locator(f"a[href='/action-plan/annex/{version.pk}/fi/']")
    link.wait_for(timeout=10_000)  # htmx polls every 2 s
    assert versions.locator("tr.annex-making").count() == 0 and versions.locator(".annex-making-note").count() == 0
    assert versions.locator(f"a[href^='/action-plan/annex/{version.pk}/']").count() == 3
    _at_widths(page, axe, screenshot, "action-plan-annex-ready")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(f"-annex-v{version.number}-fi.pdf")


def test_a_failed_annex_shows_its_reason_and_is_made_again(page: Any, live_server: Any, login: Any, axe: Any,
                                                            screenshot: Any, demo_data: Any, monkeypatch: Any) -> None:
    from django.contrib.auth import get_user_model

    from portfolio.models import Agreement
    from reporting.models import ActionPlanVersion
    from reporting.rendering import annex
    from reporting.services import action_plan_annex_make, action_plan_version_create

    def broken(snapshot, language):  # type: ignore[no-untyped-def]
        raise ValueError("fontti puuttuu")

    coordinator = get_user_model().objects.get(username="coordinator")
    agreement = Agreement.objects.worked_on_by(coordinator).order_by("name").first()
    monkeypatch.setattr(annex, "render_annex_pdf", broken)
    version = action_plan_version_create(agreement=agreement, user=coordinator, reason="Kokous")
    assert action_plan_annex_make(version_id=version.pk).state == "failed"
    monkeypatch.setattr(annex, "render_annex_pdf", lambda snapshot, language: b"%PDF-1.7\n%%EOF\n")
    login(page, "coordinator")
    page.goto(f"{live_server.url}/action-plan/annex/")
    row = page.locator("tr.annex-failed")
    assert row.inner_text().strip().endswith("Epäonnistui") and row.locator("a").count() == 0
    note = page.locator(".annex-failed-note")
    assert note.locator("p").inner_text() == ("Versio 1: PDF-tiedostojen tekeminen epäonnistui: "
                                              "ValueError: fontti puuttuu")
    _at_widths(page, axe, screenshot, "action-plan-annex-failed")
    note.locator("button").click()  # eager here: the task runs at the commit
    page.wait_for_url(re.compile(r"/action-plan/annex/$"))
    page.locator(f"a[href='/action-plan/annex/{version.pk}/fi/']").wait_for(timeout=10_000)
    assert ActionPlanVersion.objects.get(pk=version.pk).state == "ready"
    # The action plan's history tells who generated the version and who asked to make its PDFs again.
    page.goto(f"{live_server.url}/action-plan/history/")
    history = page.locator("table.history-table").inner_text()
    assert "Liitteen versio 1" in history and "Liitteen PDF-tiedostoja pyydetty tekemään uudelleen" in history
    _at_widths(page, axe, screenshot, "action-plan-history-annex")

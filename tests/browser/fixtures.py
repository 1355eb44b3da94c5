"""Shared Playwright fixtures for browser tests (Debian Chromium, never `playwright install`).
Loaded once for the whole suite by the root conftest (`pytest_plugins`), so one browser per worker.

Use in any app's browser test:

    pytestmark = pytest.mark.browser

    def test_something(page, login, axe, live_server, demo_data):
        login(page, "steering")
        page.goto(f"{live_server.url}/governance/")
        axe(page)

Fixtures: `demo_data` (the agreement and the demo portfolio with the demo users), `browser` (session),
`page` (a fresh context per test, Finnish locale), `login(page, username)`, `axe(page, name=None)`
(WCAG 2.1 A/AA, zero violations), `screenshot(page, name)` (build/screenshots/<name>.png).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be allowed there.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


# The demo as seeded by this worker's first browser test, to restore for the next ones (SQLite): the database
# copied with SQLite's online backup, the media files, and what demo_seed returned. Seeding is most of a
# browser test's set-up; the restored demo is the same rows, ids and files.
_SEEDED: dict[str, Any] = {}


@pytest.fixture
def demo_data(transactional_db: Any, settings: Any) -> dict[str, Any]:
    """The loaded agreement and the demo portfolio (users coordinator/steering/ministry/admin).
    BROWSER_SEED_EVERY_TEST=1 seeds each test anew (as on PostgreSQL, where nothing is copied)."""
    import shutil
    import sqlite3
    import tempfile

    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache
    from django.db import connection

    from portfolio.models import Agreement
    from reporting.demo_seed import demo_seed

    settings.AXES_ENABLED = False  # repeated sign-ins from one address must not lock the demo users
    media = Path(settings.MEDIA_ROOT)

    # Copied and restored only on an empty database: rows of fixtures set up before this one stay theirs.
    empty = not get_user_model().objects.exists() and not Agreement.objects.exists()
    if connection.vendor != "sqlite" or os.environ.get("BROWSER_SEED_EVERY_TEST") or not empty:
        return demo_seed()
    connection.ensure_connection()
    if "database" not in _SEEDED:
        result = demo_seed()
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        files = Path(tempfile.mkdtemp(prefix="seeded-media-")) / "media"
        if media.exists():
            shutil.copytree(media, files)
        _SEEDED.update(database=copy, files=files, result=result)
        return dict(result)
    _SEEDED["database"].backup(connection.connection)
    if _SEEDED["files"].exists():
        shutil.copytree(_SEEDED["files"], media, dirs_exist_ok=True)
    # What the process remembers of the rows of the previous test: content type ids, cached figures.
    ContentType.objects.clear_cache()
    cache.clear()
    return dict(_SEEDED["result"])


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, locale="fi-FI", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture
def login(live_server: Any, settings: Any) -> Callable[..., None]:
    """Sign in through the login form."""

    def _login(page: Any, username: str, password: str | None = None) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(password or settings.DEMO_PASSWORD)
        page.locator("form:has(input[name=password]) [type=submit]").click()
        page.wait_for_load_state("domcontentloaded")
        assert "/accounts/login/" not in page.url, f"sign-in as {username} failed"

    return _login


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    def _shot(page: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{re.sub(r'[^a-zA-Z0-9_.-]+', '-', name)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


def _format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} — {v.get('helpUrl', '')}")
        for node in v.get("nodes", [])[:5]:
            lines.append(f"    {node.get('target')}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


@pytest.fixture
def axe(screenshot: Callable[[Any, str], Path]) -> Callable[..., dict[str, Any]]:
    """Run axe-core (WCAG 2.1 A and AA rules) on the current page and assert zero violations."""
    from axe_playwright_python.sync_playwright import Axe

    runner = Axe()

    def _axe(page: Any, name: str | None = None) -> dict[str, Any]:
        # Only the violations come back: the passes' and the inapplicable rules' node lists were half the time
        # of a run on a large page (the navigation walk runs axe on every visit: 0.59 s -> 0.30 s a page).
        results = runner.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                            "resultTypes": ["violations"]})
        response = results.response
        violations = response.get("violations", [])
        if name:
            screenshot(page, name)
        if violations:
            print(f"axe violations on {page.url}:\n{_format_violations(violations)}")
            print(json.dumps(violations, indent=1)[:4000])
        assert not violations, f"{len(violations)} axe violation(s) on {page.url}:\n{_format_violations(violations)}"
        return response

    return _axe

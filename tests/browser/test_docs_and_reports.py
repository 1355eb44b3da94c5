"""The API docs page leads back to the portal, and the reports page's compile form lays its fields out
without overlap (issue 15, item 7), at 1366 px and 390 px, in Finnish. Screenshots in build/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1366, 390]

# Each visible field of the compile form: its box, its label's and its input's; any two fields' boxes that
# intersect (or a label not above its input) mean an overlapping layout.
FIELDS = """() => {
  const form = document.querySelector("form.compile-form");
  const rect = (el) => { const r = el.getBoundingClientRect(); return {l: r.left, t: r.top, r: r.right, b: r.bottom}; };
  return Array.from(form.querySelectorAll("input:not([type=hidden]), select")).map((input) => {
    const label = form.querySelector(`label[for="${input.id}"]`);
    const box = input.closest("[class*=col-]");
    return {id: input.id, type: input.type, input: rect(input), label: label ? rect(label) : null, box: rect(box)};
  });
}"""


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["l"] < b["r"] - 1 and b["l"] < a["r"] - 1 and a["t"] < b["b"] - 1 and b["t"] < a["b"] - 1


def _context(browser: Any, live_server: Any, width: int) -> Any:
    context = browser.new_context(base_url=live_server.url, locale="fi-FI", viewport={"width": width, "height": 800})
    context.set_default_timeout(15_000)
    return context


@pytest.mark.parametrize("width", WIDTHS)
def test_api_docs_lead_back_to_the_portal(browser, login, demo_data, live_server, axe, screenshot, width):
    context = _context(browser, live_server, width)
    page = context.new_page()
    try:
        login(page, "coordinator")
        page.goto(f"{live_server.url}/api/docs/")
        assert page.locator("html").get_attribute("lang") == "fi"
        assert page.title().startswith("API-dokumentaatio")
        page.locator(".swagger-ui .info").first.wait_for()  # Swagger UI has loaded the schema
        back = page.get_by_role("link", name="← Takaisin portaaliin")
        assert back.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"docs-fi-coordinator-{width}-api-docs")
        # Once Swagger UI has drawn the operations (found by the navigation walk when axe ran after it had):
        # its colours and the operation rows pass axe too.
        page.locator(".swagger-ui .opblock-summary").first.wait_for()
        axe(page)
        back.click()
        page.wait_for_load_state("domcontentloaded")
        assert page.url == f"{live_server.url}/"
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_reports_compile_form_fields_do_not_overlap(browser, login, demo_data, live_server, axe, screenshot, width):
    context = _context(browser, live_server, width)
    page = context.new_page()
    try:
        login(page, "coordinator")
        page.goto(f"{live_server.url}/reports/")
        fields = page.evaluate(FIELDS)
        assert len(fields) >= 4, fields  # audience, agreement, period, language (and the re-run checkbox)
        problems = []
        for i, a in enumerate(fields):
            if a["label"] and a["type"] != "checkbox" and a["label"]["b"] > a["input"]["t"] + 1:
                problems.append(f"{a['id']}: the label is not above its input")
            if a["box"]["r"] > width or a["input"]["r"] > a["box"]["r"] + 1:
                problems.append(f"{a['id']}: the input reaches past its column")
            problems += [f"{a['id']} overlaps {b['id']}" for b in fields[i + 1:] if _overlap(a["box"], b["box"])]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"reports-fi-coordinator-{width}-compile-form")
        axe(page)
        assert not problems, problems
    finally:
        context.close()

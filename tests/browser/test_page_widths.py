"""Every page of the navigation, and the object pages one click from them, fits the window (issue 15).

For each role (coordinator, steering-group member, ministry) and width (a 1366 px laptop, a 390 px phone) the
test visits the navigation's pages and the first object linked from their lists (a project, its financing
plan, a proposal, a meeting, a report, an organisation, ...). A page fails when the document is wider than
the window (sideways page scrolling) or, at 1366 px, when a table is wider than the box that scrolls or clips
it (columns cut off or hidden behind sideways scrolling). At 390 px a table may scroll inside its own
`.table-responsive` box. Every page also runs axe-core (WCAG 2.1 A/AA) and is saved as a screenshot in
build/screenshots/widths-<language>-<role>-<width>-<page>.png.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1366, "phone": 390}
ROLES = ["coordinator", "steering", "ministry", "contact"]

# The navigation's pages (top bar and the decision-making sub-navigation) and the forms linked from them.
NAV_PAGES = ["/", "/projects/", "/projects/organisations/", "/funding/", "/funding/splits/", "/funding/what-if/",
             "/governance/", "/governance/waiting/", "/governance/proposals/", "/governance/meetings/",
             "/governance/ideas/", "/governance/groups/", "/reports/", "/followup/reports/",
             "/projects/new/", "/governance/meetings/new/", "/governance/ideas/new/", "/accounts/tokens/"]
# Object pages, one click away: (the page to click from, the pattern of the link to follow, a name).
# A page found by an earlier rule can be clicked from by a later one (the project, then its plan).
FOLLOW = [
    ("projects", r"^/projects/\d+/$", "project"),
    ("projects-organisations", r"^/projects/organisations/\d+/$", "organisation"),
    ("governance-proposals", r"^/governance/proposals/\d+/$", "proposal"),
    ("governance-meetings", r"^/governance/meetings/\d+/$", "meeting"),
    ("governance-ideas", r"^/governance/ideas/\d+/$", "idea"),
    ("governance-groups", r"^/governance/groups/\d+/$", "group"),
    ("reports", r"^/reports/\d+/$", "report"),
    ("funding", r"^/funding/frames/\d+/$", "frame"),
    ("project", r"^/funding/projects/\d+/plan/$", "project-plan"),
    ("project", r"^/projects/\d+/edit/$", "project-edit"),
    ("project", r"^/projects/\d+/history/$", "project-history"),
    ("project", r"^/governance/proposals/new/\?project=\d+$", "proposal-new"),
    ("proposal", r"^/governance/proposals/\d+/edit/$", "proposal-edit"),
    ("meeting", r"^/governance/meetings/\d+/edit/$", "meeting-edit"),
    ("meeting", r"^/governance/meetings/\d+/proposals/\d+/decide/$", "decision-form"),
    ("home", r"^/governance/meetings/\d+/proposals/\d+/decide/$", "decision-form"),
    ("governance-waiting", r"^/governance/meetings/\d+/proposals/\d+/decide/$", "decision-form"),
    ("meeting", r"^/governance/decisions/\d+/$", "decision"),
    ("followup-reports", r"^/followup/reports/\d+/$", "progress-report"),
    ("project", r"^/followup/projects/\d+/reports/$", "project-reports"),
    ("progress-report", r"^/followup/reports/\d+/edit/$", "progress-report-edit"),
    ("project", r"^/governance/decisions/\d+/$", "decision"),
    ("project", r"^/followup/indicators/$", "indicator-overview"),
    ("projects", r"^/followup/timeline/$", "timeline"),
    ("project", r"^/followup/projects/\d+/values/new/$", "indicator-value-new"),
    ("project", r"^/followup/projects/\d+/enterprises/new/$", "enterprise-new"),
]
MAIN_PAGES = ["/", "/projects/", "/funding/", "/governance/", "/governance/proposals/", "/reports/"]

MEASURE = """() => {
  const width = window.innerWidth;
  const overflow = document.documentElement.scrollWidth - width;
  const cut = [];
  for (const table of document.querySelectorAll("table")) {
    if (!table.offsetParent) continue;  // hidden (e.g. a collapsed section)
    let box = table.parentElement;
    while (box && box !== document.body) {
      const style = getComputedStyle(box);
      if (["auto", "scroll", "hidden", "clip"].includes(style.overflowX)) break;
      box = box.parentElement;
    }
    const tableWidth = Math.ceil(table.getBoundingClientRect().width);
    const boxWidth = box && box !== document.body ? box.clientWidth : width;
    const responsive = box && box.classList && box.classList.contains("table-responsive");
    if (tableWidth > boxWidth + 1) {
      const caption = table.querySelector("caption");
      const name = (caption ? caption.textContent : table.className || table.id || "table").trim().slice(0, 80);
      cut.push({name, tableWidth, boxWidth, responsive: !!responsive});
    }
  }
  // The innermost elements reaching past the window's right edge (outside any scrolling box): the culprits.
  const past = (el) => el.getBoundingClientRect().right > width + 1;
  const scrolled = (el) => el.parentElement && el.parentElement.closest(".table-responsive, [style*=overflow]");
  const culprits = overflow > 0 ? Array.from(document.body.querySelectorAll("*"))
    .filter((el) => past(el) && !scrolled(el) && !Array.from(el.children).some((c) => past(c) && !scrolled(c)))
    .slice(0, 4)
    .map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${el.className || ""}`.slice(0, 80)) : [];
  return {width, scrollWidth: document.documentElement.scrollWidth, overflow, cut, culprits};
}"""


def _first_link(page: Any, pattern: str) -> str | None:
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))")
    regex = re.compile(pattern)
    return next((href for href in (h.split("#")[0] for h in hrefs) if regex.match(href)), None)


def _pages_of(page: Any, live_server: Any) -> list[tuple[str, str]]:
    """(name, path) of every page to check, following the first links as the signed-in user sees them."""
    found = {(path.strip("/").replace("/", "-") or "home"): path for path in NAV_PAGES}
    for source, pattern, name in FOLLOW:
        if name in found or source not in found:
            continue
        page.goto(f"{live_server.url}{found[source]}")
        href = _first_link(page, pattern)
        if href:
            found[name] = href
    return list(found.items())


def _check(page: Any, live_server: Any, pages: list[tuple[str, str]], *, width: int, label: str,
           axe: Any, screenshot: Any) -> list[str]:
    failures = []
    for name, path in pages:
        response = page.goto(f"{live_server.url}{path}")
        status = response.status if response else 0
        if status in (403, 404):  # not this role's page (e.g. a form only coordinators may open)
            continue
        if status != 200:
            failures.append(f"{path}: HTTP {status}")
            continue
        result = page.evaluate(MEASURE)
        screenshot(page, f"widths-{label}-{name}")
        if result["overflow"] > 0:
            failures.append(f"{path}: the page is {result['scrollWidth']} px wide in a {width} px window "
                            f"(reaching past its edge: {', '.join(result['culprits'])})")
        for table in result["cut"]:
            if width >= 1366 or not table["responsive"]:
                failures.append(f"{path}: table '{table['name']}' is {table['tableWidth']} px in a "
                                f"{table['boxWidth']} px box")
        try:
            axe(page)
        except AssertionError as exc:
            failures.append(f"{path}: {exc}")
    return failures


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_the_window(browser, login, demo_data, live_server, axe, screenshot, role, width):
    context = browser.new_context(base_url=live_server.url, locale="fi-FI",
                                  viewport={"width": WIDTHS[width], "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        login(page, role)
        pages = _pages_of(page, live_server)
        assert len(pages) >= len(NAV_PAGES) + 4, pages  # the object pages were found
        failures = _check(page, live_server, pages, width=WIDTHS[width], label=f"fi-{role}-{WIDTHS[width]}",
                          axe=axe, screenshot=screenshot)
    finally:
        context.close()
    assert not failures, f"{len(failures)} problem(s) for {role} at {WIDTHS[width]} px:\n" + "\n".join(failures)


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("language", ["sv", "en"])
def test_main_pages_fit_in_swedish_and_english(browser, login, demo_data, live_server, axe, screenshot,
                                                language, width):
    context = browser.new_context(base_url=live_server.url, locale="fi-FI",
                                  viewport={"width": WIDTHS[width], "height": 800})
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    try:
        login(page, "coordinator")
        page.goto(f"{live_server.url}/")
        assert page.locator("html").get_attribute("lang") == language
        pages = [(path.strip("/").replace("/", "-") or "home", path) for path in MAIN_PAGES]
        page.goto(f"{live_server.url}/projects/")
        project = _first_link(page, r"^/projects/\d+/$")
        pages += [("project", project), ("project-plan", f"/funding{project}plan/")]
        label = f"{language}-coordinator-{WIDTHS[width]}"
        failures = _check(page, live_server, pages, width=WIDTHS[width], label=label,
                          axe=axe, screenshot=screenshot)
    finally:
        context.close()
    assert not failures, f"{len(failures)} problem(s) in {language} at {WIDTHS[width]} px:\n" + "\n".join(failures)

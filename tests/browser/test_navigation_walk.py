"""The navigation walk (issue 15): every page reachable from the navigation, as each role, in fi/sv/en,
at 1366 px (a laptop) and 390 px (a phone).

For each role (coordinator, steering-group chair, steering-group member, ministry, project contact and a
signed-in user with no role) and language the test signs in once (one browser context), reads the links of
the navigation as rendered for that user (the top bar with its user menu, then the secondary navigation of
each of those pages: the decision-making tabs, the funding page's links, ...) and one object page of each
kind linked from the pages found (a project, a proposal, a meeting, a progress report, a summary, ...), and
the forms and sub-pages linked from the object pages (the financing plan, the edit forms, the decision
form, ...). Every page is then visited at both widths (the viewport changes, the context stays). A page
fails when

- it answers anything but 200 (a link the navigation offers must open for the user it is offered to);
- the document is wider than the window (sideways page scrolling);
- at 1366 px, a table is wider than the box that scrolls or clips it (columns cut off or hidden behind
  sideways scrolling); at 390 px a table may scroll inside its own `.table-responsive` box;
- axe-core (WCAG 2.1 A/AA) finds a violation (every page, every language, both widths).

One test per role (the demo is seeded for each, so that pytest-xdist spreads the roles over its workers).
Each failure names the role, language, width and URL. Screenshots go to build/screenshots/ (CI counts them
in .ci/run): walk-<language>-<role>-<width>-<page>.png, Finnish at both widths, Swedish and English at
1366 px.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1366, 390]
LANGUAGES = ["fi", "sv", "en"]
# The walk's roles: the demo's users, and two made here (a steering-group member without the chair's seat and
# a user who has signed in but holds no role).
ROLES = ["coordinator", "chair", "member", "ministry", "contact", "norole"]
DEMO_USERNAME = {"chair": "steering"}

# Problems found and not yet fixed, each printed on every run (issue 15 stays open while any is listed), as
# prefixes of the failure, e.g. "ministry/fi/1366 px /projects/: table ". Empty: every problem fails the walk.
KNOWN_PROBLEMS: tuple[str, ...] = ()
# The top bar at the laptop width: one row (56 px; a wrapped link or a count under the bell made it 68-80 px).
TOP_BAR_MAX = 60
# Links that are not pages of the portal to check: downloads, the admin (a superuser's tool), sign-out.
SKIP = re.compile(r"^/(admin/|static/|media/|i18n/|accounts/logout/)|\.(csv|xlsx|pdf|json|ics|zip)(\?|$)|/export")
# One object page of each kind, found among the links of the navigation's pages (first match wins).
OBJECTS = [
    (r"^/projects/\d+/$", "project"),
    (r"^/projects/organisations/\d+/$", "organisation"),
    (r"^/governance/proposals/\d+/$", "proposal"),
    (r"^/governance/meetings/\d+/$", "meeting"),
    (r"^/governance/decisions/\d+/$", "decision"),  # linked from the proposal list (a decided proposal's row)
    (r"^/governance/ideas/\d+/$", "idea"),
    (r"^/governance/groups/\d+/$", "group"),
    (r"^/followup/reports/\d+/$", "progress-report"),
    (r"^/reports/\d+/$", "summary"),
    (r"^/funding/frames/\d+/$", "frame"),
    (r"^/action-plan/$", "action-plan"),
    (r"^/national/\d+/$", "national-agreement"),
    (r"^/followup/timeline/$", "timeline"),
]
# The forms and sub-pages one click from the object pages (the pattern, a name).
DEEPER = [
    (r"^/funding/projects/\d+/plan/$", "project-plan"),
    (r"^/projects/\d+/edit/$", "project-edit"),
    (r"^/projects/\d+/history/$", "project-history"),
    (r"^/governance/proposals/new/\?project=\d+$", "proposal-new"),
    (r"^/governance/proposals/\d+/edit/$", "proposal-edit"),
    (r"^/governance/meetings/\d+/edit/$", "meeting-edit"),
    (r"^/governance/meetings/\d+/proposals/\d+/decide/$", "decision-form"),
    (r"^/followup/projects/\d+/reports/$", "project-reports"),
    (r"^/followup/reports/\d+/edit/$", "progress-report-edit"),
    (r"^/followup/indicators/$", "indicator-overview"),
    (r"^/followup/projects/\d+/values/new/$", "indicator-value-new"),
    (r"^/followup/projects/\d+/enterprises/new/$", "enterprise-new"),
    (r"^/action-plan/annex/$", "action-plan-annex"),
    (r"^/action-plan/edit/$", "action-plan-edit"),
    (r"^/action-plan/history/$", "action-plan-history"),
    (r"^/action-plan/themes/new/$", "action-plan-theme-new"),
]
# The secondary navigation: every <nav> inside the page except breadcrumbs and pagination.
SECONDARY = "main nav:not(:has(.breadcrumb)):not(:has(.pagination)) a[href]"

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
  const bar = document.querySelector("header .navbar");
  const bell = document.querySelector("header .notifications-link");
  const topBar = {height: bar ? Math.round(bar.getBoundingClientRect().height) : 0,
                  bell: bell ? Math.round(bell.getBoundingClientRect().height) : 0,
                  bellText: bell ? bell.textContent.trim() : ""};
  return {width, scrollWidth: document.documentElement.scrollWidth, overflow, cut, culprits, topBar};
}"""


def _links(page: Any, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "links => links.filter(a => !a.hasAttribute('download'))"
                                                ".map(a => a.getAttribute('href'))")
    return [h.split("#")[0] for h in hrefs if h and h.startswith("/") and not SKIP.search(h.split("#")[0])]


def _name(path: str) -> str:
    return urlsplit(path).path.strip("/").replace("/", "-") or "home"


class Walk:
    """The pages found so far, in the order found: the navigation's first, each path once (a link that
    differs only by its query string, e.g. a filter tab, is the same page)."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}  # name -> path
        self.paths: set[str] = set()

    def add(self, name: str, path: str) -> None:
        bare = urlsplit(path).path
        if name not in self.pages and bare not in self.paths:
            self.pages[name] = path
            self.paths.add(bare)

    def follow(self, hrefs: list[str], rules: list[tuple[str, str]]) -> None:
        for pattern, name in rules:
            if name not in self.pages:
                href = next((h for h in hrefs if re.match(pattern, h)), None)
                if href:
                    self.add(name, href)


def _problems(page: Any, width: int, axe: Any | None) -> list[str]:
    result = page.evaluate(MEASURE)
    problems = []
    if result["overflow"] > 0:
        problems.append(f"the page is {result['scrollWidth']} px wide in a {width} px window "
                        f"(reaching past its edge: {', '.join(result['culprits'])})")
    bar = result["topBar"]
    if width >= 1366 and bar["height"] > TOP_BAR_MAX:
        problems.append(f"the top bar is {bar['height']} px tall, more than one row ({TOP_BAR_MAX} px; the bell "
                        f"'{bar['bellText']}' is {bar['bell']} px)")
    for table in result["cut"]:
        if width >= 1366 or not table["responsive"]:
            problems.append(f"table '{table['name']}' is {table['tableWidth']} px in a {table['boxWidth']} px box")
    try:
        if axe is not None:
            axe(page)
    except AssertionError as exc:
        problems.append(str(exc))
    return problems


@pytest.fixture
def walk_users(demo_data: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the demo lacks: a steering-group member (not the chair), a user with no role, and a compiled
    summary (the reports page's object; its PDF is a stand-in: WeasyPrint is not what is walked here)."""
    import hashlib
    import json

    from portfolio.models import Agreement
    from reporting import rendering
    from reporting.services import summary_compile, summary_get_or_create

    monkeypatch.setitem(rendering.RENDERERS, "pdf", lambda snapshot, language: (
        f"%PDF-1.7\n% {hashlib.sha256(json.dumps(snapshot).encode()).hexdigest()}\n%%EOF\n".encode()))
    report, _ = summary_get_or_create(audience="steering", period="2026-Q3",
                                      agreement=Agreement.objects.order_by("pk").first(), user=None, rerun=True)
    summary_compile(report_id=report.pk)

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from governance.choices import GroupKind, MemberRole
    from governance.models import Membership, SteeringGroup
    from portfolio.roles import Role

    User = get_user_model()
    member = User.objects.create_user("member", password=settings.DEMO_PASSWORD, first_name="Maija",
                                      last_name="Jäsen")
    member.groups.add(Group.objects.get(name=Role.STEERING))
    group = SteeringGroup.objects.get(kind=GroupKind.REGIONAL, agreement__code="helsinki-espoo-vantaa-2021-2027")
    Membership.objects.create(group=group, user=member, role=MemberRole.MEMBER, term_start=dt.date(2021, 6, 1))
    User.objects.create_user("norole", password=settings.DEMO_PASSWORD, first_name="Niko", last_name="Roolitta")

    # A two-digit unread count beside every user's bell: the top bar's widest case (the count wrapped under it).
    from portfolio.notifications import notify

    for user in User.objects.filter(username__in=[DEMO_USERNAME.get(role, role) for role in ROLES]):
        for number in range(12):
            notify(users=[user], kind="agenda_published", params={"meeting": f"Johtoryhmä {number + 1}/2027"},
                   url="/governance/")


def _walk(page: Any, base: str, *, role: str, language: str, axe: Any, screenshot: Any) -> tuple[Walk, list[str]]:
    """Visit the role's pages in one language at every width; the problems found, each naming where."""
    failures: list[str] = []
    walk = Walk()

    def check(name: str, path: str, width: int) -> None:
        where = f"{role}/{language}/{width} px {path}"
        response = page.goto(f"{base}{path}")
        status = response.status if response else 0
        # A signed-in user without a role is told so on the home page (403); every other link must open.
        expected = 403 if role == "norole" and path == "/" else 200
        if status != expected:
            failures.append(f"{where}: HTTP {status} (a link offered to this user)")
            return
        if page.locator("#swagger-ui").count():  # the API docs: drawn by script after the page has loaded
            page.locator(".swagger-ui .opblock-summary").first.wait_for()
        if language == "fi" or width == WIDTHS[0]:
            screenshot(page, f"walk-{language}-{role}-{width}-{name}")
        failures.extend(f"{where}: {problem}" for problem in _problems(page, width, axe))

    page.set_viewport_size({"width": WIDTHS[0], "height": 800})
    page.goto(f"{base}/")
    assert page.locator("html").get_attribute("lang") == language
    for href in _links(page, "header a[href]"):
        walk.add(_name(href), href)
    # At the first width the walk finds its pages as it goes: the top bar's links, then each navigation
    # page's secondary navigation and object links, then each object page's sub-pages.
    navigation = set(walk.pages)
    objects = {name for _, name in OBJECTS}
    index = 0
    while index < len(walk.pages):
        name, path = list(walk.pages.items())[index]
        index += 1
        check(name, path, WIDTHS[0])
        if name in navigation:
            before = set(walk.pages)
            for href in _links(page, SECONDARY):
                walk.add(_name(href), href)
            navigation |= set(walk.pages) - before
            walk.follow(_links(page, "main a[href]"), OBJECTS)
        elif name in objects:
            walk.follow(_links(page, "main a[href]"), DEEPER)
    for width in WIDTHS[1:]:
        page.set_viewport_size({"width": width, "height": 800})
        for name, path in walk.pages.items():
            check(name, path, width)
    return walk, failures


@pytest.mark.parametrize("role", ROLES)
def test_navigation_walk(role, browser, login, walk_users, live_server, axe, screenshot):
    """One role in every language (one browser context per language): every problem names its role,
    language, width and page; the same pages are found in every language."""
    failures: list[str] = []
    found_pages: dict[str, set[str]] = {}
    for language in LANGUAGES:
        context = browser.new_context(base_url=live_server.url, locale="fi-FI",
                                      viewport={"width": WIDTHS[0], "height": 800})
        context.set_default_timeout(15_000)
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        try:
            login(page, DEMO_USERNAME.get(role, role))
            walk, found = _walk(page, live_server.url, role=role, language=language, axe=axe,
                                screenshot=screenshot)
        finally:
            context.close()
        print(f"navigation walk {role}/{language}: {len(walk.pages)} pages × {len(WIDTHS)} widths: "
              f"{' '.join(walk.pages)}")
        found_pages[language] = set(walk.pages)
        if len(walk.pages) < 3:
            found.append(f"{role}/{language}: only {len(walk.pages)} pages found from the top bar")
        for problem in found:
            if any(problem.startswith(prefix) for prefix in KNOWN_PROBLEMS):
                print(f"navigation walk, known problem (issue 15, open): {problem}")
            else:
                failures.append(problem)
    for language in LANGUAGES[1:]:
        if found_pages[language] != found_pages[LANGUAGES[0]]:
            failures.append(f"{role}/{language}: other pages than in {LANGUAGES[0]}: "
                            f"{sorted(found_pages[language] ^ found_pages[LANGUAGES[0]])}")
    assert not failures, f"{len(failures)} problem(s):\n" + "\n".join(failures)

"""The project list fits a 1366 px laptop (issue 15): the ministry's ten columns (with the city region) were
1408 px in the 1342 px `.table-responsive` box in Finnish, because the rules that let the title and region
wrap sat, with the rest of the stylesheet's end, inside a phone-only block left open (tests/test_stylesheets.py).
Faster than the navigation walk, which checks the same for every page."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIT = """() => {
  const table = document.querySelector("table.project-table");
  const box = table.closest(".table-responsive");
  const title = getComputedStyle(table.querySelector("td.project-title"));
  return {table: Math.ceil(table.getBoundingClientRect().width), box: box.clientWidth,
          scroll: box.scrollWidth, titleWrap: title.overflowWrap, region: !!table.querySelector("td.project-region")};
}"""


@pytest.mark.parametrize("username", ["ministry", "coordinator"])
def test_project_list_fits_a_laptop_in_every_language(page, login, demo_data, live_server, screenshot, username):
    login(page, username)
    for language in ("fi", "sv", "en"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page.goto(f"{live_server.url}/projects/")
        assert page.locator("html").get_attribute("lang") == language
        result = page.evaluate(FIT)
        # The stylesheet's late rules apply at this width (they did on a phone only).
        assert result["titleWrap"] == "anywhere", result
        assert result["region"] == (username == "ministry"), result
        assert result["table"] <= result["box"] + 1 and result["scroll"] <= result["box"] + 1, (language, result)
        if language == "fi":
            screenshot(page, f"project-list-fi-{username}-1366")

"""The financing-plan grid in a real browser: bad amounts get their message next to the cell (issue 15)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bad_amounts_in_the_plan_grid_show_next_to_their_cell(page, login, demo_data, live_server, screenshot):
    from funding.models import FundingLine
    from portfolio.models import Project

    project = Project.objects.filter(agreement__code="helsinki-espoo-vantaa-2021-2027", funding_lines__isnull=False,
                                     status="running").distinct().order_by("code").first()
    line = FundingLine.objects.filter(project=project, kind="line").select_related("instrument").order_by(
        "year", "instrument__sort_order").first()
    name = f"{line.instrument.code}-{line.year}-planned"
    before = line.planned_amount
    login(page, "coordinator")
    for bad in ("abc", "1e9", "-5"):
        page.goto(f"{live_server.url}/funding/projects/{project.pk}/plan/?years=all")
        cell = page.locator(f"#id_{name}")
        assert "," in cell.input_value() or "." in cell.input_value()  # shown whole, with its decimals
        cell.fill(bad)
        page.click("button[name=action][value=save]")
        page.wait_for_selector(f"#err_{name}")
        assert page.locator(f"#err_{name}").is_visible()
        assert page.locator("#plan-errors[role=alert]").is_visible()
        assert page.locator(f"#id_{name}").get_attribute("aria-invalid") == "true"
    screenshot(page, "plan-grid-errors")
    line.refresh_from_db()
    assert line.planned_amount == before


def _plan_project():
    from portfolio.models import Project

    return Project.objects.filter(agreement__code="helsinki-espoo-vantaa-2021-2027", funding_lines__isnull=False,
                                  status="running").distinct().order_by("code").first()


def _focused(page):
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_arrow_keys_and_enter_move_between_the_cells(page, login, demo_data, live_server):
    project = _plan_project()
    login(page, "coordinator")
    page.goto(f"{live_server.url}/funding/projects/{project.pk}/plan/?years=all")
    inputs = page.locator("input.plan-amount")
    cells = inputs.evaluate_all("els => els.map(e => [e.id, +e.dataset.row, +e.dataset.col, e.value])")
    position = {(row, col): name for name, row, col, _ in cells}
    # a cell with an amount, a neighbour to the right and one below
    name, row, col, _ = next(c for c in cells if c[3] and (c[1], c[2] + 1) in position and (c[1] + 1, c[2]) in position)
    cell = page.locator(f"#{name}")
    cell.click()
    page.keyboard.press("End")
    page.keyboard.press("ArrowRight")  # caret at the end: to the next year
    assert _focused(page) == position[(row, col + 1)]
    page.keyboard.press("Home")
    page.keyboard.press("ArrowLeft")  # caret at the start: back
    assert _focused(page) == name
    page.keyboard.press("ArrowDown")
    assert _focused(page) == position[(row + 1, col)]
    page.keyboard.press("ArrowUp")
    assert _focused(page) == name
    page.keyboard.press("Enter")  # down, not a submit
    assert _focused(page) == position[(row + 1, col)]
    assert "/plan/" in page.url
    # Inside an amount the left and right arrows move the caret, not the focus.
    cell.click()
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert _focused(page) == name
    page.keyboard.press("ArrowRight")
    assert _focused(page) == name


def test_the_plan_grid_stacks_on_a_phone(browser, login, demo_data, live_server, screenshot):
    project = _plan_project()
    context = browser.new_context(base_url=live_server.url, locale="fi-FI", viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        login(page, "coordinator")
        page.goto(f"{live_server.url}/funding/projects/{project.pk}/plan/?years=all")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # one card per instrument: a row box as wide as the table, its year cells one under the other
        first_row = page.locator(".plan-grid tbody tr").first
        cells = first_row.locator("td.plan-cell")
        boxes = [cells.nth(i).bounding_box() for i in range(min(3, cells.count()))]
        assert len({round(b["x"]) for b in boxes}) == 1 and boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
        label = cells.first.evaluate("td => getComputedStyle(td, '::before').content")
        assert label.strip('"').isdigit()  # the year labels the row
        screenshot(page, "plan-grid-phone")
        # still one form with the same cell names: a saved plan is unchanged by saving it as shown
        from funding.models import FundingLine

        before = sorted(FundingLine.objects.filter(project=project, kind="line").values_list(
            "instrument__code", "year", "planned_amount"))
        page.click("button[name=action][value=save]")
        page.wait_for_url(f"**/projects/{project.pk}/")
        after = sorted(FundingLine.objects.filter(project=project, kind="line").values_list(
            "instrument__code", "year", "planned_amount"))
        assert after == before
    finally:
        context.close()

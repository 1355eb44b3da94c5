"""Money in proposals and decisions is typed into an instrument × year grid (issue 15, item 3), in a real
browser: the totals and the 40/60 split follow the typing before anything is saved, and a bad amount gets
its message next to the cell, live and after saving. Screenshots at 1366 and 390 px in Finnish; axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _draft(demo_data):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    from governance.tests import factories as f
    from portfolio.models import Agreement

    coordinator = get_user_model().objects.get(username="coordinator")
    return f.draft(coordinator, Agreement.objects.order_by("pk").first(), title="Ruudukkoesitys")


def _fits(page, width: int) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_proposal_grid_live_totals_split_and_errors(page, login, demo_data, live_server, screenshot, axe):
    from decimal import Decimal

    proposal = _draft(demo_data)
    login(page, "coordinator")
    page.goto(f"{live_server.url}/governance/proposals/{proposal.pk}/edit/")
    assert page.locator("#id_request-ERDF-2026").input_value() == "120\u00a0000,00"  # Finnish format, whole
    assert page.locator("#request-total").inner_text().replace("\u00a0", " ").replace("\u202f", " ") \
        == "200 000,00 €"
    split_before = page.locator("#request-preview").inner_text()

    # Typing: the totals and the split follow, before saving.
    page.locator("#id_request-ERDF-2026").fill("60 000")
    expect(page.locator("#request-total")).to_contain_text("140")
    expect(page.locator("#request-preview")).not_to_have_text(split_before)
    assert "%" in page.locator("#request-preview").inner_text()

    # A bad amount: the message appears next to the cell as it is typed...
    page.locator("#id_request-CITY-2026").fill("abc")
    expect(page.locator("#err_request-CITY-2026")).to_contain_text("abc")
    _fits(page, 1366)
    screenshot(page, "proposal-grid-live-1366-fi")

    # ...and after saving, with nothing saved.
    page.locator("form button[type=submit].btn-primary").click()
    page.wait_for_selector("#error-summary")
    assert page.locator("#err_request-CITY-2026").is_visible()
    assert page.locator("#id_request-CITY-2026").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_request-CITY-2026").input_value() == "abc"
    proposal.refresh_from_db()
    assert proposal.funding_lines.get(instrument__code="ERDF", year=2026).amount == Decimal("120000.00")
    axe(page, "proposal-grid-errors-1366-fi")
    _fits(page, 1366)

    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/governance/proposals/{proposal.pk}/edit/")
    _fits(page, 390)
    axe(page, "proposal-grid-390-fi")


def test_decision_grid_refusal_next_to_the_cell(page, login, demo_data, live_server, screenshot, axe):
    from django.contrib.auth import get_user_model

    from governance.models import Decision
    from governance.tests import factories as f
    from portfolio.models import Agreement

    users = get_user_model().objects
    agreement = Agreement.objects.order_by("pk").first()
    meeting, (proposal,) = f.deciding_meeting(users.get(username="coordinator"), agreement,
                                              users.get(username="steering"))
    login(page, "steering")
    page.goto(f"{live_server.url}/governance/meetings/{meeting.pk}/proposals/{proposal.pk}/decide/")
    assert page.locator("#id_grant-ERDF-2026").input_value() == "120\u00a0000,00"  # prefilled with the request
    assert page.locator("#ref_grant-ERDF-2026").is_visible()  # the request shown under the cell
    page.locator("input[name=outcome][value=approved]").check()
    page.locator("#id_rationale").fill("Hyvä esitys.")
    page.locator("#id_grant-ERDF-2026").fill("130000")
    expect(page.locator("#grant-total")).to_contain_text("210")
    page.locator("#decision-form button[type=submit].btn-primary").click()
    page.wait_for_selector("#error-summary")
    message = page.locator("#err_grant-ERDF-2026").inner_text()
    assert "130" in message and "120" in message  # more than requested, said next to the cell
    assert not Decision.objects.filter(proposal=proposal).exists()
    _fits(page, 1366)
    axe(page, "decision-grid-errors-1366-fi")
    page.set_viewport_size({"width": 390, "height": 800})
    _fits(page, 390)
    screenshot(page, "decision-grid-errors-390-fi")

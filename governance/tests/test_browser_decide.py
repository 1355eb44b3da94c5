"""A steering-group chair decides a proposal in a real browser: from "waiting for my decision" through
attendance to the decision form, with axe checks on the pages on the way."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def at_the_meeting():  # type: ignore[no-untyped-def]
    """The demo's meeting 4/2026 is in session (decisions are recorded once a meeting has started)."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    with time_machine.travel(dt.datetime(2026, 12, 10, 14, 0, tzinfo=timezone.get_default_timezone()), tick=True):
        yield


def test_steering_chair_decides_a_proposal(at_the_meeting, page, login, demo_data, live_server, axe):  # noqa: F811
    from governance.models import Decision, Proposal

    proposal = Proposal.objects.get(project__code="HEV-007", status="on_agenda")
    login(page, "steering")

    page.goto(f"{live_server.url}/governance/waiting/")
    axe(page, "governance-waiting")
    page.locator(f"[data-proposal='{proposal.pk}']").wait_for()
    page.get_by_role("link", name="Johtoryhmän kokous 4/2026").first.click()
    page.wait_for_url(re.compile(r"/governance/meetings/\d+/$"))
    axe(page, "governance-meeting")

    # The quorum needs the members present: the chair records the attendance first.
    for box in page.locator("input[name=attendees]").all():
        box.check()
    page.get_by_role("button", name=re.compile("Save attendance|Tallenna läsnäolo", re.I)).click()
    page.wait_for_load_state("domcontentloaded")

    page.locator(f"a[href$='/proposals/{proposal.pk}/decide/']").first.click()
    page.wait_for_url(re.compile(r"/decide/$"))
    axe(page, "governance-decide")
    page.locator("input[name=outcome][value=conditional]").check()
    page.locator("input[name=method][value=consensus]").check()
    page.locator("#id_conditions").fill("Kansainvälistymissuunnitelma tarkennetaan.")
    page.locator("#id_rationale").fill("Esitys täyttää hakukriteerit.")
    page.locator("#decision-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/governance/meetings/\d+/$"))

    decision = Decision.objects.get(proposal=proposal)
    assert decision.outcome == "conditional" and decision.recorded_by.username == "steering"
    assert decision.funding_lines.exists()
    proposal.project.refresh_from_db()
    assert proposal.project.status == "approved"
    assert page.locator(f"#proposal-{proposal.pk}").get_by_text(re.compile("Decision|Päätös")).count() >= 1
    assert not [e for e in page.console_errors if "favicon" not in e and "404" not in e]


def test_governance_pages_pass_axe_for_the_coordinator(page, login, demo_data, live_server, axe):  # noqa: F811
    from governance.models import Meeting, Proposal, SteeringGroup

    login(page, "coordinator")
    proposal = Proposal.objects.get(project__code="HEV-027")  # the demo's draft
    confirmed = Meeting.objects.get(status="confirmed", group__agreement__code="helsinki-espoo-vantaa-2021-2027")
    group = SteeringGroup.objects.get(kind="regional", agreement__code="helsinki-espoo-vantaa-2021-2027")
    for path in ("/governance/", "/governance/proposals/", f"/governance/proposals/{proposal.pk}/",
                 f"/governance/proposals/{proposal.pk}/edit/", "/governance/meetings/",
                 f"/governance/meetings/{confirmed.pk}/", "/governance/meetings/new/", "/governance/ideas/",
                 "/governance/ideas/new/", f"/governance/groups/{group.pk}/"):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").count() == 1, path
        axe(page)

"""The counting rules in one place (docs/counting-rules.md; issue 12, points 2, 4, 7)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from funding import selectors
from funding.models import FundingLine
from funding.selectors import countable_lines, frame_lines, funding_summary, split_of, split_within_tolerance
from funding.tests.conftest import add_line, make_project

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def portfolio(clean_agreement):  # type: ignore[no-untyped-def]
    running = make_project(clean_agreement, priority=1, status="running")
    add_line(running, "ERDF", 2025, planned="600", granted="600", spent="100")
    add_line(running, "CITY", 2025, planned="400", granted="400", spent="50")
    add_line(running, "RRF", 2025, planned="5000", granted="5000")
    proposal = make_project(clean_agreement, priority=2, status="proposal")
    add_line(proposal, "ERDF", 2026, planned="300")
    idea = make_project(clean_agreement, priority=4, status="idea")
    add_line(idea, "ERDF", 2025, planned="9000", granted="9000")
    for status in ("rejected", "withdrawn"):
        dropped = make_project(clean_agreement, priority=3, status=status)
        add_line(dropped, "CITY", 2025, planned="255000", granted="0")
    return {"running": running, "proposal": proposal, "idea": idea}


def test_granted_money_on_an_idea_counts_nowhere(portfolio, clean_agreement):
    summary = funding_summary(agreement_id=clean_agreement.pk, basis="granted")
    assert summary["total"] == D("1000.00")
    assert {row["code"]: row["total"] for row in summary["by_priority"]}[4] == D("0.00")
    assert summary["priority4_rule_ok"] is True


def test_rrf_is_shown_apart_outside_the_split(portfolio, clean_agreement):
    summary = funding_summary(agreement_id=clean_agreement.pk, basis="granted")
    assert summary["separate"] == D("5000.00")
    assert summary["local_percent"] == D("40.00") and summary["split_ok"] is True
    assert not countable_lines(agreement_id=clean_agreement.pk).filter(instrument__code="RRF").exists()


def test_frames_are_compared_with_eu_and_state_money_only(portfolio, clean_agreement):
    codes = set(frame_lines(countable_lines(agreement_id=clean_agreement.pk)).values_list("instrument__code",
                                                                                           flat=True))
    assert codes == {"ERDF"}


@pytest.mark.parametrize("basis", ["planned", "granted", "spent"])
def test_counted_lines_add_up_to_the_funding_summary(portfolio, clean_agreement, ministry_user, basis):
    client = APIClient()
    client.force_authenticate(ministry_user)
    lines = client.get("/api/v1/funding-lines/", {"agreement": clean_agreement.pk, "counted": "true",
                                                 "page_size": 500}).json()["results"]
    summary = client.get(f"/api/v1/agreements/{clean_agreement.pk}/funding-summary/", {"basis": basis}).json()
    assert sum((D(line[f"{basis}_amount"]) for line in lines), D("0.00")) == D(summary["total"])
    assert all(line["counted"] for line in lines)
    every = client.get("/api/v1/funding-lines/", {"agreement": clean_agreement.pk, "page_size": 500}).json()
    flags = {(line["project"], line["instrument"]): line["counted"] for line in every["results"]}
    assert flags[(portfolio["idea"].pk, "ERDF")] is False and flags[(portfolio["running"].pk, "RRF")] is False
    assert flags[(portfolio["running"].pk, "ERDF")] is True and flags[(portfolio["proposal"].pk, "ERDF")] is True


@pytest.mark.parametrize(("local", "ok"), [("38.00", True), ("42.00", True), ("37.99", False), ("42.01", False),
                                           ("40.00", True)])
def test_the_one_split_check_at_its_boundaries(local, ok):
    local_percent = D(local)
    assert split_within_tolerance(local_percent=local_percent, eu_state_percent=D(100) - local_percent) is ok


@pytest.mark.parametrize(("local", "ok"), [("3800", True), ("4200", True), ("3799", False), ("4201", False)])
def test_split_of_a_plan_at_the_boundaries(clean_agreement, local, ok):
    project = make_project(clean_agreement)
    add_line(project, "CITY", 2025, granted=local)
    add_line(project, "ERDF", 2025, granted=str(10000 - int(local)))
    assert split_of(FundingLine.objects.filter(project=project))["split_ok"] is ok


def test_split_boundaries_follow_the_settings(clean_agreement, settings):
    settings.FUNDING_SPLIT_TOLERANCE = D("0.5")
    assert split_within_tolerance(local_percent=D("39.50"), eu_state_percent=D("60.50")) is True
    assert split_within_tolerance(local_percent=D("39.49"), eu_state_percent=D("60.51")) is False
    assert split_within_tolerance(local_percent=None, eu_state_percent=None) is None


def test_every_split_uses_the_one_check(portfolio, clean_agreement, monkeypatch):
    calls = []

    def spy(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs)
        return "spied"

    # The one definition (funding.selectors.counting); the other splits call it through that module.
    monkeypatch.setattr(selectors.counting, "split_within_tolerance", spy)
    lines = countable_lines(agreement_id=clean_agreement.pk)
    assert selectors.split_of(lines)["split_ok"] == "spied"
    assert {row["split_ok"] for row in selectors.split_by(lines, group_field="project__priority__code")} == {
        "spied"}
    effect = selectors.what_if_effect(agreement=clean_agreement, lines=[
        {"instrument": "ERDF", "year": 2025, "amount": D("1"), "priority": 1}])
    assert effect["split_after"]["split_ok"] == "spied"


def test_rrf_in_a_scenario_stays_out_of_the_split(portfolio, clean_agreement):
    effect = selectors.what_if_effect(agreement=clean_agreement, lines=[
        {"instrument": "RRF", "year": 2025, "amount": D("100000"), "priority": 1}])
    assert effect["split_after"]["total"] == effect["split_before"]["total"]


def test_a_project_in_two_method_categories_counts_once_in_the_total(clean_agreement):
    from portfolio.models import MethodCategory

    project = make_project(clean_agreement)
    project.methods.set(MethodCategory.objects.filter(code__in=[1, 2]))
    add_line(project, "ERDF", 2025, granted="600")
    add_line(project, "CITY", 2025, granted="400")
    result = selectors.method_category_totals(lines=countable_lines(agreement_id=clean_agreement.pk))
    assert [(row["code"], row["total"]) for row in result["rows"]] == [(1, D("1000.00")), (2, D("1000.00"))]
    assert result["total"] == D("1000.00") and result["projects"] == 1 and result["listed_in_several"] is True


def test_the_ministry_side_by_side_table_agrees_with_the_funding_summary(portfolio, clean_agreement, ministry_user):
    from funding.selectors import agreements_comparison
    from portfolio.models import Project

    row = next(r for r in agreements_comparison(user=ministry_user) if r["agreement"].pk == clean_agreement.pk)
    visible = Project.objects.visible_to(ministry_user)
    for basis in ("planned", "granted"):
        assert row[basis] == funding_summary(agreement_id=clean_agreement.pk, projects=visible, basis=basis)["total"]

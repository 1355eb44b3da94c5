"""The funding rules: the 40/60 split, the priority-4 rule, AKKE, the coordination project, frame use.

Expected figures are hand sums or plain aggregate queries, never taken from the code under test."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from funding.models import FundingLine
from funding.selectors import (
    akke_lines,
    coordination_line_conflicts,
    countable_lines,
    frame_use,
    funding_summary,
    percentages,
    project_financing_plan,
    split_of,
    split_report,
)
from funding.tests.conftest import add_frame, add_line, make_project

pytestmark = pytest.mark.django_db
D = Decimal


def test_summary_exactly_40_percent_is_within_the_split(clean_agreement):
    p = make_project(clean_agreement)
    add_line(p, "ERDF", 2025, granted="600000.00")
    add_line(p, "CITY", 2025, granted="400000.00")
    s = funding_summary(agreement_id=clean_agreement.pk)
    assert s["total"] == D("1000000.00")
    assert s["local"] == D("400000.00") and s["eu_state"] == D("600000.00") and s["private"] == D("0.00")
    assert s["local_percent"] == D("40.00") and s["eu_state_percent"] == D("60.00")
    assert s["split_ok"] is True


def test_summary_outside_tolerance_is_flagged(clean_agreement, settings):
    settings.FUNDING_SPLIT_TOLERANCE = D("2.0")
    p = make_project(clean_agreement)
    add_line(p, "ERDF", 2025, granted="625.00")
    add_line(p, "CITY", 2025, granted="375.00")  # 37.5 % local: 2.5 points off
    assert funding_summary(agreement_id=clean_agreement.pk)["split_ok"] is False
    settings.FUNDING_SPLIT_TOLERANCE = D("3.0")
    assert funding_summary(agreement_id=clean_agreement.pk)["split_ok"] is True


def test_summary_of_zero_total_has_no_percentages(clean_agreement):
    p = make_project(clean_agreement)
    add_line(p, "ERDF", 2025, planned="100.00")  # nothing granted
    s = funding_summary(agreement_id=clean_agreement.pk, basis="granted")
    assert s["total"] == D("0.00")
    assert s["local_percent"] is None and s["eu_state_percent"] is None
    assert s["split_ok"] is None
    assert s["priority4_rule_ok"] is True
    assert [row["code"] for row in s["by_priority"]] == [1, 2, 3, 4]


def test_summary_with_a_single_instrument(clean_agreement):
    p = make_project(clean_agreement)
    add_line(p, "ERDF", 2025, granted="123.45")
    s = funding_summary(agreement_id=clean_agreement.pk)
    assert s["eu_state_percent"] == D("100.00") and s["local_percent"] == D("0.00")
    assert s["by_instrument"] == [{"code": "ERDF", "total": D("123.45")}]
    assert s["by_year"] == [{"year": 2025, "total": D("123.45")}]


def test_summary_rounds_percentages_to_cents_and_they_add_up(clean_agreement):
    p = make_project(clean_agreement)
    add_line(p, "ERDF", 2025, granted="2.00")
    add_line(p, "CITY", 2025, granted="1.00")
    s = funding_summary(agreement_id=clean_agreement.pk)
    assert s["local_percent"] == D("33.33")  # 33.333…
    assert s["eu_state_percent"] == D("66.67")  # 66.666…
    assert s["local_percent"] + s["eu_state_percent"] == D("100.00")


def test_percentages_largest_remainder_for_three_equal_parts():
    result = percentages({"a": D("1"), "b": D("1"), "c": D("1")}, D("3"))
    assert sum(result.values()) == D("100.00")
    assert sorted(result.values()) == [D("33.33"), D("33.33"), D("33.34")]


def test_summary_basis_chooses_the_amount(clean_agreement):
    p = make_project(clean_agreement)
    add_line(p, "ERDF", 2025, planned="300.00", granted="200.00", spent="100.00")
    totals = {basis: funding_summary(agreement_id=clean_agreement.pk, basis=basis)["total"]
              for basis in ("planned", "granted", "spent")}
    assert totals == {"planned": D("300.00"), "granted": D("200.00"), "spent": D("100.00")}


def test_summary_rejects_an_unknown_basis(clean_agreement):
    with pytest.raises(ValueError):
        funding_summary(agreement_id=clean_agreement.pk, basis="approved")


def test_summary_leaves_out_rejected_and_withdrawn_projects(clean_agreement):
    add_line(make_project(clean_agreement), "ERDF", 2025, planned="100.00")
    add_line(make_project(clean_agreement, status="rejected"), "ERDF", 2025, planned="900.00")
    add_line(make_project(clean_agreement, status="withdrawn"), "ERDF", 2025, planned="900.00")
    assert funding_summary(agreement_id=clean_agreement.pk, basis="planned")["total"] == D("100.00")


def test_summary_of_chosen_projects_only(clean_agreement, other_agreement):
    from portfolio.models import Project

    a = make_project(clean_agreement)
    b = make_project(clean_agreement)
    add_line(a, "ERDF", 2025, granted="10.00")
    add_line(b, "ERDF", 2025, granted="20.00")
    s = funding_summary(projects=Project.objects.filter(pk=b.pk))
    assert s["total"] == D("20.00")


def test_summary_by_priority_instrument_year_match_aggregate_queries(clean_agreement):
    for prio, code, year, amount in ((1, "ERDF", 2024, "10.10"), (2, "ESF", 2025, "20.20"), (2, "CITY", 2025, "5.05"),
                                     (3, "PUBLIC", 2026, "1.01"), (4, "PRIVATE", 2026, "0.99")):
        add_line(make_project(clean_agreement, priority=prio), code, year, granted=amount)
    s = funding_summary(agreement_id=clean_agreement.pk)
    lines = FundingLine.objects.filter(project__agreement=clean_agreement)
    for row in s["by_priority"]:
        expected = lines.filter(project__priority__code=row["code"]).aggregate(t=Sum("granted_amount"))["t"] or 0
        assert row["total"] == D(expected).quantize(D("0.01"))
    assert {r["code"]: r["total"] for r in s["by_instrument"]} == {
        "ERDF": D("10.10"), "ESF": D("20.20"), "CITY": D("5.05"), "PUBLIC": D("1.01"), "PRIVATE": D("0.99")}
    assert {r["year"]: r["total"] for r in s["by_year"]} == {2024: D("10.10"), 2025: D("25.25"), 2026: D("2.00")}
    assert s["private"] == D("0.99") and s["local"] == D("6.06") and s["eu_state"] == D("30.30")
    assert s["local_percent"] + s["eu_state_percent"] + s["private_percent"] == D("100.00")


# --- the priority-4 rule ---------------------------------------------------------------------------------

def _priorities(agreement, amounts: dict[int, str]) -> None:  # type: ignore[no-untyped-def]
    for code, amount in amounts.items():
        add_line(make_project(agreement, priority=code), "ERDF", 2025, granted=amount)


def test_priority4_below_each_of_the_others_holds(clean_agreement):
    _priorities(clean_agreement, {1: "100.00", 2: "100.00", 3: "100.00", 4: "99.99"})
    assert funding_summary(agreement_id=clean_agreement.pk)["priority4_rule_ok"] is True


def test_priority4_equal_to_one_other_breaks_the_rule(clean_agreement):
    _priorities(clean_agreement, {1: "500.00", 2: "100.00", 3: "300.00", 4: "100.00"})
    assert funding_summary(agreement_id=clean_agreement.pk)["priority4_rule_ok"] is False


def test_priority4_with_an_unfunded_other_priority_breaks_the_rule(clean_agreement):
    _priorities(clean_agreement, {1: "500.00", 2: "500.00", 4: "0.01"})
    assert funding_summary(agreement_id=clean_agreement.pk)["priority4_rule_ok"] is False


def test_priority4_without_funding_never_breaks_the_rule(clean_agreement):
    _priorities(clean_agreement, {1: "500.00"})
    assert funding_summary(agreement_id=clean_agreement.pk)["priority4_rule_ok"] is True


def test_priority4_rule_is_checked_per_agreement_for_the_country(clean_agreement, other_agreement):
    _priorities(clean_agreement, {1: "100.00", 2: "100.00", 3: "100.00", 4: "50.00"})
    # The other agreement breaks it, although the country's sums by priority code would hide that.
    _priorities(other_agreement, {1: "10.00", 2: "10.00", 3: "10.00", 4: "20.00"})
    assert funding_summary(agreement_id=clean_agreement.pk)["priority4_rule_ok"] is True
    assert funding_summary(agreement_id=other_agreement.pk)["priority4_rule_ok"] is False
    assert funding_summary()["priority4_rule_ok"] is False


# --- split levels, supra-regional, AKKE, coordination ----------------------------------------------------

def test_supra_regional_projects_are_reported_separately(clean_agreement):
    regular = make_project(clean_agreement)
    supra = make_project(clean_agreement, is_supra_regional=True)
    add_line(regular, "ERDF", 2025, granted="60.00")
    add_line(regular, "CITY", 2025, granted="40.00")
    add_line(supra, "ERDF", 2025, granted="80.00")
    add_line(supra, "CITY", 2025, granted="20.00")
    report = split_report(lines=countable_lines(agreement_id=clean_agreement.pk))
    assert report["regular"]["local_percent"] == D("40.00") and report["regular"]["split_ok"] is True
    assert report["supra_regional"]["local_percent"] == D("20.00")
    assert report["supra_regional"]["total"] == D("100.00")
    assert report["all"]["total"] == report["regular"]["total"] + report["supra_regional"]["total"]
    assert [row["key"] for row in report["supra_regional_projects"]] == [supra.code]


def test_split_by_city_of_the_lead_organisation(clean_agreement, helsinki, espoo):
    add_line(make_project(clean_agreement, lead_organisation=helsinki), "CITY", 2025, granted="40.00")
    add_line(make_project(clean_agreement, lead_organisation=helsinki), "ERDF", 2025, granted="60.00")
    add_line(make_project(clean_agreement, lead_organisation=espoo), "ERDF", 2025, granted="10.00")
    report = split_report(lines=countable_lines(agreement_id=clean_agreement.pk))
    by_city = {row["key"]: row for row in report["by_city"]}
    assert by_city["Helsinki"]["total"] == D("100.00") and by_city["Helsinki"]["local_percent"] == D("40.00")
    assert by_city["Espoo"]["eu_state_percent"] == D("100.00")


def test_akke_split_uses_akke_and_the_own_share_of_the_same_years(clean_agreement):
    p = make_project(clean_agreement)
    add_line(p, "AKKE", 2023, granted="60.00")
    add_line(p, "CITY", 2023, granted="40.00")
    add_line(p, "ERDF", 2023, granted="999.00")  # another EU instrument: not AKKE money
    add_line(p, "CITY", 2024, granted="777.00")  # no AKKE that year
    akke = split_of(akke_lines(countable_lines(agreement_id=clean_agreement.pk)))
    assert akke["total"] == D("100.00") and akke["local_percent"] == D("40.00") and akke["split_ok"] is True


def test_coordination_project_lines_contradicting_akke_then_erdf_are_flagged(agreement):
    from portfolio.models import Project

    coordination = Project.objects.get(agreement=agreement, is_coordination_project=True)
    assert not coordination_line_conflicts(agreement_id=agreement.pk).exists()  # as loaded
    wrong_erdf = add_line(coordination, "ERDF", 2023, planned="1.00")
    wrong_akke = add_line(coordination, "AKKE", 2024, planned="1.00")
    add_line(coordination, "PUBLIC", 2023, planned="1.00")  # local money is not part of the rule
    assert set(coordination_line_conflicts(agreement_id=agreement.pk)) == {wrong_erdf, wrong_akke}


def test_ordinary_projects_may_mix_akke_and_erdf(clean_agreement):
    p = make_project(clean_agreement)
    add_line(p, "ERDF", 2022, planned="1.00")
    assert not coordination_line_conflicts(agreement_id=clean_agreement.pk).exists()


# --- frame use -------------------------------------------------------------------------------------------

def _governance(agreement, project, status: str, code: str, year: int, amount: str, outcome: str | None = None):  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    from funding.models import FundingInstrument
    from governance.models import Decision, DecisionFundingLine, Meeting, Proposal, ProposalFundingLine, SteeringGroup

    instrument = FundingInstrument.objects.get(code=code)
    meeting = None
    if status in ("on_agenda", "decided"):
        group = SteeringGroup.objects.get(agreement=agreement)
        meeting = Meeting.objects.create(group=group, title="M", starts_at=timezone.now() - dt.timedelta(days=1))
    proposal = Proposal.objects.create(project=project, title="P", status=status, meeting=meeting)
    ProposalFundingLine.objects.create(proposal=proposal, instrument=instrument, year=year, amount=D(amount))
    if outcome:
        decision = Decision.objects.create(proposal=proposal, meeting=meeting, outcome=outcome,
                                           decided_at=timezone.now())
        DecisionFundingLine.objects.create(decision=decision, instrument=instrument, year=year, amount=D(amount))
    return proposal


def _use(agreement, code: str, year: int) -> dict:  # type: ignore[no-untyped-def]
    return next(u for u in frame_use(agreement=agreement) if u["code"] == code and u["year"] == year)


def test_frame_use_committed_and_pending(clean_agreement):
    add_frame(clean_agreement, "ERDF", 2026, "1000.00")
    running = make_project(clean_agreement, status="running")
    add_line(running, "ERDF", 2026, planned="500.00", granted="400.00")
    idea = make_project(clean_agreement, status="idea")
    add_line(idea, "ERDF", 2026, planned="900.00", granted="0")  # plans of ideas use no frame
    approved_not_started = make_project(clean_agreement, status="proposal")
    _governance(clean_agreement, approved_not_started, "decided", "ERDF", 2026, "250.00", outcome="approved")
    rejected = make_project(clean_agreement, status="proposal")
    _governance(clean_agreement, rejected, "decided", "ERDF", 2026, "999.00", outcome="rejected")
    pending = make_project(clean_agreement, status="proposal")
    _governance(clean_agreement, pending, "submitted", "ERDF", 2026, "300.00")
    draft = make_project(clean_agreement, status="proposal")
    _governance(clean_agreement, draft, "draft", "ERDF", 2026, "5000.00")
    use = _use(clean_agreement, "ERDF", 2026)
    assert use["frame"] == D("1000.00")
    assert use["committed"] == D("650.00")  # 400 granted + 250 approved
    assert use["pending"] == D("300.00")
    assert use["projected"] == D("950.00") and use["remaining"] == D("50.00")
    assert use["committed_overrun"] is False and use["projected_overrun"] is False


def test_frame_use_counts_an_approved_decision_once_when_the_project_is_running(clean_agreement):
    add_frame(clean_agreement, "ERDF", 2026, "1000.00")
    project = make_project(clean_agreement, status="running")
    add_line(project, "ERDF", 2026, planned="250.00", granted="250.00")
    _governance(clean_agreement, project, "decided", "ERDF", 2026, "250.00", outcome="approved")
    assert _use(clean_agreement, "ERDF", 2026)["committed"] == D("250.00")


def test_frame_overrun_flags(clean_agreement):
    add_frame(clean_agreement, "ERDF", 2026, "100.00")
    add_line(make_project(clean_agreement), "ERDF", 2026, granted="90.00")
    _governance(clean_agreement, make_project(clean_agreement, status="proposal"), "on_agenda", "ERDF", 2026, "20.00")
    use = _use(clean_agreement, "ERDF", 2026)
    assert use["committed_overrun"] is False and use["projected_overrun"] is True and use["over"] == D("10.00")


def test_project_financing_plan_totals(clean_agreement):
    p = make_project(clean_agreement)
    add_line(p, "ERDF", 2025, planned="60.00", granted="60.00", spent="10.00")
    add_line(p, "ERDF", 2026, planned="60.00", granted="0", spent="0")
    add_line(p, "CITY", 2025, planned="40.00", granted="40.00", spent="5.55")
    plan = project_financing_plan(project=p)
    assert plan["total"] == {"planned": D("160.00"), "granted": D("100.00"), "spent": D("15.55")}
    rows = {row["code"]: row for row in plan["rows"]}
    assert rows["ERDF"]["total"]["planned"] == D("120.00")
    year_totals = dict(zip(plan["years"], plan["year_totals"], strict=True))
    assert year_totals[2025]["planned"] == D("100.00") and year_totals[2026]["planned"] == D("60.00")
    assert plan["split_granted"]["local_percent"] == D("40.00")
    assert plan["can_edit"] is False  # no user given


def test_proposal_funding_effect_before_and_after(clean_agreement):
    from funding.selectors import proposal_funding_effect

    add_frame(clean_agreement, "ERDF", 2026, "1000.00")
    for code in (1, 2, 3):
        add_line(make_project(clean_agreement, priority=code), "ERDF", 2026, granted="300.00")
    proposal = _governance(clean_agreement, make_project(clean_agreement, priority=4, status="proposal"),
                           "submitted", "ERDF", 2026, "300.00")
    effect = proposal_funding_effect(proposal=proposal)
    assert effect["priority4_before"] is True and effect["priority4_after"] is False  # 300 is not below 300
    erdf = next(u for u in effect["frames"] if (u["code"], u["year"]) == ("ERDF", 2026))
    assert (erdf["committed"], erdf["pending"], erdf["projected"]) == (D("900.00"), D("300.00"), D("1200.00"))
    assert erdf["projected_overrun"] is True
    assert effect["split_after"]["eu_state"] == D("1200.00")


def test_what_if_effect_accepts_minimal_lines(clean_agreement):
    from funding.models import FundingInstrument
    from funding.selectors import what_if_effect

    add_frame(clean_agreement, "ERDF", 2026, "100.00")
    effect = what_if_effect(agreement=clean_agreement, lines=[
        {"instrument": FundingInstrument.objects.get(code="ERDF"), "year": 2026, "amount": "60"},
        {"instrument": "city", "year": 2026, "amount": D("40"), "priority": 2}])
    assert effect["split_after"]["local_percent"] == D("40.00")
    assert {p["code"]: p["delta"] for p in effect["priorities"]}[2] == D("40.00")
    erdf = next(u for u in effect["frames"] if u["code"] == "ERDF")
    assert erdf["pending"] == D("60.00") and erdf["projected_overrun"] is False

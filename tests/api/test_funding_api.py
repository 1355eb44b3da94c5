"""Funding lines, frames and the funding summary over the API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from funding.models import FundingFrame, FundingLine
from portfolio.models import Project

pytestmark = pytest.mark.django_db


def _ids(response) -> set[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_funding_lines_carry_the_three_amounts(api, portfolio):
    line = portfolio["lines"][0]
    body = api.get(f"/api/v1/funding-lines/{line.pk}/").json()
    assert body == {"id": line.pk, "project": line.project_id, "agreement": line.project.agreement_id,
                    "instrument": "ERDF", "share_group": "eu_state", "year": 2025, "kind": "line", "note": "",
                    "planned_amount": "60000.00", "granted_amount": "60000.00", "spent_amount": "0.00",
                    "counted": True, "granted_source": "", "spent_source": "", "granted_decision": None}


def test_funding_line_filters(api, portfolio, agreement):
    p = portfolio
    running_lines = {line.pk for line in p["lines"][:2]}
    assert _ids(api.get("/api/v1/funding-lines/", {"project": p["running"].pk})) == running_lines
    expected = set(FundingLine.objects.filter(project__agreement=agreement, instrument__code="ERDF", year=2026)
                   .values_list("pk", flat=True))
    assert p["lines"][2].pk in expected
    assert _ids(api.get("/api/v1/funding-lines/", {"agreement": agreement.pk, "instrument": "ERDF",
                                                   "year": 2026})) == expected
    expected = set(FundingLine.objects.filter(project__agreement=agreement, project__priority__code=2)
                   .values_list("pk", flat=True))
    assert _ids(api.get("/api/v1/funding-lines/", {"priority": 2, "agreement": agreement.pk})) == expected
    assert api.get("/api/v1/funding-lines/", {"year": 1500}).status_code == 400


def test_funding_lines_follow_project_visibility(clients, portfolio):
    hidden = portfolio["lines"][4].pk  # the other agreement's draft
    assert hidden not in _ids(clients["coordinator"].get("/api/v1/funding-lines/", {"page_size": 500}))
    assert hidden in _ids(clients["ministry"].get("/api/v1/funding-lines/", {"page_size": 500}))
    assert clients["coordinator"].get(f"/api/v1/funding-lines/{hidden}/").status_code == 404
    # Naming an invisible project in the filter is a bad choice, not a leak.
    response = clients["coordinator"].get("/api/v1/funding-lines/", {"project": portfolio["other_idea"].pk})
    assert response.status_code == 400


def test_funding_lines_collection_is_read_only(api, portfolio):
    line = portfolio["lines"][0]
    assert api.post("/api/v1/funding-lines/", {}, format="json").status_code == 403
    assert api.patch(f"/api/v1/funding-lines/{line.pk}/", {"granted_amount": "1.00"},
                     format="json").status_code == 403


def test_frames_list_and_filter(api, portfolio, agreement):
    frame = portfolio["frames"][0]
    assert _ids(api.get("/api/v1/funding-frames/", {"agreement": agreement.pk})) == {frame.pk}
    assert _ids(api.get("/api/v1/funding-frames/", {"instrument": "ESF"})) == {portfolio["frames"][1].pk}
    assert _ids(api.get("/api/v1/funding-frames/", {"year": 2024})) == set()


def test_coordinator_sets_and_corrects_a_frame(api, portfolio, agreement):
    response = api.post("/api/v1/funding-frames/", {"agreement": agreement.pk, "instrument": "ESF", "year": 2026,
                                                    "amount": "250000.00", "decision_reference": "VN/1/2026"},
                        format="json")
    assert response.status_code == 201, response.content
    frame_id = response.json()["id"]
    response = api.patch(f"/api/v1/funding-frames/{frame_id}/", {"amount": "300000.00", "reason": "Lisäjako"},
                         format="json", HTTP_IF_MATCH=response["ETag"])
    assert response.status_code == 200
    frame = FundingFrame.objects.get(pk=frame_id)
    assert frame.amount == Decimal("300000.00")
    assert frame.history.count() == 2


def test_frame_validation(api, agreement):
    response = api.post("/api/v1/funding-frames/", {"agreement": agreement.pk, "instrument": "ERDF",
                                                    "year": 2035, "amount": "-1"}, format="json")
    assert response.status_code == 400
    assert "amount" in response.json()["errors"]
    response = api.post("/api/v1/funding-frames/", {"agreement": agreement.pk, "instrument": "ERDF",
                                                    "year": 2035, "amount": "1.00"}, format="json")
    assert response.status_code == 400
    assert "year" in response.json()["errors"]


def test_frames_of_another_agreement_cannot_be_written(clients, portfolio, other_agreement):
    api = clients["coordinator"]
    response = api.post("/api/v1/funding-frames/", {"agreement": other_agreement.pk, "instrument": "ESF",
                                                    "year": 2026, "amount": "1.00"}, format="json")
    assert response.status_code == 400
    other_frame = portfolio["frames"][1]
    assert api.patch(f"/api/v1/funding-frames/{other_frame.pk}/", {"amount": "1.00"},
                     format="json").status_code == 404


@pytest.mark.parametrize("role", ["steering", "ministry"])
def test_read_only_roles_cannot_write_frames(clients, portfolio, agreement, role):
    response = clients[role].post("/api/v1/funding-frames/", {"agreement": agreement.pk, "instrument": "ESF",
                                                              "year": 2026, "amount": "1.00"}, format="json")
    assert response.status_code == 403


def _expected_summary(agreement_id: int, basis: str, projects) -> dict:  # type: ignore[no-untyped-def]
    """Computed independently: plain aggregates over the lines that count."""
    field = f"{basis}_amount"
    lines = FundingLine.objects.filter(project__agreement_id=agreement_id, project__in=projects).exclude(
        project__status__in=["idea", "rejected", "withdrawn"]).exclude(instrument__code="RRF")  # counting rules
    total = lines.aggregate(s=Sum(field))["s"] or Decimal("0")
    local = lines.filter(instrument__code__in=["CITY", "PUBLIC"]).aggregate(s=Sum(field))["s"] or Decimal("0")
    by_priority = {code: lines.filter(project__priority__code=code).aggregate(s=Sum(field))["s"] or Decimal("0")
                   for code in (1, 2, 3, 4)}
    return {"total": total, "local": local, "by_priority": by_priority}


@pytest.mark.parametrize("basis", ["planned", "granted", "spent"])
def test_funding_summary_figures(clients, portfolio, agreement, basis):
    api = clients["coordinator"]
    response = api.get(f"/api/v1/agreements/{agreement.pk}/funding-summary/", {"basis": basis})
    assert response.status_code == 200
    body = response.json()
    expected = _expected_summary(agreement.pk, basis, Project.objects.all())
    assert Decimal(body["total"]) == expected["total"]
    assert Decimal(body["local"]) == expected["local"]
    assert Decimal(body["local"]) + Decimal(body["eu_state"]) + Decimal(body["private"]) == expected["total"]
    assert {row["code"]: Decimal(row["total"]) for row in body["by_priority"]} == expected["by_priority"]
    assert sum(Decimal(row["total"]) for row in body["by_year"]) == expected["total"]
    assert sum(Decimal(row["total"]) for row in body["by_instrument"]) == expected["total"]
    p4 = expected["by_priority"][4]
    assert body["priority4_rule_ok"] is (not p4 or all(p4 < expected["by_priority"][c] for c in (1, 2, 3)))
    for key in ("total", "local", "eu_state", "private"):
        assert isinstance(body[key], str) and "." in body[key]


def test_funding_summary_defaults_to_granted(api, portfolio, agreement):
    default = api.get(f"/api/v1/agreements/{agreement.pk}/funding-summary/").json()
    granted = api.get(f"/api/v1/agreements/{agreement.pk}/funding-summary/", {"basis": "granted"}).json()
    assert default == granted and default["basis"] == "granted"


def test_funding_summary_bad_basis_is_400(api, agreement):
    response = api.get(f"/api/v1/agreements/{agreement.pk}/funding-summary/", {"basis": "wished"})
    assert response.status_code == 400
    assert "basis" in response.json()["errors"]


def test_funding_summary_counts_only_visible_projects(clients, portfolio, other_agreement):
    # The other agreement's proposal (planned 500.00) is hidden from this agreement's coordinator.
    portfolio["other_idea"].__class__.objects.filter(pk=portfolio["other_idea"].pk).update(status="proposal")
    mine = clients["coordinator"].get(f"/api/v1/agreements/{other_agreement.pk}/funding-summary/",
                                      {"basis": "planned"}).json()
    all_ = clients["ministry"].get(f"/api/v1/agreements/{other_agreement.pk}/funding-summary/",
                                   {"basis": "planned"}).json()
    assert Decimal(all_["total"]) - Decimal(mine["total"]) == Decimal("500.00")


def test_funding_summary_needs_a_portal_role(clients, agreement):
    assert clients["plain"].get(f"/api/v1/agreements/{agreement.pk}/funding-summary/").status_code == 403
    assert clients["anonymous"].get(f"/api/v1/agreements/{agreement.pk}/funding-summary/").status_code == 401
    assert clients["ministry"].get("/api/v1/agreements/999999/funding-summary/").status_code == 404

"""Granted and spent money have sources: the plan never changes them; decisions and spending entries do,
and each change points to its source (issue 12, point 1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from funding.models import FundingLine
from funding.selectors import lines_fingerprint
from funding.services import funding_lines_replace
from funding.tests.conftest import add_line, make_project

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def decided(clean_agreement):  # type: ignore[no-untyped-def]
    project = make_project(clean_agreement, status="approved")
    add_line(project, "ERDF", 2025, planned="416981.00", granted="416981.00")
    add_line(project, "CITY", 2025, planned="278034.00", granted="278034.00")
    return project


@pytest.fixture
def recorder(agreement):  # type: ignore[no-untyped-def]
    from conftest import _role_user

    user = _role_user("coordinator", agreement, username="talous")
    user.user_permissions.add(Permission.objects.get(codename="record_funding_decision"))
    return user


def test_the_plan_refuses_to_raise_granted(decided, coordinator):
    with pytest.raises(ValidationError) as exc:
        funding_lines_replace(project=decided, user=coordinator, lines=[
            {"instrument": "ERDF", "year": 2025, "planned_amount": "416981", "granted_amount": "2000000"},
            {"instrument": "CITY", "year": 2025, "planned_amount": "278034"}])
    (error,) = exc.value.error_list
    assert error.params["field"] == "granted_amount" and error.params["index"] == 0
    assert FundingLine.objects.get(project=decided, instrument__code="ERDF").granted_amount == D("416981.00")


def test_the_plan_api_answers_400_next_to_the_granted_field(decided, coordinator):
    client = APIClient()
    client.force_authenticate(coordinator)
    url = f"/api/v1/projects/{decided.pk}/funding-lines/"
    response = client.put(url, {"lines": [
        {"instrument": "ERDF", "year": 2025, "planned_amount": "416981.00", "granted_amount": "2000000.00"},
        {"instrument": "CITY", "year": 2025, "planned_amount": "278034.00", "granted_amount": "278034.00"}]},
        format="json")
    assert response.status_code == 400, response.content
    assert "lines.0.granted_amount" in str(response.json())
    assert FundingLine.objects.get(project=decided, instrument__code="ERDF").granted_amount == D("416981.00")


def test_the_plan_grid_refuses_a_granted_cell(decided, coordinator_client):
    url = reverse("funding:project-plan", args=[decided.pk])
    response = coordinator_client.post(url, {
        "fingerprint": lines_fingerprint(project=decided), "action": "save",
        "ERDF-2025-planned": "416981", "ERDF-2025-granted": "2000000", "CITY-2025-planned": "278034"})
    assert response.status_code == 400
    assert FundingLine.objects.get(project=decided, instrument__code="ERDF").granted_amount == D("416981.00")


def test_the_plan_changes_planned_and_keeps_recorded_money(decided, coordinator):
    funding_lines_replace(project=decided, user=coordinator, lines=[
        {"instrument": "ERDF", "year": 2025, "planned_amount": "420000"}])  # CITY left out, granted kept
    lines = {line.instrument.code: line for line in FundingLine.objects.filter(project=decided)
             .select_related("instrument")}
    assert lines["ERDF"].planned_amount == D("420000.00") and lines["ERDF"].granted_amount == D("416981.00")
    assert lines["CITY"].planned_amount == D("0.00") and lines["CITY"].granted_amount == D("278034.00")


def test_admin_shows_granted_and_spent_read_only(decided, admin_client_logged):
    line = FundingLine.objects.get(project=decided, instrument__code="ERDF")
    html = admin_client_logged.get(reverse("admin:funding_fundingline_change", args=[line.pk])).content.decode()
    assert 'name="planned_amount"' in html and 'name="granted_amount"' not in html
    assert 'name="spent_amount"' not in html


def test_authority_decision_sets_granted_with_its_source(decided, recorder):
    from funding.services import funding_decision_record

    decision = funding_decision_record(
        project=decided, decided_on=dt.date(2025, 3, 4), reference="UUDELY/123/2025", eura_code="A80123",
        authority="Uudenmaan liitto", lines=[{"instrument": "ERDF", "year": 2025, "amount": "400 000,00"}],
        user=recorder)
    line = FundingLine.objects.get(project=decided, instrument__code="ERDF")
    assert line.granted_amount == D("400000.00") and line.granted_decision == decision
    assert "UUDELY/123/2025" in line.granted_source
    latest = line.history.order_by("-history_date").first()
    assert "UUDELY/123/2025" in latest.history_change_reason and latest.history_user == recorder
    assert FundingLine.objects.get(project=decided, instrument__code="CITY").granted_amount == D("278034.00")


def test_a_coordinator_never_grants(decided, coordinator):
    from funding.services import funding_decision_record

    with pytest.raises(PermissionDenied):
        funding_decision_record(project=decided, decided_on=dt.date(2025, 3, 4), reference="X/1",
                                lines=[{"instrument": "ERDF", "year": 2025, "amount": "1"}], user=coordinator)


def test_authority_decision_input_is_checked(decided, clean_agreement, recorder):
    from funding.services import funding_decision_record

    idea = make_project(clean_agreement, status="idea")
    cases = [
        ({"project": idea}, "project"),
        ({"reference": " "}, "reference"),
        ({"decided_on": dt.date.today() + dt.timedelta(days=2)}, "decided_on"),
        ({"lines": [{"instrument": "ERDF", "year": 2025, "amount": "1e9"}]}, "lines"),
        ({"lines": []}, "lines"),
    ]
    for change, field in cases:
        kwargs = {"project": decided, "decided_on": dt.date(2025, 3, 4), "reference": "R/1", "user": recorder,
                  "lines": [{"instrument": "ERDF", "year": 2025, "amount": "1"}], **change}
        with pytest.raises(ValidationError) as exc:
            funding_decision_record(**kwargs)
        assert field in exc.value.message_dict, (change, exc.value)


def test_funding_decisions_api(decided, recorder, coordinator, ministry_user):
    client = APIClient()
    body = {"project": decided.pk, "decided_on": "2025-03-04", "reference": "UUDELY/9/2025", "eura_code": "A81",
            "lines": [{"instrument": "ERDF", "year": 2025, "amount": "416981.00"}]}
    client.force_authenticate(coordinator)
    assert client.post("/api/v1/funding-decisions/", body, format="json").status_code == 403
    client.force_authenticate(recorder)
    response = client.post("/api/v1/funding-decisions/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["lines"] == [{"instrument": "ERDF", "year": 2025, "amount": "416981.00"}]
    bad = client.post("/api/v1/funding-decisions/", {**body, "reference": "R2",
                                                     "lines": [{"instrument": "ERDF", "year": 2025,
                                                                "amount": "1e9"}]}, format="json")
    assert bad.status_code == 400
    client.force_authenticate(ministry_user)
    listed = client.get("/api/v1/funding-decisions/", {"project": decided.pk}).json()
    assert [d["reference"] for d in listed["results"]] == ["UUDELY/9/2025"]


def test_spending_entries_make_the_spent_amount(decided, coordinator):
    from funding.services import spending_entry_record

    for reference, amount, source in (("MH-1", "100 000", "claim"), ("MH-2", "50000,50", "claim"),
                                      ("MH-2 korjaus", "-0,50", "correction")):
        spending_entry_record(project=decided, instrument_code="ERDF", year=2025, entry_date=dt.date(2025, 9, 1),
                              source=source, reference=reference, amount=amount, user=coordinator)
    line = FundingLine.objects.get(project=decided, instrument__code="ERDF")
    assert line.spent_amount == D("150000.00") and "MH-2 korjaus" in line.spent_source
    assert [h.spent_amount for h in line.history.order_by("history_date")][-3:] == [
        D("100000.00"), D("150000.50"), D("150000.00")]
    with pytest.raises(ValidationError) as exc:
        spending_entry_record(project=decided, instrument_code="ERDF", year=2025, entry_date=dt.date(2025, 9, 1),
                              source="claim", reference="MH-3", amount="-5", user=coordinator)
    assert "amount" in exc.value.message_dict


def test_steering_decision_grants_through_the_ledger(coordinator, steering_member, agreement):
    from governance.tests import factories as f

    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    decision = f.approve(meeting, proposal, steering_member)
    lines = FundingLine.objects.filter(project=proposal.project).exclude(granted_amount=0)
    assert lines and all(str(decision.pk) in line.granted_source for line in lines)
    assert all(str(decision.pk) in line.history.first().history_change_reason for line in lines)


def test_migration_gives_every_granted_amount_a_source_without_changing_figures(decided):
    from importlib import import_module

    from django.apps import apps

    add_line(decided, "ERDF", 2026, planned="10", granted="10", spent="5")
    FundingLine.objects.update(granted_decision=None, granted_source="", spent_source="")
    before = sorted(FundingLine.objects.values_list("pk", "planned_amount", "granted_amount", "spent_amount"))
    migration = import_module("funding.migrations.0004_give_granted_and_spent_a_source")
    migration.forwards(apps, None)
    after = sorted(FundingLine.objects.values_list("pk", "planned_amount", "granted_amount", "spent_amount"))
    assert after == before
    assert not FundingLine.objects.exclude(granted_amount=0).filter(granted_decision=None).exists()
    decision = FundingLine.objects.get(project=decided, year=2026).granted_decision
    assert decision.kind == "migrated"
    assert sorted(decision.lines.values_list("instrument__code", "year", "amount")) == [
        ("CITY", 2025, D("278034.00")), ("ERDF", 2025, D("416981.00")), ("ERDF", 2026, D("10.00"))]
    assert decided.spending_entries.get().amount == D("5.00")
    migration.backwards(apps, None)
    assert not decided.funding_decisions.exists() and not decided.spending_entries.exists()


def test_authority_decision_raising_granted_is_checked_against_the_frame(decided, clean_agreement, recorder):
    """Defect (issue 12): the funding authority's decision could take committed money over the frame."""
    from funding.services import funding_decision_record
    from funding.tests.conftest import add_frame

    def record(amount: str, reference: str, year: int = 2025):  # type: ignore[no-untyped-def]
        return funding_decision_record(project=decided, decided_on=dt.date(2025, 3, 4), reference=reference,
                                       lines=[{"instrument": "ERDF", "year": year, "amount": amount}], user=recorder)

    with pytest.raises(ValidationError) as exc:  # no frame for ERDF 2025 yet
        record("500000", "R/1")
    assert exc.value.message_dict["lines"] == ["ERDF 2025 has no funding frame yet (no regional allocation "
                                               "decision): the funding can be granted once the frame for that "
                                               "year is recorded."]
    add_frame(clean_agreement, "ERDF", 2025, "450000.00")
    other = make_project(clean_agreement, status="running")
    add_line(other, "ERDF", 2025, planned="40000.00", granted="40000.00")
    with pytest.raises(ValidationError) as exc:  # 40 000 + 450 000 > 450 000
        record("450000", "R/2")
    assert "would exceed the frame" in str(exc.value.message_dict["lines"])
    assert FundingLine.objects.get(project=decided, instrument__code="ERDF").granted_amount == D("416981.00")
    assert not decided.funding_decisions.exists()

    record("410000", "R/3")  # 40 000 + 410 000 = 450 000: exactly the frame
    assert FundingLine.objects.get(project=decided, instrument__code="ERDF").granted_amount == D("410000.00")
    FundingLine.objects.filter(project=other).update(granted_amount=D("100000.00"))  # the frame is over now
    record("300000", "R/4")  # lowering is always allowed
    assert FundingLine.objects.get(project=decided, instrument__code="ERDF").granted_amount == D("300000.00")


def test_authority_decision_for_a_year_without_frame_says_so_in_the_api(decided, recorder):
    client = APIClient()
    client.force_authenticate(recorder)
    response = client.post("/api/v1/funding-decisions/", {
        "project": decided.pk, "decided_on": "2025-03-04", "reference": "R/9", "kind": "decision",
        "lines": [{"instrument": "ERDF", "year": 2026, "amount": "1000.00"}]}, format="json")
    assert response.status_code == 400, response.content
    assert "no funding frame yet" in str(response.json())

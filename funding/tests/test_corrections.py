"""Negative corrections: explicit correction lines of the plan that may be negative while the net stays ≥ 0.
Granted and spent money are not corrected here: they change only through their sources (an amending funding
decision, a dated spending entry), so a correction line refuses them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from funding.choices import FundingLineKind
from funding.models import FundingInstrument, FundingLine
from funding.selectors import funding_summary, project_financing_plan
from funding.services import funding_correction_set, funding_lines_replace
from funding.tests.conftest import add_line, make_project

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def project(clean_agreement):  # type: ignore[no-untyped-def]
    p = make_project(clean_agreement)
    add_line(p, "ERDF", 2025, planned="600.00", granted="600.00", spent="600.00")
    add_line(p, "CITY", 2025, planned="400.00", granted="400.00", spent="400.00")
    return p


def test_only_corrections_may_be_negative_in_the_database(project):
    erdf = FundingInstrument.objects.get(code="ERDF")
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingLine.objects.create(project=project, instrument=erdf, year=2026, planned_amount=D("-1"))
    FundingLine.objects.create(project=project, instrument=erdf, year=2025, planned_amount=D("-1"),
                               kind=FundingLineKind.CORRECTION)


def test_a_negative_correction_lowers_the_planned_totals_and_changes_the_split(clean_agreement, project,
                                                                             coordinator):
    funding_correction_set(project=project, instrument_code="ERDF", year=2025, planned_amount="-150.00",
                           note="Audit finding 12/2025", user=coordinator)
    s = funding_summary(agreement_id=clean_agreement.pk, basis="planned")
    assert s["total"] == D("850.00") and s["eu_state"] == D("450.00")
    assert s["local_percent"] == D("47.06")  # 400 / 850 = 47.0588…
    assert funding_summary(agreement_id=clean_agreement.pk, basis="granted")["total"] == D("1000.00")
    assert funding_summary(agreement_id=clean_agreement.pk, basis="spent")["total"] == D("1000.00")


def test_a_correction_line_refuses_granted_and_spent_money(project, coordinator):
    """Defect (issue 12): a correction line moved granted money without a decision. Granted money changes
    through an amending funding decision, spent money through a spending entry."""
    before = list(FundingLine.objects.values_list("pk", "planned_amount", "granted_amount", "spent_amount"))
    with pytest.raises(ValidationError) as info:
        funding_correction_set(project=project, instrument_code="ERDF", year=2025, granted_amount="-150.00",
                               spent_amount="-200", note="Recovery decision 12/2025", user=coordinator)
    assert "funding decision" in info.value.message_dict["granted_amount"][0]
    assert "spending entry" in info.value.message_dict["spent_amount"][0]
    with pytest.raises(ValidationError):  # a raise is refused as well as a cut
        funding_correction_set(project=project, instrument_code="ERDF", year=2025, granted_amount="100",
                               note="More money", user=coordinator)
    assert list(FundingLine.objects.values_list("pk", "planned_amount", "granted_amount", "spent_amount")) == before
    assert not FundingLine.objects.corrections().exists()


def test_the_financing_plan_shows_net_cells_and_lists_corrections(project, coordinator):
    funding_correction_set(project=project, instrument_code="ERDF", year=2025, planned_amount="-0.01",
                           note="Rounding in the plan", user=coordinator)
    plan = project_financing_plan(project=project)
    erdf = next(row for row in plan["rows"] if row["code"] == "ERDF")
    assert erdf["cells"][plan["years"].index(2025)]["planned"] == D("599.99")
    assert plan["total"]["planned"] == D("999.99")
    assert [c.note for c in plan["corrections"]] == ["Rounding in the plan"]


def test_a_correction_cannot_take_the_net_below_zero(project, coordinator):
    before = list(FundingLine.objects.values_list("pk", "planned_amount", "kind"))
    with pytest.raises(ValidationError) as info:
        funding_correction_set(project=project, instrument_code="ERDF", year=2025, planned_amount="-600.01",
                               note="Too much", user=coordinator)
    assert info.value.error_list[0].code == "negative_net"
    assert list(FundingLine.objects.values_list("pk", "planned_amount", "kind")) == before


def test_a_correction_needs_a_reason_and_valid_amounts(project, coordinator):
    with pytest.raises(ValidationError) as info:
        funding_correction_set(project=project, instrument_code="ERDF", year=2025, planned_amount="-1", note="",
                               user=coordinator)
    assert set(info.value.message_dict) == {"note"}
    with pytest.raises(ValidationError) as info:
        funding_correction_set(project=project, instrument_code="NOPE", year=2030, planned_amount="x", note="n",
                               user=coordinator)
    assert set(info.value.message_dict) == {"instrument", "year", "planned_amount"}
    assert not FundingLine.objects.corrections().exists()


def test_zero_amounts_remove_the_correction_and_history_keeps_it(project, coordinator):
    line = funding_correction_set(project=project, instrument_code="ERDF", year=2025, planned_amount="-10",
                                  note="Audit", user=coordinator)
    funding_correction_set(project=project, instrument_code="ERDF", year=2025, note="", user=coordinator)
    assert not FundingLine.objects.corrections().exists()
    assert [h.history_type for h in FundingLine.history.filter(id=line.pk).order_by("history_date")] == ["+", "-"]


def test_replacing_the_plan_keeps_corrections(project, coordinator):
    funding_correction_set(project=project, instrument_code="ERDF", year=2025, planned_amount="-100",
                           note="Audit", user=coordinator)
    funding_lines_replace(project=project, user=coordinator, lines=[
        {"instrument": "ERDF", "year": 2025, "planned_amount": "700"},
        {"instrument": "CITY", "year": 2025, "planned_amount": "400"}])
    assert FundingLine.objects.corrections().get(project=project).planned_amount == D("-100.00")
    assert FundingLine.objects.regular().get(project=project, instrument__code="ERDF").planned_amount == D("700.00")
    with pytest.raises(ValidationError):  # 50 planned − 100 corrected would be negative
        funding_lines_replace(project=project, user=coordinator, lines=[
            {"instrument": "ERDF", "year": 2025, "planned_amount": "50"},
            {"instrument": "CITY", "year": 2025, "planned_amount": "400"}])
    assert FundingLine.objects.regular().get(project=project, instrument__code="ERDF").planned_amount == D("700.00")


def test_only_the_agreements_coordinators_correct(project, other_coordinator):
    with pytest.raises(PermissionDenied):
        funding_correction_set(project=project, instrument_code="ERDF", year=2025, planned_amount="-1",
                               note="x", user=other_coordinator)


def test_correction_form_saves_and_reports_errors(coordinator_client, project, other_coordinator_client):
    url = reverse("funding:project-correction", args=[project.pk])
    response = coordinator_client.post(url, {"instrument": "ERDF", "year": "2025", "planned_amount": "-1 500,00",
                                             "note": "Audit"})  # more than the 600 planned
    assert response.status_code == 400 and not FundingLine.objects.corrections().exists()
    assert "The correction was not saved" in response.content.decode()
    response = coordinator_client.post(url, {"instrument": "ERDF", "year": "2025", "planned_amount": "-1,50",
                                             "note": "Audit"})
    assert response.status_code == 302
    assert FundingLine.objects.corrections().get().planned_amount == D("-1.50")
    page = coordinator_client.get(reverse("funding:project-plan", args=[project.pk])).content.decode()
    assert 'class="negative"' in page and "Audit" in page
    assert 'name="granted_amount"' not in page.split('project-correction')[-1]  # no granted field in the form
    response = coordinator_client.post(url, {"instrument": "ERDF", "year": "2025", "planned_amount": "abc",
                                             "note": "kept text"})
    assert response.status_code == 400 and "kept text" in response.content.decode()
    response = coordinator_client.post(url, {"instrument": "ERDF", "year": "2025", "planned_amount": "-2",
                                             "granted_amount": "-1,50", "note": "Recovery"})
    assert response.status_code == 302  # a posted granted field is not read at all
    assert FundingLine.objects.corrections().values_list("planned_amount", "granted_amount").get() == (
        D("-2.00"), D("0.00"))
    assert other_coordinator_client.post(url, {"instrument": "ERDF", "year": "2025", "planned_amount": "-1",
                                               "note": "x"}).status_code == 403

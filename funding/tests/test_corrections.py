"""Negative corrections: explicit correction lines that may be negative while the net stays ≥ 0."""

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


def test_a_negative_correction_lowers_totals_and_changes_the_split(clean_agreement, project, coordinator):
    funding_correction_set(project=project, instrument_code="ERDF", year=2025, granted_amount="-150.00",
                           spent_amount="-200", note="Recovery decision 12/2025", user=coordinator)
    s = funding_summary(agreement_id=clean_agreement.pk, basis="granted")
    assert s["total"] == D("850.00") and s["eu_state"] == D("450.00")
    assert s["local_percent"] == D("47.06")  # 400 / 850 = 47.0588…
    assert funding_summary(agreement_id=clean_agreement.pk, basis="spent")["total"] == D("800.00")
    assert funding_summary(agreement_id=clean_agreement.pk, basis="planned")["total"] == D("1000.00")


def test_the_financing_plan_shows_net_cells_and_lists_corrections(project, coordinator):
    funding_correction_set(project=project, instrument_code="ERDF", year=2025, granted_amount="-0.01",
                           note="Rounding in the payment", user=coordinator)
    plan = project_financing_plan(project=project)
    erdf = next(row for row in plan["rows"] if row["code"] == "ERDF")
    assert erdf["cells"][plan["years"].index(2025)]["granted"] == D("599.99")
    assert plan["total"]["granted"] == D("999.99")
    assert [c.note for c in plan["corrections"]] == ["Rounding in the payment"]


def test_a_correction_cannot_take_the_net_below_zero(project, coordinator):
    before = list(FundingLine.objects.values_list("pk", "granted_amount", "kind"))
    with pytest.raises(ValidationError) as info:
        funding_correction_set(project=project, instrument_code="ERDF", year=2025, granted_amount="-600.01",
                               note="Too much", user=coordinator)
    assert info.value.error_list[0].code == "negative_net"
    assert list(FundingLine.objects.values_list("pk", "granted_amount", "kind")) == before


def test_a_correction_needs_a_reason_and_valid_amounts(project, coordinator):
    with pytest.raises(ValidationError) as info:
        funding_correction_set(project=project, instrument_code="ERDF", year=2025, granted_amount="-1", note="",
                               user=coordinator)
    assert "note" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        funding_correction_set(project=project, instrument_code="NOPE", year=2030, granted_amount="x", note="n",
                               user=coordinator)
    assert set(info.value.message_dict) == {"instrument", "year", "granted_amount"}
    assert not FundingLine.objects.corrections().exists()


def test_zero_amounts_remove_the_correction_and_history_keeps_it(project, coordinator):
    line = funding_correction_set(project=project, instrument_code="ERDF", year=2025, granted_amount="-10",
                                  note="Audit", user=coordinator)
    funding_correction_set(project=project, instrument_code="ERDF", year=2025, note="", user=coordinator)
    assert not FundingLine.objects.corrections().exists()
    assert [h.history_type for h in FundingLine.history.filter(id=line.pk).order_by("history_date")] == ["+", "-"]


def test_replacing_the_plan_keeps_corrections(project, coordinator):
    from funding.services import granted_set_from_decision

    funding_correction_set(project=project, instrument_code="ERDF", year=2025, granted_amount="-100",
                           note="Audit", user=coordinator)
    granted_set_from_decision(project=project, amounts={("ERDF", 2025): D("500")}, source="Decision 1",
                              user=coordinator)
    funding_lines_replace(project=project, user=coordinator, lines=[
        {"instrument": "ERDF", "year": 2025, "planned_amount": "600"}])
    assert FundingLine.objects.corrections().get(project=project).granted_amount == D("-100.00")
    with pytest.raises(ValidationError):  # 50 granted − 100 corrected would be negative
        granted_set_from_decision(project=project, amounts={("ERDF", 2025): D("50")}, source="Decision 2",
                                  user=coordinator)
    assert FundingLine.objects.regular().get(project=project, instrument__code="ERDF").granted_amount == D("500.00")


def test_only_the_agreements_coordinators_correct(project, other_coordinator):
    with pytest.raises(PermissionDenied):
        funding_correction_set(project=project, instrument_code="ERDF", year=2025, granted_amount="-1",
                               note="x", user=other_coordinator)


def test_correction_form_saves_and_reports_errors(coordinator_client, project, other_coordinator_client):
    url = reverse("funding:project-correction", args=[project.pk])
    response = coordinator_client.post(url, {"instrument": "ERDF", "year": "2025", "granted_amount": "-1 500,00",
                                             "note": "Recovery"})  # more than the 600 granted
    assert response.status_code == 400 and not FundingLine.objects.corrections().exists()
    response = coordinator_client.post(url, {"instrument": "ERDF", "year": "2025", "granted_amount": "-1,50",
                                             "note": "Recovery"})
    assert response.status_code == 302
    assert FundingLine.objects.corrections().get().granted_amount == D("-1.50")
    page = coordinator_client.get(reverse("funding:project-plan", args=[project.pk])).content.decode()
    assert 'class="negative"' in page and "Recovery" in page
    response = coordinator_client.post(url, {"instrument": "ERDF", "year": "2025", "granted_amount": "abc",
                                             "note": "kept text"})
    assert response.status_code == 400 and "kept text" in response.content.decode()
    assert other_coordinator_client.post(url, {"instrument": "ERDF", "year": "2025", "granted_amount": "-1",
                                               "note": "x"}).status_code == 403

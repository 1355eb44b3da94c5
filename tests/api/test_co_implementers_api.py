"""Issue 12, point 11: co-implementers with budget shares are validated (the lead is not among them, the
shares fit in the planned budget) in the service and writable through the project API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from portfolio import services
from portfolio.models import Project, ProjectPartner
from tests.factories import FundingLineFactory, OrganisationFactory, ProjectFactory, instrument

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(agreement):  # type: ignore[no-untyped-def]
    """A project whose plan totals 1 333 333 €."""
    project = ProjectFactory(agreement=agreement, code="HEV-CO", title_fi="Yhteishanke", status="idea")
    FundingLineFactory(project=project, instrument=instrument("ERDF"), year=2026,
                       planned_amount=Decimal("800000.00"), granted_amount=Decimal("0.00"))
    FundingLineFactory(project=project, instrument=instrument("CITY"), year=2026,
                       planned_amount=Decimal("533333.00"), granted_amount=Decimal("0.00"))
    return project


def _update(project, coordinator, partners):  # type: ignore[no-untyped-def]
    project.refresh_from_db()
    return services.project_update(project=project, data={"partners": partners}, expected_version=project.version,
                                   user=coordinator)


def test_service_refuses_shares_above_the_planned_budget(project, coordinator):
    partner = OrganisationFactory()
    with pytest.raises(ValidationError) as exc:
        _update(project, coordinator, [{"organisation": partner, "budget_share": Decimal("5000000.00")}])
    assert "more than the project's total planned budget" in exc.value.message_dict["partners"][0]
    assert not ProjectPartner.objects.filter(project=project).exists()


def test_service_refuses_the_lead_as_a_co_implementer(project, coordinator):
    with pytest.raises(ValidationError) as exc:
        _update(project, coordinator, [{"organisation": project.lead_organisation,
                                        "budget_share": Decimal("1000.00")}])
    assert exc.value.message_dict["partners"] == ["The lead implementer cannot also be a co-implementer."]
    assert not ProjectPartner.objects.filter(project=project).exists()


def test_service_accepts_shares_up_to_the_planned_budget(project, coordinator):
    a, b = OrganisationFactory(), OrganisationFactory()
    _update(project, coordinator, [{"organisation": a, "budget_share": Decimal("1000000.00")},
                                   {"organisation": b, "budget_share": Decimal("333333.00")}])
    assert ProjectPartner.objects.filter(project=project).count() == 2


def _patch(api, project, body):  # type: ignore[no-untyped-def]
    project.refresh_from_db()
    return api.patch(f"/api/v1/projects/{project.pk}/", body, format="json", HTTP_IF_MATCH=f'"{project.version}"')


def test_api_writes_co_implementers_with_shares(api, project):
    partner = OrganisationFactory()
    response = _patch(api, project, {"co_implementers": [{"organisation": partner.pk, "budget_share": "250000.50"}]})
    assert response.status_code == 200, response.content
    assert response.json()["co_implementers"] == [{"organisation": partner.pk, "budget_share": "250000.50"}]
    assert list(ProjectPartner.objects.filter(project=project).values_list("organisation_id", "budget_share")) == [
        (partner.pk, Decimal("250000.50"))]


def test_api_refuses_shares_above_the_planned_budget_with_a_field_message(api, project):
    partner = OrganisationFactory()
    response = _patch(api, project, {"co_implementers": [{"organisation": partner.pk, "budget_share": "5000000"}]})
    assert response.status_code == 400, response.content
    (message,) = response.json()["errors"]["co_implementers"]
    assert "more than the project's total planned budget" in message
    assert not ProjectPartner.objects.filter(project=project).exists()
    assert Project.objects.get(pk=project.pk).version == project.version  # nothing saved


def test_api_refuses_the_lead_as_a_co_implementer(api, project):
    response = _patch(api, project, {"co_implementers": [{"organisation": project.lead_organisation_id,
                                                          "budget_share": "1000"}]})
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["co_implementers"] == ["The lead implementer cannot also be a co-implementer."]


def test_api_refuses_negative_shares_and_duplicates(api, project):
    partner = OrganisationFactory()
    negative = _patch(api, project, {"co_implementers": [{"organisation": partner.pk, "budget_share": "-1"}]})
    assert negative.status_code == 400 and "co_implementers.0.budget_share" in negative.json()["errors"]
    twice = _patch(api, project, {"co_implementers": [{"organisation": partner.pk, "budget_share": "1"},
                                                      {"organisation": partner.pk, "budget_share": "2"}]})
    assert twice.status_code == 400 and "co_implementers" in twice.json()["errors"]


def test_the_financing_plan_cannot_drop_below_the_co_implementers_shares(api, project, coordinator):
    """Defect (issue 12): PUT funding-lines lowered the plan under the shares the co-implementers hold."""
    from funding.models import FundingLine
    from funding.services import funding_lines_replace

    _update(project, coordinator, [{"organisation": OrganisationFactory(), "budget_share": Decimal("1000000.00")}])
    url = f"/api/v1/projects/{project.pk}/funding-lines/"
    response = api.put(url, {"lines": [{"instrument": "ERDF", "year": 2026, "planned_amount": "500000.00"},
                                       {"instrument": "CITY", "year": 2026, "planned_amount": "333333.00"}]},
                       format="json")
    assert response.status_code == 400, response.content
    assert "less than the co-implementers' budget shares 1,000,000.00 €" in str(response.json())
    assert sorted(FundingLine.objects.filter(project=project).values_list("planned_amount", flat=True)) == [
        Decimal("533333.00"), Decimal("800000.00")]  # nothing written
    funding_lines_replace(project=project, user=coordinator, lines=[  # exactly the shares: allowed
        {"instrument": "ERDF", "year": 2026, "planned_amount": "600000.00"},
        {"instrument": "CITY", "year": 2026, "planned_amount": "400000.00"}])

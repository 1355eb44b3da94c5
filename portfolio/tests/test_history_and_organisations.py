"""Change history with diffs, organisations (search, detail totals, business ID check) and money format."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from portfolio import services
from portfolio.history import history_entries
from portfolio.models import Organisation
from portfolio.templatetags.portal import day, format_money
from tests.factories import FundingLineFactory, OrganisationFactory, ProjectFactory, instrument

pytestmark = pytest.mark.django_db


def test_project_history_shows_who_when_and_old_to_new(coordinator_client, coordinator, agreement):
    project = ProjectFactory(agreement=agreement, title="Vanha", title_fi="Vanha")
    services.project_update(project=project, data={"title_fi": "Uusi"}, expected_version=1, user=coordinator)
    entries = history_entries(project=project)
    change = next(e for e in entries if e.changes)
    assert change.who == coordinator.username
    assert any(c.old == "Vanha" and c.new == "Uusi" for c in change.changes)
    html = coordinator_client.get(reverse("portfolio:project-history", args=[project.pk])).content.decode()
    assert "<del>Vanha</del>" in html and "<ins>Uusi</ins>" in html


def test_funding_line_changes_are_in_the_project_history(coordinator, agreement):
    from funding.services import funding_lines_replace

    project = ProjectFactory(agreement=agreement)
    line = FundingLineFactory(project=project, instrument=instrument("ERDF"), year=2025,
                              planned_amount=Decimal("100.00"))
    funding_lines_replace(project=project, user=coordinator, lines=[
        {"instrument": "ERDF", "year": 2025, "planned_amount": "250.00", "granted_amount": line.granted_amount,
         "spent_amount": "0"}])
    entries = [e for e in history_entries(project=project) if "ERDF" in e.subject]
    assert any(c.old == "100.00" and c.new == "250.00" for e in entries for c in e.changes)


def test_organisation_search_and_detail_totals(coordinator_client, agreement):
    org = OrganisationFactory(name="Hakutesti Oy", name_fi="Hakutesti Oy")
    p1 = ProjectFactory(agreement=agreement, lead_organisation=org)
    FundingLineFactory(project=p1, planned_amount=Decimal("1234.50"), granted_amount=Decimal("1000.00"))
    html = coordinator_client.get(reverse("portfolio:organisation-list"), {"q": "hakutesti"}).content.decode()
    assert "Hakutesti Oy" in html
    response = coordinator_client.get(reverse("portfolio:organisation-detail", args=[org.pk]))
    assert response.context["totals"]["planned"] == Decimal("1234.50")
    assert p1.code in response.content.decode()


def test_coordinator_creates_organisation_with_valid_business_id(coordinator_client, steering_client):
    url = reverse("portfolio:organisation-create")
    data = {"name_fi": "Uusi Oy", "kind": "company", "business_id": "0201256-5"}
    response = coordinator_client.post(url, data)
    assert response.status_code == 400 and 'id="id_business_id_error"' in response.content.decode()
    data["business_id"] = "2331972-7"
    assert coordinator_client.post(url, data).status_code == 302
    org = Organisation.objects.get(business_id="2331972-7")
    assert org.history.first().history_type == "+"
    assert steering_client.post(url, {**data, "business_id": ""}).status_code == 403


def test_money_format_per_language():
    assert format_money(Decimal("1234567.891"), "fi") == "1\u00a0234\u00a0567,89\u00a0€"
    assert format_money(Decimal("1234567.89"), "sv") == "1\u00a0234\u00a0567,89\u00a0€"
    assert format_money(Decimal("1234567.89"), "en") == "€1,234,567.89"
    assert format_money(Decimal("-5"), "en") == "\u2212€5.00"
    assert format_money(Decimal("0"), "fi") == "0,00\u00a0€"
    assert format_money(None) == ""


def test_dates_per_language():
    import datetime as dt

    with translation.override("fi"):
        assert day(dt.date(2026, 11, 24)) == "24.11.2026"
    with translation.override("sv"):
        assert day(dt.date(2026, 11, 4)) == "4.11.2026"
    with translation.override("en"):
        assert day(dt.date(2026, 11, 24)) == "24 Nov 2026"

import datetime as dt
from decimal import Decimal

import pytest

from followup.models import Enterprise, IndicatorValue, Milestone, ProjectEnterprise
from followup.tests.factories import (
    IndicatorTargetFactory,
    IndicatorValueFactory,
    MilestoneFactory,
    ProjectEnterpriseFactory,
    indicator,
    valid_business_id,
)
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(agreement):  # type: ignore[no-untyped-def]
    """A running project of the loaded agreement (the catalogue is loaded with it), 2024–2026."""
    return ProjectFactory(agreement=agreement, lead_organisation__municipality="Espoo")

NBSP = "\u00a0"


def _finnish(client):  # type: ignore[no-untyped-def]
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fi"
    return client


def test_project_page_shows_the_results_panel_with_a_late_milestone(coordinator_client, project):
    IndicatorTargetFactory(project=project, indicator=indicator("RCO13"), target_value=Decimal("1250000"))
    IndicatorValueFactory(project=project, indicator=indicator("RCO13"), period_start=dt.date(2024, 1, 1),
                          period_end=dt.date(2024, 12, 31), value=Decimal("12500.50"))
    ProjectEnterpriseFactory(project=project)
    MilestoneFactory(project=project, title="Myöhässä oleva", planned_date=dt.date(2024, 2, 1))
    html = _finnish(coordinator_client).get(project.get_absolute_url()).content.decode()
    assert 'id="results"' in html and "RCO13" in html
    assert f"12{NBSP}500,50{NBSP}€" in html and f"1{NBSP}250{NBSP}000,00{NBSP}€" in html  # Finnish format
    assert "milestone-late" in html and "Myöhässä oleva" in html
    assert "table-responsive" in html and "<caption>" in html


def test_a_bad_value_is_shown_next_to_its_field_and_nothing_is_saved(coordinator_client, project):
    url = f"/followup/projects/{project.pk}/values/new/"
    response = coordinator_client.post(url, {"indicator": indicator("HEV03").pk, "period_end": "2024-06-30",
                                             "value": "kolme"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="error-summary"' in html and 'id="id_value_error"' in html
    assert 'aria-invalid="true"' in html and 'value="kolme"' in html  # what was typed is kept
    assert not IndicatorValue.objects.exists()


def test_a_value_outside_the_project_is_refused_on_the_form(coordinator_client, project):
    response = coordinator_client.post(f"/followup/projects/{project.pk}/values/new/", {
        "indicator": indicator("HEV03").pk, "period_end": "2027-06-30", "value": "3"})
    assert 'id="id_period_end_error"' in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_a_good_value_is_saved_and_back_on_the_project_page(coordinator_client, project):
    response = coordinator_client.post(f"/followup/projects/{project.pk}/values/new/", {
        "indicator": indicator("HEV03").pk, "period_start": "2024-01-01", "period_end": "2024-06-30",
        "value": "3"})
    assert response.status_code == 302 and response["Location"].endswith("#results")
    assert IndicatorValue.objects.get().value == 3


def test_an_enterprise_is_added_by_business_id(coordinator_client, project):
    bid = valid_business_id(7)
    response = coordinator_client.post(f"/followup/projects/{project.pk}/enterprises/new/", {
        "business_id": bid, "name": "Uusi Oy", "size_class": "micro", "relation": "grant", "date": "2024-05-01"})
    assert response.status_code == 302
    assert Enterprise.objects.get().business_id == bid and ProjectEnterprise.objects.count() == 1


def test_a_bad_business_id_is_refused_on_the_form(coordinator_client, project):
    good = valid_business_id(8)
    bad = f"{good[:-1]}{(int(good[-1]) + 1) % 10}"
    response = coordinator_client.post(f"/followup/projects/{project.pk}/enterprises/new/", {
        "business_id": bad, "name": "Uusi Oy", "size_class": "micro", "relation": "grant", "date": "2024-05-01"})
    assert 'id="id_business_id_error"' in response.content.decode()
    assert not Enterprise.objects.exists()


def test_a_milestone_is_edited(coordinator_client, project):
    m = MilestoneFactory(project=project)
    response = coordinator_client.post(f"/followup/milestones/{m.pk}/", {
        "title": "Pilotti valmis", "planned_date": "2025-06-30", "actual_date": "2025-07-02"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.actual_date == dt.date(2025, 7, 2)


def test_a_milestone_is_removed(coordinator_client, project):
    m = MilestoneFactory(project=project)
    response = coordinator_client.post(f"/followup/milestones/{m.pk}/delete/")
    assert response.status_code == 302 and not Milestone.objects.exists()


def test_read_only_roles_and_other_agreements_cannot_use_the_forms(steering_client, other_coordinator_client,
                                                                   project):
    url = f"/followup/projects/{project.pk}/milestones/new/"
    assert steering_client.get(url).status_code == 403
    # A running project of another agreement is visible, but not editable.
    assert other_coordinator_client.get(url).status_code == 403
    assert other_coordinator_client.post(url, {"title": "x", "planned_date": "2025-01-01"}).status_code == 403
    assert not Milestone.objects.exists()


def test_the_project_page_shows_no_edit_links_to_read_only_roles(steering_client, project):
    html = steering_client.get(project.get_absolute_url()).content.decode()
    assert 'id="results"' in html and "/milestones/new/" not in html


def test_overview_page_with_as_of(coordinator_client, project):
    IndicatorValueFactory(project=project, indicator=indicator("HEV03"), period_start=dt.date(2024, 1, 1),
                          period_end=dt.date(2024, 6, 30), value=Decimal("1250"))
    html = _finnish(coordinator_client).get("/followup/indicators/").content.decode()
    assert 'name="as_of"' in html and "RCO01" in html and f"1{NBSP}250" in html
    assert "breakdown-priority" in html and "breakdown-city" in html
    early = coordinator_client.get("/followup/indicators/?as_of=2024-05-31").content.decode()
    assert f"1{NBSP}250" not in early and "31.5.2024" in early


def test_overview_refuses_a_future_day_next_to_the_field(coordinator_client, project):
    html = coordinator_client.get("/followup/indicators/?as_of=2999-01-01").content.decode()
    assert 'id="id_as_of_error"' in html


def test_overview_all_agreements_shows_the_agreement_breakdown(ministry_client, project):
    html = ministry_client.get("/followup/indicators/?scope=all").content.decode()
    assert "breakdown-agreement" in html


def test_overview_needs_a_portal_role(client, plain_user):
    client.force_login(plain_user)
    assert client.get("/followup/indicators/").status_code == 403


@pytest.mark.parametrize(("language", "name", "unit"), [
    ("fi", "Tuetut yritykset", "yritystä"), ("sv", "Företag som får stöd", "företag"),
    ("en", "Enterprises supported", "enterprises"),
])
def test_overview_names_the_indicators_in_the_users_language(coordinator_client, project, settings, language,
                                                              name, unit):
    coordinator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = coordinator_client.get("/followup/indicators/").content.decode()
    assert name in html and f"<td>{unit}</td>" in html

import datetime as dt
from decimal import Decimal

import pytest

from followup.tests.factories import (
    EnterpriseFactory,
    IndicatorTargetFactory,
    IndicatorValueFactory,
    MilestoneFactory,
    ProjectEnterpriseFactory,
    indicator,
)
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(agreement):  # type: ignore[no-untyped-def]
    """A running project of the loaded agreement (the catalogue is loaded with it), 2024–2026."""
    return ProjectFactory(agreement=agreement, lead_organisation__municipality="Espoo")


@pytest.fixture
def shared(agreement, project):  # type: ignore[no-untyped-def]
    """One enterprise reached by two projects of the agreement."""
    second = ProjectFactory(agreement=agreement)
    enterprise = EnterpriseFactory()
    for p in (project, second):
        ProjectEnterpriseFactory(project=p, enterprise=enterprise, relation="grant", date=dt.date(2024, 5, 1))
    IndicatorTargetFactory(project=project, indicator=indicator("RCO02"), target_value=Decimal("4"))
    IndicatorValueFactory(project=project, indicator=indicator("HEV03"), period_start=dt.date(2024, 1, 1),
                          period_end=dt.date(2024, 6, 30), value=Decimal("3"))
    return enterprise


def test_indicator_totals_shape_and_enterprises_once(coordinator_client, agreement, shared):
    response = coordinator_client.get(f"/api/v1/agreements/{agreement.pk}/indicator-totals/")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert set(rows["RCO02"]) >= {"code", "target", "achieved"}
    assert rows["RCO02"] == {"code": "RCO02", "unit": "enterprises", "target": "4.00", "achieved": "1.00"}
    assert rows["HEV03"]["achieved"] == "3.00" and rows["HEV03"]["target"] is None


def test_indicator_totals_as_of_a_day(coordinator_client, agreement, shared):
    response = coordinator_client.get(f"/api/v1/agreements/{agreement.pk}/indicator-totals/?as_of=2024-04-30")
    rows = {row["code"]: row for row in response.json()}
    assert rows["RCO02"]["achieved"] == "0.00" and rows["HEV03"]["achieved"] == "0.00"


@pytest.mark.parametrize("bad", ["2024-13-01", "yesterday", "3000-01-01"])
def test_a_bad_as_of_is_a_400_naming_the_field(coordinator_client, agreement, bad):
    response = coordinator_client.get(f"/api/v1/agreements/{agreement.pk}/indicator-totals/?as_of={bad}")
    assert response.status_code == 400
    assert "as_of" in response.json()["errors"]


def test_another_agreements_user_cannot_read_the_totals(other_coordinator_client, agreement, shared):
    response = other_coordinator_client.get(f"/api/v1/agreements/{agreement.pk}/indicator-totals/")
    assert response.status_code == 404


def test_ministry_reads_any_agreements_totals(ministry_client, agreement, shared):
    assert ministry_client.get(f"/api/v1/agreements/{agreement.pk}/indicator-totals/").status_code == 200


def test_anonymous_and_roleless_users_are_refused(client, plain_user, agreement):
    assert client.get(f"/api/v1/agreements/{agreement.pk}/indicator-totals/").status_code in (401, 403)
    client.force_login(plain_user)
    assert client.get(f"/api/v1/agreements/{agreement.pk}/indicator-totals/").status_code == 403
    assert client.get("/api/v1/indicators/").status_code == 403


def test_indicators_collection_filters_by_code(coordinator_client, agreement):
    response = coordinator_client.get("/api/v1/indicators/?code=RCO01")
    results = response.json()["results"]
    assert [r["code"] for r in results] == ["RCO01"]
    assert results[0]["unit"] == "enterprises" and results[0]["name_en"].startswith("Enterprises supported")


def test_enterprises_are_listed_once_with_their_projects(coordinator_client, shared, project):
    response = coordinator_client.get(f"/api/v1/enterprises/?business_id={shared.business_id}")
    results = response.json()["results"]
    assert len(results) == 1
    assert len(results[0]["projects"]) == 2 and project.pk in results[0]["projects"]
    assert len(coordinator_client.get("/api/v1/enterprises/").json()["results"]) == 1


def test_another_agreements_drafts_do_not_leak(other_coordinator_client, agreement):
    draft = ProjectFactory(agreement=agreement, status="proposal")
    ProjectEnterpriseFactory(project=draft)
    IndicatorValueFactory(project=draft)
    MilestoneFactory(project=draft)
    for collection in ("enterprises", "indicator-values", "milestones"):
        assert other_coordinator_client.get(f"/api/v1/{collection}/").json()["results"] == [], collection


def test_indicator_values_and_milestones(coordinator_client, project, shared):
    MilestoneFactory(project=project, planned_date=dt.date(2024, 3, 1))
    values = coordinator_client.get(f"/api/v1/indicator-values/?project={project.pk}").json()["results"]
    assert values[0]["indicator"] == "HEV03" and values[0]["value"] == "3.00"
    milestones = coordinator_client.get("/api/v1/milestones/?late=true").json()["results"]
    assert len(milestones) == 1 and milestones[0]["late"] is True
    assert coordinator_client.get("/api/v1/milestones/?late=false").json()["results"] == []


@pytest.mark.parametrize("query", ["project=-7.4e%2B28", "project=abc", "agreement=99999999999999999999"])
def test_bad_filter_values_are_a_400_not_a_server_error(coordinator_client, query):
    for collection in ("indicator-values", "milestones", "enterprises"):
        if "agreement" in query and collection != "indicator-values":
            continue
        assert coordinator_client.get(f"/api/v1/{collection}/?{query}").status_code == 400, collection


def test_a_hidden_project_is_not_a_valid_filter_choice(other_coordinator_client, agreement):
    draft = ProjectFactory(agreement=agreement, status="proposal")
    response = other_coordinator_client.get(f"/api/v1/milestones/?project={draft.pk}")
    missing = other_coordinator_client.get("/api/v1/milestones/?project=987654321")
    assert response.status_code == missing.status_code == 400


def test_a_coordinator_records_a_value_and_a_bad_one_is_a_400_naming_the_field(coordinator_client, project):
    url = "/api/v1/indicator-values/"
    good = {"project": project.pk, "indicator": "HEV03", "period_start": "2024-01-01", "period_end": "2024-06-30",
            "value": "3"}
    response = coordinator_client.post(url, good, content_type="application/json")
    assert response.status_code == 201 and response.json()["value"] == "3.00"
    for field, bad, expected in (("value", "2,5", "value"), ("value", "abc", "value"),
                                 ("period_end", "2030-01-01", "period_end")):
        payload = {**good, "period_start": None, field: bad}
        response = coordinator_client.post(url, payload, content_type="application/json")
        assert response.status_code == 400 and expected in response.json()["errors"], (field, bad)
    from followup.models import IndicatorValue

    assert IndicatorValue.objects.count() == 1


def test_read_only_roles_and_other_agreements_cannot_write(steering_client, other_coordinator_client, project):
    payload = {"project": project.pk, "title": "x", "planned_date": "2025-01-01"}
    assert steering_client.post("/api/v1/milestones/", payload, content_type="application/json").status_code == 403
    # The running project is visible to another agreement's coordinator, but not theirs to change.
    response = other_coordinator_client.post("/api/v1/milestones/", payload, content_type="application/json")
    assert response.status_code == 403


def test_a_milestone_is_added_changed_and_removed(coordinator_client, project):
    created = coordinator_client.post("/api/v1/milestones/", {
        "project": project.pk, "title": "Pilotti", "planned_date": "2024-03-01"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["late"] is True
    pk = created.json()["id"]
    changed = coordinator_client.patch(f"/api/v1/milestones/{pk}/", {"actual_date": "2024-02-25"},
                                       content_type="application/json")
    assert changed.status_code == 200 and changed.json()["late"] is False
    assert coordinator_client.delete(f"/api/v1/milestones/{pk}/").status_code == 204

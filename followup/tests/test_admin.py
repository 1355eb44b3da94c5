import pytest

from followup.models import Indicator
from followup.tests.factories import IndicatorValueFactory, MilestoneFactory, ProjectEnterpriseFactory
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(agreement):  # type: ignore[no-untyped-def]
    """A running project of the loaded agreement (the catalogue is loaded with it), 2024–2026."""
    return ProjectFactory(agreement=agreement, lead_organisation__municipality="Espoo")


def test_admin_lists_and_edits_the_catalogue(admin_client_logged, project):
    IndicatorValueFactory(project=project)
    ProjectEnterpriseFactory(project=project)
    MilestoneFactory(project=project)
    for model in ("indicator", "indicatortarget", "indicatorvalue", "enterprise", "projectenterprise", "milestone"):
        assert admin_client_logged.get(f"/admin/followup/{model}/").status_code == 200, model
    rco01 = Indicator.objects.get(code="RCO01")
    page = admin_client_logged.get(f"/admin/followup/indicator/{rco01.pk}/change/").content.decode()
    assert 'name="name_sv"' in page and 'name="name_en"' in page


def test_project_figures_are_read_only_in_the_admin(admin_client_logged, project):
    value = IndicatorValueFactory(project=project)
    assert admin_client_logged.get("/admin/followup/indicatorvalue/add/").status_code == 403
    response = admin_client_logged.post(f"/admin/followup/indicatorvalue/{value.pk}/change/", {"value": "999"})
    assert response.status_code == 403
    value.refresh_from_db()
    assert value.value != 999

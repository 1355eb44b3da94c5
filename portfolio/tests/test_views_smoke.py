"""Every portfolio page renders for each role (wiring, not behaviour)."""

import pytest
from django.urls import reverse

from tests.factories import FundingLineFactory, OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(agreement):
    p = ProjectFactory(agreement=agreement, code="S-1", methods=[1, 2])
    FundingLineFactory(project=p, year=2025)
    return p


@pytest.mark.parametrize("client_name", ["coordinator_client", "steering_client", "ministry_client"])
def test_main_pages_render(request, client_name, project):
    client = request.getfixturevalue(client_name)
    org = OrganisationFactory()
    for url in [reverse("dashboard"), reverse("portfolio:project-list"),
                reverse("portfolio:project-list") + "?priority=1&status=running&ordering=-code",
                reverse("portfolio:project-detail", args=[project.pk]),
                reverse("portfolio:project-history", args=[project.pk]),
                reverse("portfolio:organisation-list"), reverse("portfolio:organisation-list") + "?q=Org",
                reverse("portfolio:organisation-detail", args=[org.pk])]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_coordinator_forms_render(coordinator_client, project):
    for url in [reverse("portfolio:project-create"), reverse("portfolio:project-edit", args=[project.pk]),
                reverse("portfolio:organisation-create")]:
        assert coordinator_client.get(url).status_code == 200, url

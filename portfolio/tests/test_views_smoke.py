"""Every portfolio page renders for each role and shows what it is about (its heading and its object)."""

import pytest
from django.urls import reverse

from tests.factories import FundingLineFactory, OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(agreement):
    p = ProjectFactory(agreement=agreement, code="S-1", title="Smoke hanke", title_fi="Smoke hanke",
                       status="running", methods=[1, 2])
    FundingLineFactory(project=p, year=2025)
    return p


def _h1(html: str) -> str:
    import re

    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match, "the page has no <h1>"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.mark.parametrize("client_name", ["coordinator_client", "steering_client", "ministry_client"])
def test_main_pages_render(request, client_name, project):
    client = request.getfixturevalue(client_name)
    org = OrganisationFactory(name="Smoke Oy", name_fi="Smoke Oy")
    other = ProjectFactory(agreement=project.agreement, code="S-2", status="running", priority=project.priority)
    pages = [
        (reverse("portfolio:project-list"), "Projects", ["S-1", "Smoke hanke", "S-2"]),
        (reverse("portfolio:project-list") + "?status=running&ordering=-code", "Projects", ["S-1", "S-2"]),
        (reverse("portfolio:project-detail", args=[project.pk]), "S-1 Smoke hanke", []),
        (reverse("portfolio:project-history", args=[project.pk]), "History of S-1", []),
        (reverse("portfolio:organisation-list") + "?q=Smoke", "Organisations", ["Smoke Oy"]),
        (reverse("portfolio:organisation-detail", args=[org.pk]), "Smoke Oy", []),
    ]
    for url, heading, shown in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert _h1(html) == heading, url
        for text in shown:
            assert text in html, (url, text)
    # Ordering by -code lists S-2 before S-1.
    ordered = client.get(reverse("portfolio:project-list") + "?ordering=-code").content.decode()
    assert ordered.index("S-2") < ordered.index("S-1")
    assert other.code in ordered
    # The dashboard names the agreement and opens with what this role does first.
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert _h1(dashboard) == project.agreement.name
    first = {"coordinator_client": "Your work queue", "steering_client": "Waiting for your decision",
             "ministry_client": "Agreements side by side"}[client_name]
    assert first in dashboard


def test_coordinator_forms_render(coordinator_client, project):
    for url, heading, field in [
        (reverse("portfolio:project-create"), "New project", 'name="title_fi"'),
        (reverse("portfolio:project-edit", args=[project.pk]), "Edit project S-1", 'value="Smoke hanke"'),
        (reverse("portfolio:organisation-create"), "New organisation", 'name="name_fi"'),
    ]:
        response = coordinator_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert _h1(html) == heading, url
        assert field in html, url

"""Tenant boundary and read-only roles on every portfolio page and export."""

import pytest
from django.urls import reverse

from tests.factories import OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def our_draft(agreement):
    return ProjectFactory(agreement=agreement, code="OUR-DRAFT", status="proposal")


@pytest.mark.parametrize("url_name", ["project-detail", "project-edit", "project-history"])
def test_foreign_coordinator_gets_404_for_our_draft(other_coordinator_client, our_draft, url_name):
    assert other_coordinator_client.get(reverse(f"portfolio:{url_name}", args=[our_draft.pk])).status_code == 404


@pytest.mark.parametrize("path", ["/projects/", "/projects/export.csv", "/projects/export.xlsx",
                                  "/projects/?q=OUR", "/"])
def test_our_draft_is_absent_from_foreign_lists(other_coordinator_client, our_draft, path):
    response = other_coordinator_client.get(path)
    assert response.status_code == 200
    assert b"OUR-DRAFT" not in response.content


def test_foreign_organisation_page_hides_our_drafts(other_coordinator_client, our_draft):
    url = reverse("portfolio:organisation-detail", args=[our_draft.lead_organisation_id])
    assert b"OUR-DRAFT" not in other_coordinator_client.get(url).content


@pytest.mark.parametrize("client_name", ["steering_client", "ministry_client"])
def test_read_only_roles_see_no_edit_controls_and_cannot_post(request, client_name, our_draft):
    client = request.getfixturevalue(client_name)
    html = client.get(reverse("portfolio:project-detail", args=[our_draft.pk])).content.decode()
    assert reverse("portfolio:project-edit", args=[our_draft.pk]) not in html
    assert "attachment-form" not in html
    assert client.post(reverse("portfolio:project-edit", args=[our_draft.pk]), {}).status_code == 403
    assert client.post(reverse("portfolio:project-create"), {}).status_code == 403
    org = OrganisationFactory()
    assert client.post(reverse("portfolio:organisation-edit", args=[org.pk]), {}).status_code == 403


def test_organisation_search_htmx_partial(coordinator_client):
    OrganisationFactory(name="Partiaali Oy", name_fi="Partiaali Oy")
    response = coordinator_client.get(reverse("portfolio:organisation-list"), {"q": "partiaali"},
                                      HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "Partiaali Oy" in body


def test_organisation_history_shows_the_change(coordinator_client, coordinator):
    from portfolio.services import organisation_save

    org = organisation_save(data={"name_fi": "Vanha Nimi Oy", "kind": "company", "business_id": ""},
                            user=coordinator)
    organisation_save(data={"name_fi": "Uusi Nimi Oy"}, user=coordinator, organisation=org)
    html = coordinator_client.get(reverse("portfolio:organisation-detail", args=[org.pk])).content.decode()
    assert "<del>Vanha Nimi Oy</del>" in html and "<ins>Uusi Nimi Oy</ins>" in html

"""The number of SQL queries of the project list and the API's project list does not depend on the page
size or the amount of data (issue 16): the same fixed number with a few projects and with many, on the
first page and a later one. Data from reporting.scale_seed (funding lines, methods, partners)."""

from __future__ import annotations

import pytest
from django.test import Client

from portfolio.models import Agreement, AgreementAccess
from reporting.scale_seed import scale_seed

pytestmark = pytest.mark.django_db

# session, user, roles (groups, agreement access, memberships), then the page's own queries
LIST_QUERIES = 18  # the seat query also answers "national group member" (one read per request)
API_QUERIES = 12


@pytest.fixture
def scale_coordinator(agreement, coordinator):  # type: ignore[no-untyped-def]
    def seeded(projects: int) -> Client:
        scale_seed(agreements=2, projects=projects)
        AgreementAccess.objects.get_or_create(user=coordinator, agreement=Agreement.objects.get(code="scale-1"))
        client = Client()
        client.force_login(coordinator)
        return client

    return seeded


@pytest.mark.parametrize("projects", [8, 160])
def test_project_list_queries_do_not_grow(scale_coordinator, projects, django_assert_num_queries):  # type: ignore[no-untyped-def]
    client = scale_coordinator(projects)
    for query in ("", "?page=2", "?status=running&ordering=-end_date", "?ordering=planned"):
        client.get("/projects/" + query)  # the session's agreement choice settles on the first request
        with django_assert_num_queries(LIST_QUERIES):
            response = client.get("/projects/" + query)
        assert response.status_code == 200 and response.context["page"].object_list, query
    with django_assert_num_queries(LIST_QUERIES - 5):  # the htmx partial: no form, glossary or top bar
        assert client.get("/projects/?page=2", HTTP_HX_REQUEST="true").status_code == 200


@pytest.mark.parametrize("projects", [8, 160])
def test_api_project_list_queries_do_not_grow(scale_coordinator, projects, django_assert_num_queries):  # type: ignore[no-untyped-def]
    client = scale_coordinator(projects)
    for query in ("?page_size=1", "?page_size=100", "?page_size=500&status=running", "?page=2&page_size=3"):
        with django_assert_num_queries(API_QUERIES):
            assert client.get("/api/v1/projects/" + query).status_code == 200

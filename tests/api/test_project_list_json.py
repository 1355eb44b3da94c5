"""The project list of the API (/api/v1/projects/) is built from rows rather than through the generic
serializer per project (issue 16): its JSON must stay byte for byte what ProjectSerializer renders for the
same projects, on the seeded demo data, for every role and language, page sizes 1 to 500."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from .conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(agreement):  # type: ignore[no-untyped-def]
    call_command("seed_demo", stdout=io.StringIO())


def _serializer_bytes(user, query: str, language: str) -> bytes:  # type: ignore[no-untyped-def]
    """The page as the generic serializer renders it: the viewset's queryset and filters, ProjectSerializer
    per project, the same pagination envelope."""
    from django.utils import translation

    from portfolio.api.serializers import ProjectSerializer
    from portfolio.api.views import ProjectViewSet

    django_request = RequestFactory().get("/api/v1/projects/" + query, HTTP_ACCEPT_LANGUAGE=language)
    django_request.user = user
    with translation.override(language):
        view = ProjectViewSet(action="list", format_kwarg=None, kwargs={})
        request = Request(django_request)
        request.user = user
        view.request = request
        queryset = view.filter_queryset(view.get_queryset())
        page = view.paginate_queryset(queryset)
        data = ProjectSerializer(page, many=True, context=view.get_serializer_context()).data
        return JSONRenderer().render(view.get_paginated_response(data).data)


def test_project_list_json_is_the_serializers_byte_for_byte(demo, coordinator, ministry_user):  # type: ignore[no-untyped-def]
    from portfolio.models import Project

    assert Project.objects.count() >= 10
    for language, user in (("fi", coordinator), ("fi", ministry_user), ("sv", ministry_user), ("en", coordinator)):
        client = token_client(user)
        for query in ("?page_size=500", "?page_size=3&page=2", "?page_size=1", "?status=running&ordering=-end_date",
                      "?ordering=lead&page_size=7", "?q=energia"):
            response = client.get("/api/v1/projects/" + query, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, response.content
            assert response.content == _serializer_bytes(user, query, language), (user.username, query)
    # The demo data has what every part of a project renders: funding lines, decisions, partners, themes.
    body = token_client(ministry_user).get("/api/v1/projects/?page_size=500").json()["results"]
    assert any(p["decisions"] for p in body) and any(p["funding_lines"] for p in body)
    assert any(p["partners"] for p in body) and any(p["themes"] for p in body)

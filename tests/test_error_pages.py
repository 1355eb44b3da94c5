"""Defect 9: with the database down, pages showed Django's bare "Server Error (500)". The 500 and 503 pages
are the portal's own, translated, and render without the database (no context processors, no session)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, RequestFactory
from django.utils import translation

pytestmark = pytest.mark.django_db

BRAND = {"en": "Ecosystem agreement portfolio", "fi": "Ekosysteemisopimuksen hankeportfolio",
         "sv": "Ekosystemavtalens portfölj"}


def _database_down():  # type: ignore[no-untyped-def]
    """Every attempt to use the database fails as it does when the server is unreachable."""
    return mock.patch.object(BaseDatabaseWrapper, "ensure_connection",
                             side_effect=OperationalError("could not connect to server: Connection refused"))


@pytest.fixture
def signed_in(coordinator) -> Client:  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    return client


def test_the_500_handler_renders_the_portal_page_without_the_database():
    from config.api import handler500

    request = RequestFactory().get("/projects/")
    with _database_down() as down, translation.override("en"):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            response = handler500(request)
    assert down.call_count == 0, "the 500 page must not touch the database"
    assert response.status_code == 500
    body = response.content.decode()
    assert BRAND["en"] in body and "Something went wrong" in body
    assert "Server Error (500)" not in body


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_database_down_is_a_translated_503_page(signed_in, language):
    with _database_down():
        response = signed_in.get("/projects/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "Retry-After" in response
    body = response.content.decode()
    assert BRAND[language] in body
    assert f'lang="{language}"' in body
    assert "Server Error" not in body


def test_database_down_on_a_public_page_is_the_503_page():
    client = Client(raise_request_exception=False)
    with _database_down():
        response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 503
    assert BRAND["en"] in response.content.decode()


def test_database_down_under_api_is_the_json_503(ministry_user):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=ministry_user)
    client = Client(raise_request_exception=False)
    with _database_down():
        response = client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 503
    assert response.json() == {"status": 503, "code": "service_unavailable",
                               "detail": "The service is temporarily unavailable. Try again in a moment."}


def test_an_unexpected_error_is_the_translated_500_page(signed_in, monkeypatch):
    def boom(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    monkeypatch.setattr("portfolio.selectors.organisation_list", boom)
    response = signed_in.get("/projects/organisations/", HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code == 500
    body = response.content.decode()
    assert BRAND["fi"] in body and 'lang="fi"' in body
    assert "secret internals" not in body and "Traceback" not in body

"""Defect 8: bad input is a 400, never a server error, on SQLite and on PostgreSQL: NUL characters in query
strings (PostgreSQL cannot store or compare them), JSON nested deeper than the parser can follow, and request
bodies over the size limit. The API answers in its documented JSON error shape (config/api.py), the HTML
pages with the portal's 400 page."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

HTML_LISTS_WITH_NUL = [
    "/projects/organisations/?q=%00",
    "/governance/ideas/?stage=%00",
    "/projects/?q=%00",
    "/projects/?q=a%00b",
    "/governance/proposals/?status=%00",
    "/governance/meetings/?q=%00",
    "/funding/?year=%00",
    "/reports/?q=%00",
    "/projects/organisations/?%00=1",
]
API_LISTS_WITH_NUL = [
    "/api/v1/projects/?q=%00",
    "/api/v1/organisations/?q=%00",
    "/api/v1/proposals/?status=%00",
]


def _assert_error_shape(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.fixture
def signed_in(coordinator) -> Client:  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    return client


@pytest.mark.parametrize("url", HTML_LISTS_WITH_NUL)
def test_nul_in_the_query_string_of_an_html_page_is_a_400(signed_in, portfolio, url):
    response = signed_in.get(url)
    assert response.status_code == 400, (url, response.status_code)
    assert response["Content-Type"].startswith("text/html")
    assert "Bad request" in response.content.decode()


@pytest.mark.parametrize("url", API_LISTS_WITH_NUL)
def test_nul_in_the_query_string_of_the_api_is_a_json_400(api, portfolio, url):
    assert _assert_error_shape(api.get(url), 400)["code"] in ("invalid_query", "invalid_characters")


def test_json_nested_100000_deep_is_a_json_400(api, agreement):
    body = "[" * 100_000 + "]" * 100_000
    response = api.generic("POST", "/api/v1/projects/", body, content_type="application/json")
    data = _assert_error_shape(response, 400)
    assert data["code"] == "parse_error"


def test_json_nested_100000_deep_in_an_object_is_a_json_400(api, portfolio):
    body = '{"a":' * 100_000 + "1" + "}" * 100_000
    response = api.generic("PATCH", f"/api/v1/projects/{portfolio['idea'].pk}/", body,
                           content_type="application/json", HTTP_IF_MATCH='"1"')
    _assert_error_shape(response, 400)


def test_a_3_mb_json_body_is_a_json_400(api, agreement):
    body = json.dumps({"title_fi": "x" * (3 * 1024 * 1024)})
    response = api.generic("POST", "/api/v1/projects/", body, content_type="application/json")
    data = _assert_error_shape(response, 400)
    assert data["code"] == "request_too_large"


def test_a_3_mb_form_body_on_an_html_page_is_the_html_400(signed_in, agreement):
    response = signed_in.post("/projects/organisations/new/", {"name_fi": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_nul_in_a_form_field_is_a_field_error_not_a_server_error(signed_in, agreement):
    response = signed_in.post("/projects/organisations/new/", {"name_fi": "a\x00b", "kind": "company"})
    assert response.status_code in (200, 400)
    assert response.status_code != 500


def test_nul_in_the_session_cookie_is_a_400_not_a_database_error(portfolio):
    for url in ("/projects/", "/api/v1/projects/"):
        client = Client(raise_request_exception=False)
        client.cookies["sessionid"] = "abc\x00def"
        response = client.get(url)
        if url.startswith("/api/"):
            assert _assert_error_shape(response, 400)["code"] == "invalid_characters"
        else:
            assert response.status_code == 400


def test_nul_in_the_token_header_is_a_json_400(portfolio):
    client = Client(raise_request_exception=False)
    _assert_error_shape(client.get("/api/v1/projects/", HTTP_AUTHORIZATION="Token abc\x00def"), 400)

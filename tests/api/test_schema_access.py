"""Defect 9: the OpenAPI schema and the interactive docs are for portal users: a signed-in account without a
portal role (coordinator, steering, ministry) gets 403, like the rest of the API."""

from __future__ import annotations

import pytest
from django.test import Client

from .conftest import token_client

pytestmark = pytest.mark.django_db

SCHEMA = "/api/schema/"
DOCS = ("/api/docs/", "/api/docs/?script=")


def _session(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_a_user_without_a_portal_role_cannot_read_the_schema_or_the_docs(plain_user):
    assert token_client(plain_user).get(SCHEMA, HTTP_ACCEPT="application/vnd.oai.openapi+json").status_code == 403
    client = _session(plain_user)
    assert client.get(SCHEMA).status_code == 403
    for url in DOCS:
        response = client.get(url)
        assert response.status_code == 403, (url, response.status_code)
        assert b"SwaggerUIBundle" not in response.content and b"/api/v1/projects/" not in response.content


@pytest.mark.parametrize("role", ["coordinator", "steering", "ministry", "other_coordinator"])
def test_every_portal_role_reads_the_schema_and_the_docs(users, role):
    user = users[role]
    assert token_client(user).get(SCHEMA, HTTP_ACCEPT="application/vnd.oai.openapi+json").status_code == 200
    client = _session(user)
    for url in (SCHEMA, *DOCS):
        assert client.get(url).status_code == 200, url


def test_anonymous_users_are_sent_to_sign_in_for_the_docs(client):
    assert client.get(SCHEMA).status_code in (401, 403)
    response = client.get(DOCS[0])
    assert response.status_code == 302 and "/login/" in response["Location"]

"""Cross-cutting behaviour of /api/: authentication, the error shape, pagination, the schema and docs."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from tests.factories import ProjectFactory

from .conftest import ROLES

pytestmark = pytest.mark.django_db

COLLECTIONS = ["agreements", "priorities", "method-categories", "organisations", "projects", "funding-lines",
               "funding-frames", "proposals", "meetings", "decisions", "reports"]


def test_anonymous_gets_401_with_www_authenticate(client, agreement):
    for collection in COLLECTIONS:
        response = client.get(f"/api/v1/{collection}/")
        assert response.status_code == 401, collection
        assert response["WWW-Authenticate"].startswith("Token")
        assert response.json()["code"] == "not_authenticated"


def test_invalid_token_gets_401(agreement):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/projects/").status_code == 401


def test_signed_in_user_without_a_role_gets_403(clients):
    for collection in COLLECTIONS:
        response = clients["plain"].get(f"/api/v1/{collection}/")
        assert response.status_code == 403, collection
        assert set(response.json()) == {"status", "code", "detail"}


def test_every_portal_role_lists_every_collection(clients, portfolio):
    for role in ("coordinator", "steering", "ministry", "other_coordinator"):
        for collection in COLLECTIONS:
            response = clients[role].get(f"/api/v1/{collection}/")
            assert response.status_code == 200, (role, collection)
            assert set(response.json()) == {"count", "next", "previous", "results"}


def test_session_authentication_works_too(coordinator_client, agreement):
    response = coordinator_client.get("/api/v1/agreements/")
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == [agreement.code]


def test_session_writes_need_the_csrf_token(coordinator, agreement):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post("/api/v1/organisations/", {"name_fi": "X Oy", "kind": "company"},
                           content_type="application/json")
    assert response.status_code == 403


def test_unknown_api_url_is_a_json_404(api):
    response = api.get("/api/v1/no-such-collection/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_post_to_an_unknown_api_url_is_a_json_404_even_without_csrf(coordinator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post("/api/v1/no-such-collection/", {})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_unknown_object_is_a_json_404(api, agreement):
    response = api.get("/api/v1/projects/987654/")
    assert response.status_code == 404
    assert response.json() == {"status": 404, "code": "not_found", "detail": response.json()["detail"]}


def test_huge_id_is_a_404_not_a_database_error(api, agreement):
    assert api.get("/api/v1/projects/123456789012345678901234567890/").status_code == 404


def test_validation_error_has_field_messages(api, agreement):
    response = api.post("/api/v1/organisations/", {"kind": "nonsense", "business_id": "0201256-7"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {"name_fi", "kind"} <= set(body["errors"])
    assert all(isinstance(messages, list) and messages for messages in body["errors"].values())


def test_malformed_json_is_a_400(api, agreement):
    response = api.generic("POST", "/api/v1/organisations/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_nul_character_in_query_is_a_400(api, agreement):
    response = api.get("/api/v1/projects/", {"q": "a\x00b"})
    assert response.status_code == 400


def test_bad_query_values_never_give_a_server_error(api, portfolio):
    for query in ("page=abc", "page=0", "page=99999", "page_size=-5", "page_size=x", "ordering=nonsense",
                  "year=abc", "year=99999999999999999999", "priority=9", "agreement=abc",
                  "agreement=99999999999999999999", "organisation=-1", "instrument=XYZ", "q=" + "x" * 500):
        response = api.get(f"/api/v1/projects/?{query}")
        assert response.status_code in (200, 400, 404), query
        if response.status_code == 400:
            assert response.json()["errors"], query


def test_page_size_is_capped_at_500(api, agreement):
    org = ProjectFactory(agreement=agreement).lead_organisation
    for n in range(3):
        ProjectFactory(agreement=agreement, lead_organisation=org, code=f"CAP-{n}")
    response = api.get("/api/v1/projects/", {"page_size": 100000})
    assert response.status_code == 200
    assert len(response.json()["results"]) == response.json()["count"] <= 500


def test_pages_do_not_overlap_when_sorting_by_a_non_unique_field(api, agreement):
    org = ProjectFactory(agreement=agreement, code="S-00").lead_organisation
    for n in range(1, 12):
        ProjectFactory(agreement=agreement, lead_organisation=org, code=f"S-{n:02d}", status="running")
    seen = []
    for page in (1, 2, 3):
        response = api.get("/api/v1/projects/", {"ordering": "status", "page_size": 5, "page": page})
        if response.status_code == 404:
            break
        seen += [row["id"] for row in response.json()["results"]]
    assert len(seen) == len(set(seen)) == api.get("/api/v1/projects/").json()["count"]


def test_schema_is_served_to_signed_in_users_only(client, api):
    assert client.get("/api/schema/").status_code in (401, 403)
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for collection in COLLECTIONS:
        assert f"/api/v1/{collection}/" in paths
    assert "/api/v1/agreements/{id}/funding-summary/" in paths


def test_schema_generates_without_warnings():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--skip-checks", stdout=out)
    assert "openapi: 3" in out.getvalue()


def test_docs_need_login_and_use_self_hosted_assets(client, coordinator_client):
    response = client.get("/api/docs/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    response = coordinator_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html and "cdn.jsdelivr" not in html and "/static/drf_spectacular_sidecar/" in html
    # No inline script (the CSP allows only our own files and nonces): the initialiser is a separate file.
    assert "<script>" not in html
    script = coordinator_client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_roles_fixture_covers_every_role(users):
    assert set(users) == set(ROLES)


def test_no_collection_queries_per_row(api, portfolio, governance_records):
    """Every list costs the same number of queries for one row as for all rows (no N+1)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for collection in COLLECTIONS:
        counts = []
        for size in (1, 500):
            api.get(f"/api/v1/{collection}/", {"page_size": size})
            with CaptureQueriesContext(connection) as ctx:
                response = api.get(f"/api/v1/{collection}/", {"page_size": size})
            assert response.status_code == 200
            counts.append(len(ctx.captured_queries))
        if response.json()["count"] > 1:
            assert counts[0] == counts[1], (collection, counts)

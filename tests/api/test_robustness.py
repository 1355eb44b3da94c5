"""No HTML or stack traces from /api/, and extra payload keys never reach protected fields."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portfolio.models import Project

pytestmark = pytest.mark.django_db


def test_unexpected_error_is_a_json_500_without_a_traceback(ministry_user, monkeypatch):
    from portfolio.api import views

    def boom(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views.AgreementViewSet, "list", boom)
    client = Client(raise_request_exception=False)
    client.force_login(ministry_user)
    response = client.get("/api/v1/agreements/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "server_error"
    assert b"secret internals" not in response.content and b"Traceback" not in response.content


def test_html_pages_keep_their_html_404(coordinator_client):
    response = coordinator_client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


PROTECTED = {"status": st.sampled_from(["approved", "running", "closed", "rejected"]),
             "version": st.integers(min_value=0, max_value=10**6),
             "agreement": st.integers(min_value=1, max_value=10**6),
             "is_coordination_project": st.booleans(),
             "coordinator": st.integers(min_value=1, max_value=10**6),
             "id": st.integers(min_value=1, max_value=10**6),
             "created_at": st.just("2020-01-01T00:00:00Z")}


def test_extra_keys_never_change_protected_fields(api, portfolio):
    project = portfolio["idea"]
    watched = ("status", "agreement_id", "is_coordination_project", "coordinator_id", "created_at")
    before = Project.objects.filter(pk=project.pk).values(*watched).get()

    @given(extra=st.fixed_dictionaries({}, optional=PROTECTED),
           junk=st.dictionaries(st.text(min_size=1, max_size=12), st.integers() | st.text(max_size=5), max_size=3))
    @settings(max_examples=40, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    def patch(extra, junk):  # type: ignore[no-untyped-def]
        version = Project.objects.values_list("version", flat=True).get(pk=project.pk)
        response = api.patch(f"/api/v1/projects/{project.pk}/", {**junk, **extra, "summary_fi": "x"},
                             format="json", HTTP_IF_MATCH=f'"{version}"')
        assert response.status_code in (200, 400), response.content
        assert Project.objects.filter(pk=project.pk).values(*watched).get() == before

    patch()

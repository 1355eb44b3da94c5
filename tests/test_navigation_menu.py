"""The top bar offers a user only the sections they may open (found by the navigation walk, issue 15)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SECTIONS = ["portfolio:project-list", "funding:index", "governance:index", "reporting:index",
            "portfolio:organisation-list", "api-docs"]


def test_a_user_without_a_role_is_offered_no_section_and_told_why(plain_user, client):  # type: ignore[no-untyped-def]
    client.force_login(plain_user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 403
    html = response.content.decode()
    for name in SECTIONS:
        assert f'href="{reverse(name)}"' not in html, name
        assert client.get(reverse(name)).status_code == 403, name  # the links left out would be refused
    assert "no role in the portal yet" in html
    assert f'href="{reverse("notifications:list")}"' in html  # what the user may still open stays


def test_a_coordinator_is_offered_every_section(coordinator_client):  # type: ignore[no-untyped-def]
    html = coordinator_client.get(reverse("dashboard")).content.decode()
    for name in SECTIONS:
        assert f'href="{reverse(name)}"' in html, name

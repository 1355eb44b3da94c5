"""The API docs page (Swagger UI) belongs to the portal: its language, a translated title, a way back
(issue 15, item 7)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "back", "title"), [
    ("fi", "Takaisin portaaliin", "API-dokumentaatio"),
    ("sv", "Tillbaka till portalen", "API-dokumentation"),
    ("en", "Back to the portal", "API documentation"),
])
def test_docs_page_links_back_to_the_portal_in_the_users_language(coordinator_client, language, back, title):
    coordinator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = coordinator_client.get(reverse("api-docs")).content.decode()
    assert f'<html lang="{language}">' in html
    assert f'<a href="{reverse("dashboard")}">← {back}</a>' in html
    assert f"<title>{title} – " in html
    assert 'id="swagger-ui"' in html and "<script>" not in html  # still the split view: no inline script


def test_docs_page_links_to_the_personal_token_page(coordinator_client):
    assert 'href="/accounts/tokens/"' in coordinator_client.get("/api/docs/").content.decode()

"""Personal API tokens (issue 15, also expected): a signed-in user creates named tokens on their own page, sees
the key once, uses it on the API, and revokes it; expired and revoked tokens are 401; only a hash is stored;
creation and revocation are in the security log; nobody sees or revokes another user's token."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portfolio import services
from portfolio.choices import SecurityEventKind
from portfolio.models import ApiToken, SecurityEvent

pytestmark = pytest.mark.django_db
PAGE = "/accounts/tokens/"
API = "/api/v1/projects/"


def _create(client: Client, name: str = "BI-raportti", expires_in: str = "90") -> tuple[str, str]:
    response = client.post(PAGE, {"name": name, "expires_in": expires_in})
    assert response.status_code == 200, response.content
    html = response.content.decode()
    match = re.search(r'id="new-token-key"[^>]*value="([^"]+)"', html)
    assert match, "the new key is shown"
    return match.group(1), html


def _api(key: str) -> int:
    return Client().get(API, headers={"Authorization": f"Token {key}"}).status_code


def test_token_is_shown_once_authenticates_and_stops_working_when_revoked(coordinator_client, coordinator):
    key, _ = _create(coordinator_client)
    token = ApiToken.objects.get(user=coordinator)
    assert token.name == "BI-raportti" and key.startswith(token.prefix)
    # Shown once: the list afterwards has the name and the prefix, never the key.
    listing = coordinator_client.get(PAGE)
    assert listing["Cache-Control"] == "no-store"
    page = listing.content.decode()
    assert "BI-raportti" in page and token.prefix in page and key not in page

    assert _api(key) == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    response = coordinator_client.post(reverse("accounts:api-token-revoke", args=[token.pk]))
    assert response.status_code == 302
    assert _api(key) == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    after = coordinator_client.get(PAGE).content.decode()
    assert "revoked" in after or "mitätöi" in after  # the message says so...
    assert 'card-title">BI-raportti' not in after  # ...and the list no longer has it


def test_the_key_is_not_stored_in_plain_text(coordinator_client, coordinator):
    key, _ = _create(coordinator_client)
    token = ApiToken.objects.get(user=coordinator)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert not any(key in value for value in stored)
    assert not any(key in str(event.detail) for event in SecurityEvent.objects.all())


def test_expired_token_is_refused_with_401(coordinator):
    start = timezone.now()
    created = services.api_token_create(user=coordinator, name="lyhyt", expires_in_days=30)
    with time_machine.travel(start + dt.timedelta(days=29), tick=False):
        assert _api(created.key) == 200
    with time_machine.travel(start + dt.timedelta(days=30, seconds=1), tick=False):
        response = Client().get(API, headers={"Authorization": f"Token {created.key}"})
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Token")


def test_a_token_without_expiry_keeps_working(coordinator):
    created = services.api_token_create(user=coordinator, name="pysyvä", expires_in_days=None)
    assert created.token.expires_at is None
    with time_machine.travel(timezone.now() + dt.timedelta(days=3 * 365), tick=False):
        assert _api(created.key) == 200


def test_unknown_key_with_the_marker_is_401():
    assert _api(services.API_TOKEN_MARKER + "x" * 43) == 401


def test_token_of_an_inactive_user_is_401(coordinator):
    created = services.api_token_create(user=coordinator, name="x", expires_in_days=30)
    coordinator.is_active = False
    coordinator.save()
    assert _api(created.key) == 401


def test_another_users_token_cannot_be_revoked_or_seen(coordinator_client, steering_member):
    theirs = services.api_token_create(user=steering_member, name="Kokouskalenteri", expires_in_days=90)
    response = coordinator_client.post(reverse("accounts:api-token-revoke", args=[theirs.token.pk]))
    assert response.status_code == 404
    theirs.token.refresh_from_db()
    assert theirs.token.revoked_at is None
    assert _api(theirs.key) == 200
    assert "Kokouskalenteri" not in coordinator_client.get(PAGE).content.decode()
    assert theirs.token.prefix not in coordinator_client.get(PAGE).content.decode()


def test_a_user_may_have_several_tokens(coordinator_client, coordinator):
    first, _ = _create(coordinator_client, "yksi")
    second, _ = _create(coordinator_client, "kaksi", expires_in="")
    assert first != second
    assert _api(first) == 200 and _api(second) == 200
    assert ApiToken.objects.filter(user=coordinator).count() == 2


def test_the_same_name_twice_is_an_error_next_to_the_field(coordinator_client, coordinator):
    _create(coordinator_client, "sama")
    response = coordinator_client.post(PAGE, {"name": "sama", "expires_in": "30"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_name_error"' in html and 'id="error-summary"' in html and 'id="new-token-key"' not in html
    assert ApiToken.objects.filter(user=coordinator).count() == 1


def test_a_revoked_name_can_be_used_again(coordinator):
    old = services.api_token_create(user=coordinator, name="uusittava", expires_in_days=30)
    services.api_token_revoke(token=old.token, user=coordinator)
    new = services.api_token_create(user=coordinator, name="uusittava", expires_in_days=30)
    assert _api(old.key) == 401 and _api(new.key) == 200


def test_an_expiry_that_is_not_offered_is_refused(coordinator_client, coordinator):
    response = coordinator_client.post(PAGE, {"name": "x", "expires_in": "10000"})
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=coordinator).exists()


def test_creation_and_revocation_are_in_the_security_log(coordinator_client, coordinator):
    _create(coordinator_client, "lokiin")
    token = ApiToken.objects.get(user=coordinator)
    coordinator_client.post(reverse("accounts:api-token-revoke", args=[token.pk]))
    created = SecurityEvent.objects.get(kind=SecurityEventKind.API_TOKEN_CREATED)
    revoked = SecurityEvent.objects.get(kind=SecurityEventKind.API_TOKEN_REVOKED)
    for event in (created, revoked):
        assert event.user == coordinator and event.object_type == "portfolio.apitoken"
        assert event.object_id == str(token.pk) and event.detail["name"] == "lokiin"
        assert event.request_id


def test_last_used_is_written_at_most_every_few_minutes(coordinator, django_assert_num_queries):
    created = services.api_token_create(user=coordinator, name="x", expires_in_days=30)
    start = timezone.now()
    services.api_token_authenticate(key=created.key, now=start)
    with django_assert_num_queries(1):  # the lookup only, no UPDATE
        services.api_token_authenticate(key=created.key, now=start + dt.timedelta(minutes=1))
    with django_assert_num_queries(2):
        token = services.api_token_authenticate(key=created.key, now=start + dt.timedelta(minutes=6))
    created.token.refresh_from_db()
    assert created.token.last_used_at == token.last_used_at == start + dt.timedelta(minutes=6)


def test_the_page_needs_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.post(PAGE, {"name": "x"}).status_code == 302
    assert not ApiToken.objects.exists()


def test_the_user_menu_links_to_the_token_page(coordinator_client):
    assert f'href="{PAGE}"' in coordinator_client.get(reverse("dashboard")).content.decode()


def test_admin_issued_drf_tokens_still_work(coordinator):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=coordinator)
    assert _api(token.key) == 200

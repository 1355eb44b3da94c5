"""Defect 7: behind the TLS proxy every request comes from the proxy's address. The sign-in lock-out
(django-axes, username + address) must use the client's address as the configured number of trusted
proxies report it in X-Forwarded-For, and must ignore the header when no proxy is trusted (spoofing)."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROXY = "10.9.9.9"
PASSWORD = "a-long-test-password-1"


def _post(client: Client, username: str, password: str, forwarded_for: str | None):  # type: ignore[no-untyped-def]
    extra = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


@pytest.fixture
def victim(coordinator):  # type: ignore[no-untyped-def]
    coordinator.set_password(PASSWORD)
    coordinator.save()
    return coordinator


def _lock_out(settings, username: str, forwarded_for: str | None) -> None:  # type: ignore[no-untyped-def]
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _post(attacker, username, "wrong-password", forwarded_for)
    assert _post(attacker, username, PASSWORD, forwarded_for).status_code == 429


def test_one_client_behind_the_proxy_does_not_lock_out_another(settings, victim):
    settings.TRUSTED_PROXY_COUNT = 1
    _lock_out(settings, victim.username, "203.0.113.7")
    response = _post(Client(), victim.username, PASSWORD, "198.51.100.4")
    assert response.status_code == 302


def test_the_address_is_taken_as_many_hops_from_the_right_as_there_are_trusted_proxies(settings, victim):
    settings.TRUSTED_PROXY_COUNT = 1
    # The attacker prepends a fake address; the trusted proxy appends the real one, which is what counts.
    _lock_out(settings, victim.username, "198.51.100.4, 203.0.113.7")
    assert _post(Client(), victim.username, PASSWORD, "198.51.100.4").status_code == 302
    assert _post(Client(), victim.username, PASSWORD, "203.0.113.7").status_code == 429


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings, victim):
    settings.TRUSTED_PROXY_COUNT = 0
    _lock_out(settings, victim.username, "203.0.113.7")
    # A different forged header does not escape the lock: the address is the connection's.
    assert _post(Client(), victim.username, PASSWORD, "198.51.100.4").status_code == 429


@pytest.mark.parametrize(
    ("count", "header", "expected"),
    [
        (0, "203.0.113.7", PROXY),
        (1, None, PROXY),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "1.1.1.1, 203.0.113.7", "203.0.113.7"),
        (2, "203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "10.0.0.2", PROXY),  # fewer hops than trusted proxies: the header is not trustworthy
        (1, "not-an-address", PROXY),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_client_address(settings, count, header, expected):
    from config.client_address import client_address

    settings.TRUSTED_PROXY_COUNT = count
    meta = {"REMOTE_ADDR": PROXY}
    if header is not None:
        meta["HTTP_X_FORWARDED_FOR"] = header
    assert client_address(RequestFactory().get("/", **meta)) == expected


def test_the_lock_out_uses_the_portal_s_client_address():
    from django.conf import settings

    assert settings.AXES_CLIENT_IP_CALLABLE == "config.client_address.client_address"
    assert isinstance(settings.TRUSTED_PROXY_COUNT, int)

"""Session lifetime (checklist #19): an idle limit and an absolute limit from settings, ended server-side;
a password change signs out every other session; deactivation ends sessions; a session cookie is useless
after sign-out."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from portfolio.choices import SecurityEventKind
from portfolio.models import SecurityEvent

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"
START = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def person(coordinator):  # type: ignore[no-untyped-def]
    coordinator.set_password(PASSWORD)
    coordinator.save()
    return coordinator


def _signed_in(client: Client) -> bool:
    response = client.get(reverse("dashboard"))
    return response.status_code == 200


def _login(username: str = "coord", password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content
    return client


@pytest.fixture
def limits(settings):  # type: ignore[no-untyped-def]
    settings.SESSION_IDLE_TIMEOUT = 15 * 60
    settings.SESSION_ABSOLUTE_LIFETIME = 2 * 3600
    return settings


def test_session_survives_activity_within_the_idle_limit(person, limits):
    with time_machine.travel(START, tick=False) as traveller:
        client = _login()
        traveller.shift(dt.timedelta(minutes=14))
        assert _signed_in(client)
        traveller.shift(dt.timedelta(minutes=14))
        assert _signed_in(client)


def test_idle_session_ends_and_redirects_to_login(person, limits):
    with time_machine.travel(START, tick=False) as traveller:
        client = _login()
        assert _signed_in(client)
        traveller.shift(dt.timedelta(minutes=16))
        response = client.get(reverse("dashboard"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        # Ended server-side: going back in time does not revive it.
        traveller.move_to(START)
        assert not _signed_in(client)
    event = SecurityEvent.objects.get(kind=SecurityEventKind.SESSION_EXPIRED)
    assert event.user == person and event.detail == {"reason": "idle"}


def test_absolute_lifetime_ends_even_an_active_session(person, limits):
    with time_machine.travel(START, tick=False) as traveller:
        client = _login()
        for _ in range(9):  # a request every 14 minutes: never idle, 126 minutes in all
            traveller.shift(dt.timedelta(minutes=14))
            _signed_in(client)
        assert not _signed_in(client)
    assert SecurityEvent.objects.get(kind=SecurityEventKind.SESSION_EXPIRED).detail == {"reason": "absolute"}


def test_api_request_with_expired_session_is_unauthenticated(person, limits):
    with time_machine.travel(START, tick=False) as traveller:
        client = _login()
        assert client.get("/api/v1/projects/").status_code == 200
        traveller.shift(dt.timedelta(minutes=16))
        assert client.get("/api/v1/projects/").status_code in (401, 403)


def test_password_change_signs_out_every_other_session(admin_user):
    admin_user.set_password(PASSWORD)
    admin_user.save()
    here, elsewhere = _login("root"), _login("root")
    new_password = "another-horse-battery-10"
    response = here.post(reverse("admin:password_change"), {"old_password": PASSWORD,
                                                            "new_password1": new_password,
                                                            "new_password2": new_password})
    assert response.status_code == 302
    assert here.get(reverse("admin:index")).status_code == 200  # update_session_auth_hash keeps this one
    assert elsewhere.get(reverse("admin:index")).status_code == 302  # every other session has ended


def test_password_set_by_an_administrator_signs_the_user_out(person):
    client = _login()
    person.set_password("reset-by-admin-2026x")
    person.save()
    assert not _signed_in(client)


def test_deactivation_ends_sessions(person):
    client = _login()
    assert _signed_in(client)
    person.is_active = False
    person.save()
    assert not _signed_in(client)


def test_old_session_cookie_is_anonymous_after_sign_out(person):
    client = _login()
    cookie = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert not _signed_in(replay)


def test_limits_come_from_settings():
    from config.settings import base

    assert base.SESSION_IDLE_TIMEOUT > 0 and base.SESSION_ABSOLUTE_LIFETIME >= base.SESSION_IDLE_TIMEOUT
    assert "config.middleware.SessionTimeoutMiddleware" in base.MIDDLEWARE

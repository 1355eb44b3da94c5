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


# --- the timeout warning's keep-alive (issue 15, also expected) ---------------------------------------------

KEEP_ALIVE = "/accounts/session/keep-alive/"


def test_keep_alive_restarts_the_idle_limit(person, limits):
    with time_machine.travel(START, tick=False) as traveller:
        client = _login()
        traveller.shift(dt.timedelta(minutes=10))
        response = client.post(KEEP_ALIVE)
        assert response.status_code == 200
        assert response.json()["expires_in"] == 15 * 60  # the idle limit counts again from now
        assert response.json()["ends_in"] == 2 * 3600 - 10 * 60  # the absolute limit does not move
        traveller.shift(dt.timedelta(minutes=14))  # 24 minutes after the last page, 14 after the keep-alive
        assert _signed_in(client)


def test_without_keep_alive_the_same_wait_signs_out(person, limits):
    # The counterpart of the test above: the keep-alive, not the waiting, is what kept that session.
    with time_machine.travel(START, tick=False) as traveller:
        client = _login()
        traveller.shift(dt.timedelta(minutes=10))
        traveller.shift(dt.timedelta(minutes=14))
        assert not _signed_in(client)


def test_keep_alive_cannot_pass_the_absolute_limit(person, limits):
    with time_machine.travel(START, tick=False) as traveller:
        client = _login()
        for _ in range(8):  # 112 minutes of activity
            traveller.shift(dt.timedelta(minutes=14))
            assert client.post(KEEP_ALIVE).status_code == 200
        assert client.post(KEEP_ALIVE).json()["expires_in"] == 8 * 60  # 120 - 112 minutes, not 15
        traveller.shift(dt.timedelta(minutes=9))
        assert client.post(KEEP_ALIVE).status_code == 401


def test_keep_alive_needs_a_signed_in_session_and_post(person, limits, client):
    response = client.post(KEEP_ALIVE)
    assert response.status_code == 401 and response.json() == {"status": "signed_out"}
    with time_machine.travel(START, tick=False) as traveller:
        signed_in = _login()
        assert signed_in.get(KEEP_ALIVE).status_code == 405
        traveller.shift(dt.timedelta(minutes=16))
        assert signed_in.post(KEEP_ALIVE).status_code == 401  # already ended: it does not come back


def test_keep_alive_needs_the_csrf_token(person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    assert client.get(reverse("dashboard")).status_code == 200  # sets the CSRF cookie, as for the page's script
    assert client.post(KEEP_ALIVE).status_code == 403
    token = client.cookies["csrftoken"].value
    assert client.post(KEEP_ALIVE, headers={"X-CSRFToken": token}).status_code == 200


def test_keep_alive_changes_no_data(person, limits):
    from django.apps import apps

    client = _login()

    def counts() -> dict[str, int]:
        return {m._meta.label: m._default_manager.count() for m in apps.get_models()
                if m._meta.label != "sessions.Session"}

    before = counts()
    assert client.post(KEEP_ALIVE).status_code == 200
    assert counts() == before


def test_pages_tell_the_script_when_the_session_ends(person, limits, settings):
    settings.SESSION_WARNING_BEFORE = 120
    with time_machine.travel(START, tick=False) as traveller:
        client = _login()
        traveller.shift(dt.timedelta(seconds=30))  # within the once-a-minute resolution: not noted as activity
        html = client.get(reverse("dashboard")).content.decode()
    assert 'data-session-expires-in="870"' in html and 'data-session-ends-in="7170"' in html
    assert 'data-session-warn="120"' in html and 'id="session-dialog"' in html
    assert 'data-session-expires-in' not in Client().get(reverse("login")).content.decode()

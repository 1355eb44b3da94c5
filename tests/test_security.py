"""Cross-cutting security requirements (reliability checklist items 2, 12, 14, 15, 17)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

# URLs anyone may open: signing in, choosing a language, the health check, static assets.
PUBLIC_PREFIXES = ("/accounts/login/", "/admin/login/", "/admin/logout/", "/i18n/", "/healthz", "/static/", "/media/",
                   "/open-data/")  # the public list of operations (Regulation (EU) 2021/1060, Art. 49(3))
# Accessibility statements are public by law (306/2019).
PUBLIC_EXACT = {"/saavutettavuus/", "/tillganglighet/", "/accessibility/"}


def _walk(patterns, prefix: str = ""):  # type: ignore[no-untyped-def]
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _concrete(route: str) -> str | None:
    """Turn a route into a URL with sample values, or None for regex routes we cannot fill."""
    route = route.lstrip("^").rstrip("$")
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<(?:str|slug):[^>]+>", "x", route)
    route = re.sub(r"<path:[^>]+>", "x", route)
    route = re.sub(r"<[^>]+>", "1", route)
    route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", route)
    route = route.replace("\\.", ".").replace("\\", "")
    if any(ch in route for ch in "()[]?*+|"):
        return None
    return "/" + route


def _all_urls() -> list[str]:
    urls = set()
    for route in _walk(get_resolver().url_patterns):
        url = _concrete(route)
        if url is None or url.startswith(PUBLIC_PREFIXES) or url in PUBLIC_EXACT:
            continue
        urls.add(url)
    return sorted(urls)


def test_every_non_public_url_refuses_anonymous_users(client, agreement):
    urls = _all_urls()
    assert len(urls) > 10
    leaks = []
    for url in urls:
        response = client.get(url)
        if response.status_code in (401, 403, 404, 405):
            continue
        if response.status_code in (301, 302) and "/login/" in response.get("Location", ""):
            continue
        leaks.append((url, response.status_code))
    assert leaks == [], f"{len(leaks)}/{len(urls)} URLs answer anonymous users: {leaks}"


def test_login_form_rejects_a_post_without_csrf_token(agreement):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403


def test_session_cookie_is_http_only_and_same_site(client, coordinator):
    coordinator.set_password("a-long-test-password-1")
    coordinator.save()
    response = client.post(reverse("login"), {"username": coordinator.username, "password": "a-long-test-password-1"})
    assert response.status_code == 302
    from django.conf import settings

    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert not session["domain"]


def test_html_responses_carry_security_headers(coordinator_client):
    response = coordinator_client.get(reverse("dashboard"))
    csp = response["Content-Security-Policy"]
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert re.search(r"script-src [^;]*'nonce-[A-Za-z0-9+/=_-]+'", csp)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_json_and_404_responses_carry_security_headers(coordinator_client):
    for url in ("/healthz", "/projects/999999/"):
        response = coordinator_client.get(url)
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert "Content-Security-Policy" in response, url


def test_hsts_is_sent_over_https_with_production_values(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response["Strict-Transport-Security"]


class TestBruteForce:
    def _fail(self, client: Client, username: str, ip: str):  # type: ignore[no-untyped-def]
        return client.post(reverse("login"), {"username": username, "password": "wrong-password"}, REMOTE_ADDR=ip)

    def test_username_is_locked_from_one_address_after_the_limit(self, coordinator, settings):
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self._fail(client, coordinator.username, "10.0.0.1")
        coordinator.set_password("a-long-test-password-1")
        coordinator.save()
        response = client.post(reverse("login"), {"username": coordinator.username,
                                                  "password": "a-long-test-password-1"}, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 429

    def test_lock_does_not_spread_to_another_address(self, coordinator, settings):
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self._fail(client, coordinator.username, "10.0.0.1")
        coordinator.set_password("a-long-test-password-1")
        coordinator.save()
        response = Client().post(reverse("login"), {"username": coordinator.username,
                                                    "password": "a-long-test-password-1"}, REMOTE_ADDR="10.0.0.2")
        assert response.status_code == 302

    def test_lock_expires_after_the_cool_off(self, coordinator, settings):
        import datetime as dt

        import time_machine
        from django.utils import timezone

        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self._fail(client, coordinator.username, "10.0.0.1")
        coordinator.set_password("a-long-test-password-1")
        coordinator.save()
        later = timezone.now() + dt.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
        with time_machine.travel(later, tick=False):
            response = client.post(reverse("login"), {"username": coordinator.username,
                                                      "password": "a-long-test-password-1"}, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 302

    def test_failed_sign_in_keeps_the_username_and_shows_an_error(self, coordinator):
        response = self._fail(Client(), coordinator.username, "10.0.0.3")
        assert response.status_code == 200
        body = response.content.decode()
        assert 'role="alert"' in body
        assert f'value="{coordinator.username}"' in body


def test_docker_compose_defines_the_production_stack():
    from pathlib import Path

    import yaml

    compose = yaml.safe_load((Path(__file__).resolve().parent.parent / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert int(services["db"]["image"].split(":")[1]) >= 15
    for name in ("db", "redis", "web"):
        assert "healthcheck" in services[name], name
    assert "gunicorn" in Path("Dockerfile").read_text()
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pgdata" in compose["volumes"]
    assert any(v.startswith("pgdata:") for v in services["db"]["volumes"])
    assert services["worker"]["environment"]["CELERY_BROKER_URL"].startswith("redis://")
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


# Rows a GET may legitimately write: sign-in bookkeeping, sessions and the download log (audit, not data).
_GET_MAY_WRITE = {"axes.accessattempt", "axes.accesslog", "axes.accessfailurelog", "sessions.session",
                  "reporting.reportdownload", "portfolio.securityevent"}


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    return {m._meta.label_lower: m._default_manager.count() for m in apps.get_models()
            if m._meta.label_lower not in _GET_MAY_WRITE and not m._meta.proxy}


def test_no_get_request_changes_portfolio_data(agreement, coordinator):
    from django.core.management import call_command

    call_command("seed_demo")
    client = Client()
    client.force_login(coordinator)
    urls = _all_urls()
    before = _row_counts()
    for url in urls:
        client.get(url)
    after = _row_counts()
    changed = {label: (before[label], after[label]) for label in before if before[label] != after[label]}
    assert changed == {}, f"GET requests changed rows: {changed}"

"""Fault scenario "database unreachable", with a real refusal: the portal runs in a subprocess with the
production settings against a PostgreSQL address where nothing listens (psycopg2 really connects and is
refused), and every kind of request gets the portal's own answer: the translated 503 page for HTML, the JSON
error shape for the API, 503 from the readiness probe; never Django's bare "Server Error (500)".
tests/test_error_pages.py checks the same pages with the failure injected in-process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from .faults import ROOT

pytestmark = pytest.mark.fault

PROBE = r"""
import json, django
django.setup()
from django.conf import settings
# Production settings as deployed, except the static files: no collectstatic manifest in a test run.
settings.STORAGES = {**settings.STORAGES,
                     "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
from django.test import Client
client = Client(raise_request_exception=False)
answers = {}
for name, method, path, headers in [
    ("login_page", "get", "/accounts/login/", {"HTTP_ACCEPT_LANGUAGE": "fi"}),
    ("sign_in", "post", "/accounts/login/", {"HTTP_ACCEPT_LANGUAGE": "sv"}),
    ("projects", "get", "/projects/", {"HTTP_ACCEPT_LANGUAGE": "fi", "HTTP_COOKIE": "sessionid=abc"}),
    ("api", "get", "/api/v1/projects/", {"HTTP_AUTHORIZATION": "Token 0123456789abcdef"}),
    ("ready", "get", "/healthz", {}),
]:
    kwargs = {"data": {"username": "x", "password": "y"}} if method == "post" else {}
    response = getattr(client, method)(path, secure=True, **kwargs, **headers)
    answers[name] = {"status": response.status_code, "type": response.get("Content-Type", ""),
                     "body": response.content.decode()[:4000]}
print("PROBE" + json.dumps(answers))
"""


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # released again: nothing listens there


@pytest.fixture(scope="module")
def answers() -> dict[str, dict[str, object]]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production",
           "DATABASE_URL": f"postgres://portal@127.0.0.1:{_closed_port()}/portal",
           "SECRET_KEY": "test-only-" + "x" * 60, "ALLOWED_HOSTS": "testserver",
           "CELERY_BROKER_URL": "memory://"}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    line = next((line for line in result.stdout.splitlines() if line.startswith("PROBE")), None)
    assert line is not None, result.stdout[-2000:] + result.stderr[-4000:]
    return json.loads(line[len("PROBE"):])


def test_the_sign_in_page_itself_needs_no_database(answers):  # type: ignore[no-untyped-def]
    answer = answers["login_page"]
    assert answer["status"] == 200 and 'name="password"' in str(answer["body"]), answer
    # An unknown session is no session: to the sign-in page, without the database.
    assert answers["projects"]["status"] == 302


def test_html_pages_answer_the_translated_503_page(answers):  # type: ignore[no-untyped-def]
    for name, brand in (("sign_in", "Ekosystemavtalens portfölj"),):
        answer = answers[name]
        assert answer["status"] == 503, (name, answer)
        assert str(answer["type"]).startswith("text/html")
        assert brand in str(answer["body"]) and "Server Error" not in str(answer["body"]), name


def test_the_api_answers_its_json_503(answers):  # type: ignore[no-untyped-def]
    answer = answers["api"]
    assert answer["status"] == 503 and str(answer["type"]).startswith("application/json"), answer
    assert json.loads(str(answer["body"]))["code"] == "service_unavailable"


def test_the_readiness_probe_says_the_database_is_down(answers):  # type: ignore[no-untyped-def]
    answer = answers["ready"]
    assert answer["status"] == 503, answer
    assert json.loads(str(answer["body"]))["database"] == "down"

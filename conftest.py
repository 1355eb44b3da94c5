"""Shared fixtures: the loaded agreement, users per role and logged-in clients."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from tests.factories import AgreementFactory, UserFactory

# The Playwright fixtures (one browser per worker) for browser tests in any app.
pytest_plugins = ["tests.browser.fixtures"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _source_language():  # type: ignore[no-untyped-def]
    """Each test starts in the settings' language. A request served in Swedish (a cookie, Accept-Language)
    leaves Swedish active in the thread after the response, and the next test of the same worker would read
    its messages in Swedish."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def agreement(db):  # type: ignore[no-untyped-def]
    """The real Helsinki–Espoo–Vantaa agreement as `load_agreement` creates it (with roles and instruments)."""
    from portfolio.services import agreement_load

    return agreement_load().agreement


@pytest.fixture
def other_agreement(agreement):  # type: ignore[no-untyped-def]
    """A second city region's agreement, for tenant-boundary tests."""
    return AgreementFactory(with_priorities=True)


def _role_user(role: str, agreement=None, **kwargs):  # type: ignore[no-untyped-def]
    from portfolio.models import AgreementAccess

    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    if agreement is not None:
        AgreementAccess.objects.create(user=user, agreement=agreement)
    return user


@pytest.fixture
def coordinator(agreement):  # type: ignore[no-untyped-def]
    return _role_user("coordinator", agreement, username="coord")


@pytest.fixture
def steering_member(agreement):  # type: ignore[no-untyped-def]
    from governance.choices import GroupKind, MemberRole
    from governance.models import Membership, SteeringGroup

    user = _role_user("steering", None, username="steer")
    group = SteeringGroup.objects.get(kind=GroupKind.REGIONAL, agreement=agreement)
    Membership.objects.create(group=group, user=user, role=MemberRole.CHAIR)
    return user


@pytest.fixture
def ministry_user(agreement):  # type: ignore[no-untyped-def]
    return _role_user("ministry", None, username="tem")


@pytest.fixture
def other_coordinator(other_agreement):  # type: ignore[no-untyped-def]
    return _role_user("coordinator", other_agreement, username="othercoord")


@pytest.fixture
def plain_user(db):  # type: ignore[no-untyped-def]
    """Signed in, but without any portal role."""
    return UserFactory(username="norole")


@pytest.fixture
def admin_user(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def _client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def coordinator_client(coordinator) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(coordinator)


@pytest.fixture
def steering_client(steering_member) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(steering_member)


@pytest.fixture
def ministry_client(ministry_user) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(ministry_user)


@pytest.fixture
def other_coordinator_client(other_coordinator) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(other_coordinator)


@pytest.fixture
def admin_client_logged(admin_user) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(admin_user)


# --- language cases (tests/test_translated_writes.py): CI reports how many ran ---------------------------

_LANGUAGE_CASES: dict[str, str] = {}  # node id → outcome (failed if any phase failed)


def pytest_configure(config):  # type: ignore[no-untyped-def]
    config.addinivalue_line("markers", "language_case: a write of translated text under one UI language")


def pytest_runtest_logreport(report):  # type: ignore[no-untyped-def]
    if "language_case" not in report.keywords:
        return
    if report.failed:
        _LANGUAGE_CASES[report.nodeid] = "failed"
    elif report.when == "call" or report.skipped:
        _LANGUAGE_CASES.setdefault(report.nodeid, report.outcome)


def pytest_terminal_summary(terminalreporter):  # type: ignore[no-untyped-def]
    if _LANGUAGE_CASES:
        outcomes = list(_LANGUAGE_CASES.values())
        terminalreporter.write_line(
            f"{len(outcomes)} language cases: {outcomes.count('passed')} passed, {outcomes.count('failed')} failed, "
            f"{outcomes.count('skipped')} skipped")


# Fault injection (broker down, own Redis, worker subprocesses) and the "fault scenarios: N passed" summary line.
pytest_plugins.append("tests.faults")

"""The number of SQL queries of the dashboard (each role), the split pages and the funding-summary API does
not depend on the amount of data: the same count with a small and a larger portfolio, warm (figures from the
cache) and cold (cache emptied)."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.dataversion_helpers import settle_writes

pytestmark = pytest.mark.django_db

# Warm: the request's own reads (session, user, roles, agreements worked on, the data version, the
# notifications and the reports block), the figures from the cache: at most ten for every role. Cold: every
# figure computed; the dashboard still reads each block's figures with the block's own queries (see the report
# of issue 16): constant, but above ten.
WARM = {"coordinator": 10, "steering": 9, "ministry": 9}
COLD = {"coordinator": 42, "steering": 38, "ministry": 45}
COLD_POSTGRESQL = {**COLD, "ministry": 46}  # one query more there (not yet tracked down; constant all the same)
SPLITS = {"country": (8, 6), "agreement": (9, 7)}
SUMMARY = {"coordinator": (8, 7), "ministry": (6, 5)}


def _grow(agreements: int, projects: int) -> None:
    with open(os.devnull, "w") as devnull:
        call_command("seed_scale", agreements=agreements, projects=projects, stdout=devnull)


def _counts(get) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """(cold, warm) query counts of a request with a small portfolio, then with one nine times larger."""
    counts = []
    for agreements, projects in ((1, 10), (3, 90)):
        _grow(agreements, projects)
        settle_writes()
        cache.clear()
        pair = []
        for _ in ("cold", "warm"):
            with CaptureQueriesContext(connection) as queries:
                assert get().status_code == 200
            pair.append(len(queries))
        counts.append((pair[0], pair[1]))
    return counts


@pytest.fixture
def clients(coordinator_client, steering_client, ministry_client):  # type: ignore[no-untyped-def]
    return {"coordinator": coordinator_client, "steering": steering_client, "ministry": ministry_client}


@pytest.mark.parametrize("role", ["coordinator", "steering", "ministry"])
def test_dashboard_queries_do_not_grow_with_the_data(role, clients, agreement):
    client = clients[role]
    client.get("/")  # the session's first request writes it
    cold = (COLD_POSTGRESQL if connection.vendor == "postgresql" else COLD)[role]
    assert _counts(lambda: client.get("/")) == [(cold, WARM[role])] * 2


@pytest.mark.parametrize("scope", ["country", "agreement"])
def test_split_page_queries_do_not_grow_with_the_data(scope, ministry_client, agreement):
    params = {"scope": "country"} if scope == "country" else {"agreement": agreement.pk}
    ministry_client.get("/")
    assert _counts(lambda: ministry_client.get("/funding/splits/", params)) == [SPLITS[scope]] * 2


@pytest.mark.parametrize("role", ["coordinator", "ministry"])
def test_funding_summary_api_queries_do_not_grow_with_the_data(role, clients, agreement):
    client = clients[role]
    url = f"/api/v1/agreements/{agreement.pk}/funding-summary/"
    client.get(url)
    assert _counts(lambda: client.get(url)) == [SUMMARY[role]] * 2

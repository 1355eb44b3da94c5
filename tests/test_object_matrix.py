"""The role × object matrix (issue 19, point 4): every URL pattern that takes an object id, filled with an
object of agreement A, answered for each role by its status, for GET and, on the POST-only actions, for POST.

It complements tests/test_access_matrix.py (which scans every page of every role for the other agreement's
secrets and already compares foreign GETs with a missing id): here the owner's answer is checked too (the
view really opens A's objects for A's coordinator, so a 404 elsewhere means "hidden", not "broken"), and the
write actions are POSTed (each inside a rolled-back savepoint), where a foreign object must answer 404
exactly as a non-existent id does, before any validation or permission message could tell it exists.

- coordinator of A: 200/302 on a GET (405 on a POST-only action, whose POST is answered: not 404/405/5xx);
  the few view-dictated refusals are listed in OWNER_REFUSALS with their reason;
- coordinator of B: A's internal objects answer as a non-existent id (404; GET of a POST-only URL 405);
  A's public objects may be read but not written;
- signed-in user with no portal role: 403 or 404, the same for A's objects as for a missing id;
- anonymous: HTML redirects to sign in, the API answers 401/403.

A pattern whose object cannot be built fails (``_main_model``/``_children`` in test_access_matrix.py), so a
new view cannot be forgotten. The case count is printed at the end of the run (tests/conftest.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from tests.test_access_matrix import (  # noqa: F401 - `world` is the fixture
    Case,
    World,
    _cases,
    _client,
    _is_login_redirect,
    _params,
    _routes,
    world,
)

pytestmark = pytest.mark.django_db

# Refusals of the owner that the view dictates for the objects the matrix builds (status, why).
OWNER_REFUSALS: dict[tuple[str, str], tuple[int, str]] = {
    ("governance/proposals/<int:pk>/assess/", "GET"): (404, "the proposals have no criteria to assess against"),
    ("governance/decisions/<int:pk>/correct/", "GET"): (404, "the correcting meeting (?meeting=) is not given"),
    ("governance/meetings/<int:meeting_pk>/proposals/<int:proposal_pk>/decide/", "GET"): (
        403, "coordinators prepare; the steering group's chair or secretary records decisions"),
    ("governance/proposals/<int:pk>/agenda/add/", "POST"): (404, "the meeting (POST meeting=) is not given"),
    ("national/<int:pk>/", "GET"): (403, "the national view is the ministry's and the national steering group's, "
                                         "not a coordinator's as such (reporting.permissions.can_view_national)"),
}
ANSWERED_POST = {200, 201, 202, 204, 302, 400, 403, 409, 412}


def _is_api(url: str) -> bool:
    return url.startswith("/api/")


def _request(client: Client, method: str, url: str) -> int:
    """One request; a POST runs in a savepoint rolled back afterwards, so the world stays as built."""
    if method == "GET":
        response = client.get(url)
        return -302 if _is_login_redirect(response) else response.status_code
    with transaction.atomic():
        if _is_api(url):
            response = client.post(url, data="{}", content_type="application/json")
        else:
            response = client.post(url, {})
        transaction.set_rollback(True)
    return response.status_code if not _is_login_redirect(response) else -302


def _methods(world: World, route: str, cases: list[Case]) -> list[str]:  # noqa: F811 - the imported fixture
    """GET always; POST too when the owner's GET is refused as a POST-only URL."""
    owner = _client(world.users["coordinator A"])
    own = next((c for c in cases if c.side is world.a), None)
    if own is not None and owner.get(own.url).status_code == 405:
        return ["GET", "POST"]
    return ["GET"]


def _run(world: World) -> tuple[int, list[str]]:  # noqa: F811 - the imported fixture
    problems: list[str] = []
    count = 0
    clients = {label: _client(world.users[label]) for label in ("coordinator A", "coordinator B", "no role",
                                                               "anonymous")}
    for route in _routes():
        if not _params(route):
            continue
        cases = _cases(world, route)  # fails for a pattern whose object the matrix cannot build
        own = [c for c in cases if c.side is world.a]
        missing = next(c for c in cases if c.side is None)
        assert own, f"{route}: no object of agreement A"
        methods = _methods(world, route, cases)
        post_only = "POST" in methods
        for method in methods:
            answer_missing = {label: _request(client, method, missing.url) for label, client in clients.items()}
            for case in own:
                hidden = (type(case.obj), case.obj.pk) in world.a.hidden
                for label, client in clients.items():
                    status = _request(client, method, case.url)
                    count += 1
                    where = f"{label} {method} {case.url} ({route})"
                    if status >= 500:
                        problems.append(f"{where}: {status}")
                    elif label == "coordinator A":
                        expected = OWNER_REFUSALS.get((route, method))
                        if expected is not None:
                            if status != expected[0]:
                                problems.append(f"{where}: {status}, expected {expected[0]} ({expected[1]})")
                        elif method == "GET" and status not in ((200, 302, 405) if post_only else (200, 302)):
                            problems.append(f"{where}: {status} for the owner")
                        elif method == "POST" and status not in ANSWERED_POST:
                            problems.append(f"{where}: {status} for the owner")
                    elif label == "coordinator B":
                        if hidden:
                            if status != answer_missing[label] or status not in (404, 405):
                                problems.append(f"{where}: {status} for A's internal object, "
                                                f"{answer_missing[label]} for a missing id")
                        elif method == "POST" and status not in (403, 404):
                            problems.append(f"{where}: {status}: B may not write A's object")
                    elif label == "no role":
                        if status != answer_missing[label] or status not in (403, 404, 405):
                            problems.append(f"{where}: {status}, {answer_missing[label]} for a missing id")
                    elif label == "anonymous":
                        if status not in ((401, 403) if _is_api(case.url) else (-302,)):
                            problems.append(f"{where}: {status} for an anonymous user")
    return count, problems


def test_every_object_url_answers_each_role_as_it_should(world: World, record_property: Any) -> None:  # noqa: F811 - the imported fixture
    count, problems = _run(world)
    record_property("object_matrix_cases", count)
    record_property("object_matrix_leaks", len(problems))
    assert count > 500
    assert problems == [], f"{len(problems)} problems in {count} cases:\n" + "\n".join(problems)


def test_a_route_without_an_object_factory_fails_the_matrix(world: World) -> None:  # noqa: F811 - the imported fixture
    """Control: a new URL whose object the matrix does not know is an error, not a silent skip."""
    with pytest.raises(AssertionError, match="add it to MAIN_MODEL"):
        _cases(world, "governance/newthings/<int:pk>/")

"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis), authenticated as
every role, with a fixed seed and budget. Checks: no server errors, responses conform to the schema.

The requests go in-process to the WSGI application, inside the test's transaction, so the fixtures'
data is what the API sees; on SQLite and on PostgreSQL alike (`keep_db_connection`)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import DataGenerationMethod
from schemathesis.checks import not_a_server_error, response_schema_conformance

from .conftest import ROLES, token_client

pytestmark = pytest.mark.django_db


def _hypothesis_jsonschema_compat() -> None:
    """hypothesis-jsonschema 0.23 drives Hypothesis' internal `many` with the old `more()` protocol, which
    newer Hypothesis replaced by a context manager and iteration; adapt the old calls to the new one."""
    import types

    import hypothesis_jsonschema._from_schema as from_schema
    from hypothesis.internal.conjecture import utils as cu

    if hasattr(cu.many, "more") or getattr(from_schema.cu, "_compat", False):
        return

    class CompatMany:
        def __init__(self, data, min_size, max_size, average_size, **kwargs):  # type: ignore[no-untyped-def]
            self._many = cu.many(data, min_size=min_size, max_size=max_size, average_size=average_size, **kwargs)
            self._many.__enter__()
            self._iter = iter(self._many)

        def more(self) -> bool:
            try:
                next(self._iter)
            except StopIteration:
                self._many.__exit__(None, None, None)
                return False
            return True

        def reject(self, why: str | None = None) -> None:
            self._many.reject(why)

    shim = types.SimpleNamespace(**{name: getattr(cu, name) for name in dir(cu) if not name.startswith("__")})
    shim.many = CompatMany
    shim._compat = True
    from_schema.cu = shim


_hypothesis_jsonschema_compat()

EXAMPLES_PER_OPERATION_AND_ROLE = 6
MIN_REQUESTS = 1000
ROLE_BUDGET = {"anonymous": 2, "plain": 2}  # refused at the door: a few examples each is enough


def _raw_schema(user) -> dict:  # type: ignore[no-untyped-def]
    response = token_client(user).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture
def keep_db_connection(monkeypatch):  # type: ignore[no-untyped-def]
    """Django closes the database connection at the end of every request when it is "unusable or obsolete",
    and inside the test's transaction it always looks so (autocommit off). The test client switches the
    closing off for its own requests only and switches it back on afterwards; schemathesis calls the WSGI app
    directly, so on PostgreSQL the first fuzzed request closed the connection and ended the test's
    transaction. Keep the connection for the test's duration, whoever reconnects the signals."""
    from django.db.backends.base.base import BaseDatabaseWrapper

    monkeypatch.setattr(BaseDatabaseWrapper, "close_if_unusable_or_obsolete", lambda self: None)


def test_fuzz_every_operation_as_every_role(users, portfolio, governance_records, capsys,  # type: ignore[no-untyped-def]
                                            keep_db_connection, record_property):
    from rest_framework.authtoken.models import Token

    raw = _raw_schema(users["ministry"])
    app = get_wsgi_application()
    schema = schemathesis.from_dict(raw, app=app, data_generation_methods=[DataGenerationMethod.positive,
                                                                             DataGenerationMethod.negative])

    @schema.hook("before_generate_path_parameters")
    def existing_ids_mostly(context, strategy):  # type: ignore[no-untyped-def]
        # Hypothesis spreads ids over 0..10**18; fold most of them onto the fixtures' small ids so the
        # fuzzer exercises real objects (writes and actions included), not only 404s.
        def fold(params):  # type: ignore[no-untyped-def]
            value = params.get("id") if isinstance(params, dict) else None
            if isinstance(value, int) and not isinstance(value, bool) and value % 10:
                return {**params, "id": value % 12}
            return params

        return strategy.map(fold)

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25

    counts: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    failures: list[str] = []

    for role in ROLES:
        user = users[role]
        headers = {}
        if user is not None:
            headers["Authorization"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"
        budget = ROLE_BUDGET.get(role, EXAMPLES_PER_OPERATION_AND_ROLE)
        for operation in operations:
            _fuzz(operation, role, headers, budget, counts, statuses, failures)

    total = sum(counts.values())
    with capsys.disabled():
        print(f"\nschemathesis: {total} generated requests over {len(operations)} operations; "
              f"per role {dict(counts)}; statuses {dict(sorted(statuses.items()))}; failures {len(failures)}")
    # The run's summary line ("API fuzz: N generated requests, F failures") is printed from these (tests/conftest.py).
    record_property("fuzz_requests", total)
    record_property("fuzz_failures", len(failures))
    assert failures == [], "\n".join(failures[:20])
    assert total >= MIN_REQUESTS


def _fuzz(operation, role, headers, budget, counts, statuses, failures) -> None:  # type: ignore[no-untyped-def]
    @given(case=operation.as_strategy())
    @settings(max_examples=budget, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case):  # type: ignore[no-untyped-def]
        response = case.call_wsgi(headers=headers)
        counts[role] += 1
        statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=(not_a_server_error, response_schema_conformance))
        except Exception as exc:  # collect, report them all at the end
            failures.append(f"{role} {operation.verbose_name}: {str(exc)[:800]}")

    run()

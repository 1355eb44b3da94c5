"""Benchmark (not a test; `make bench`): /projects/ with 20 000 projects against a raw SQL query that
fetches the same first page from the same data. Prints absolute times and the ratio."""

from __future__ import annotations

import statistics
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from portfolio.models import Agreement, AgreementAccess
from tests.factories import UserFactory

PROJECTS = 20_000
RUNS = 7


def _median(fn) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm-up
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@pytest.mark.django_db
def test_project_list_with_20000_projects(capsys):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    call_command("seed_scale", agreements=2, projects=PROJECTS, stdout=open("/dev/null", "w"))
    seeded = time.perf_counter() - started
    from django.contrib.auth.models import Group

    user = UserFactory(username="bench-coordinator")
    user.groups.add(Group.objects.get(name="coordinator"))
    agreement = Agreement.objects.get(code="scale-1")
    AgreementAccess.objects.create(user=user, agreement=agreement)
    client = Client()
    client.force_login(user)

    def page() -> None:
        response = client.get("/projects/")
        assert response.status_code == 200

    def filtered() -> None:
        response = client.get("/projects/", {"q": "energia", "year": 2025, "ordering": "-end_date"})
        assert response.status_code == 200

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM portfolio_project WHERE agreement_id = %s OR status IN "
                           "('approved','running','closed')", [agreement.pk])
            cursor.fetchone()
            cursor.execute(
                "SELECT p.id, p.code, p.title_fi, a.name, pr.code, o.name, p.status, p.end_date, "
                "(SELECT SUM(l.planned_amount) FROM funding_fundingline l WHERE l.project_id = p.id), "
                "(SELECT SUM(l.granted_amount) FROM funding_fundingline l WHERE l.project_id = p.id) "
                "FROM portfolio_project p JOIN portfolio_agreement a ON a.id = p.agreement_id "
                "JOIN portfolio_priority pr ON pr.id = p.priority_id "
                "JOIN portfolio_organisation o ON o.id = p.lead_organisation_id "
                "WHERE p.agreement_id = %s OR p.status IN ('approved','running','closed') "
                "ORDER BY a.name, p.code LIMIT 50", [agreement.pk])
            ids = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT project_id, methodcategory_id FROM portfolio_project_methods WHERE project_id IN "
                           f"({','.join(['%s'] * len(ids))})", ids)
            cursor.fetchall()

    page_time, filtered_time, raw_time = _median(page), _median(filtered), _median(raw)
    with capsys.disabled():
        print(f"\nseed_scale: {PROJECTS} projects in {seeded:.1f} s ({connection.vendor})")
        print(f"/projects/ first page:         {page_time * 1000:8.1f} ms (median of {RUNS})")
        print(f"/projects/ filtered + sorted:  {filtered_time * 1000:8.1f} ms")
        print(f"raw SQL, same first page:      {raw_time * 1000:8.1f} ms")
        print(f"ratio view / raw SQL:          {page_time / raw_time:8.1f} x")
    assert page_time < 1.0, "the project list must answer well under a second"

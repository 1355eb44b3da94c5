"""Dashboard figures from the cache keyed by the data version (portfolio.dataversion): every way of writing
changes the version, so a figure read right after a write is the new one; a warm page is served from the
cache."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum

from funding.models import FundingInstrument, FundingLine
from funding.tests.conftest import add_line, make_project
from portfolio.dataversion import PENDING, data_tables, data_version
from tests.dataversion_helpers import settle_writes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def line(agreement):  # type: ignore[no-untyped-def]
    FundingLine.objects.filter(project__agreement=agreement).delete()
    project = make_project(agreement, status="running")
    return add_line(project, "ERDF", 2025, planned="1000", granted="600")


def _planned_via_sql(agreement) -> Decimal:  # type: ignore[no-untyped-def]
    """The planned total computed independently: a plain aggregate of the counted lines."""
    total = FundingLine.objects.filter(project__agreement=agreement).exclude(
        project__status__in=["idea", "rejected", "withdrawn"]).exclude(instrument__code="RRF").aggregate(
        s=Sum("planned_amount"))["s"]
    return (total or Decimal(0)).quantize(Decimal("0.01"))


def _summary(client, agreement) -> Decimal:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/agreements/{agreement.pk}/funding-summary/", {"basis": "planned"})
    assert response.status_code == 200
    return Decimal(response.json()["total"])


def _dashboard_funding_html(client) -> str:  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert response.status_code == 200
    return response.context["funding_html"]


def _write_service(line, admin_client) -> None:  # type: ignore[no-untyped-def]
    from funding.services import funding_lines_replace

    funding_lines_replace(project=line.project, user=None, lines=[
        {"instrument": "ERDF", "year": 2025, "planned_amount": Decimal("1500"), "granted_amount": Decimal("600")}])


def _write_admin(line, admin_client) -> None:  # type: ignore[no-untyped-def]
    response = admin_client.post(f"/admin/funding/fundingline/{line.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not FundingLine.objects.filter(pk=line.pk).exists()


def _write_api(line, admin_client) -> None:  # type: ignore[no-untyped-def]
    response = admin_client.put(f"/api/v1/projects/{line.project.pk}/funding-lines/", {"lines": [
        {"instrument": "ERDF", "year": 2025, "planned_amount": "2500.00", "granted_amount": "600.00",
         "spent_amount": "0.00"}]}, content_type="application/json")
    assert response.status_code == 200, response.content


def _write_queryset_update(line, admin_client) -> None:  # type: ignore[no-untyped-def]
    FundingLine.objects.filter(pk=line.pk).update(planned_amount=Decimal("3333"))


def _write_bulk_create(line, admin_client) -> None:  # type: ignore[no-untyped-def]
    FundingLine.objects.bulk_create([FundingLine(project=line.project, year=2026, planned_amount=Decimal("700"),
                                                 instrument=FundingInstrument.objects.get(code="CITY"))])


def _write_raw_sql(line, admin_client) -> None:  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE funding_fundingline SET planned_amount = 4444 WHERE id = %s", [line.pk])


def _write_project_status(line, admin_client) -> None:  # type: ignore[no-untyped-def]
    """Not a funding table: the project becomes rejected, so its lines stop counting."""
    from portfolio.models import Project

    Project.objects.filter(pk=line.project_id).update(status="rejected")


def _write_import(line, admin_client) -> None:  # type: ignore[no-untyped-def]
    from reporting.imports import LINES, portfolio_import, read_tables
    from reporting.tests.test_imports import workbook

    content = workbook(**{LINES: [[line.project.code, "CITY", 2026, "5 000,00"]]})
    result = portfolio_import(agreement=line.project.agreement, user=None, commit=True,
                              tables=read_tables(name="import.xlsx", content=content))
    assert result.committed, result.problems


WRITES = [_write_service, _write_admin, _write_api, _write_queryset_update, _write_bulk_create, _write_raw_sql,
          _write_project_status, _write_import]


@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.__name__.removeprefix("_write_"))
def test_a_figure_read_right_after_a_write_is_the_new_one(write, line, agreement, coordinator_client,
                                                          admin_client_logged):
    settle_writes()  # the fixtures' data committed: the figures below are cached
    before_summary = _summary(coordinator_client, agreement)
    before_html = _dashboard_funding_html(coordinator_client)
    assert before_summary == _planned_via_sql(agreement) == Decimal("1000.00")
    version = data_version()

    write(line, admin_client_logged)

    assert data_version() != version
    assert _summary(coordinator_client, agreement) == _planned_via_sql(agreement) != before_summary
    after_html = _dashboard_funding_html(coordinator_client)
    assert after_html != before_html
    settle_writes()  # the write committed: a new version for every other connection too
    committed = data_version()
    assert committed != version and not committed.startswith(PENDING)
    assert _dashboard_funding_html(coordinator_client) == after_html
    cache.clear()
    assert _dashboard_funding_html(coordinator_client) == after_html  # what a cold page computes


def test_a_warm_dashboard_is_served_from_the_cache(line, coordinator_client, monkeypatch):
    from reporting import views

    settle_writes()
    calls = []
    real = views.dashboard_funding
    monkeypatch.setattr(views, "dashboard_funding", lambda **kw: calls.append(1) or real(**kw))
    first = _dashboard_funding_html(coordinator_client)
    second = _dashboard_funding_html(coordinator_client)
    assert first == second and len(calls) == 1


def test_users_of_another_scope_or_language_get_figures_of_their_own(line, agreement, coordinator_client,
                                                                     other_coordinator_client):
    draft = make_project(agreement, status="proposal")  # a draft: only the agreement's own people see it
    add_line(draft, "CITY", 2025, planned="50")
    own = _summary(coordinator_client, agreement)
    foreign = _summary(other_coordinator_client, agreement)
    assert own == Decimal("1050.00") and foreign == Decimal("1000.00")
    assert coordinator_client.get("/", HTTP_ACCEPT_LANGUAGE="fi").context["funding_html"] != \
        coordinator_client.get("/", HTTP_ACCEPT_LANGUAGE="en").context["funding_html"]


def test_a_role_taken_away_shows_at_once_though_no_data_changed(line, agreement, coordinator, client):
    """The "new project" button is cached with the user's blocks; a role is a Django group, which the data
    version does not follow: the role belongs to the key."""
    from django.contrib.auth.models import Group

    from portfolio.roles import Role

    settle_writes()
    client.force_login(coordinator)
    assert client.get("/").context["can_create"] is True
    coordinator.groups.remove(Group.objects.get(name=Role.COORDINATOR))
    coordinator.groups.add(Group.objects.get_or_create(name=Role.STEERING)[0])
    assert client.get("/").context["can_create"] is False


def test_the_key_holds_the_day_the_figures_are_as_of(coordinator):
    from portfolio.dataversion import FigureCache

    today = FigureCache(user=coordinator)
    earlier = FigureCache(user=coordinator, as_of=dt.date(2025, 1, 31))
    assert today.key("x") != earlier.key("x")
    assert today.key("x", agreement=1) != today.key("x", agreement=2)


def test_a_migration_changes_the_version(db):
    version = data_version()
    call_command("migrate", verbosity=0)
    assert data_version() != version


def test_every_data_table_has_its_trigger_and_other_tables_have_none(db):
    tables = data_tables()
    assert "funding_fundingline" in tables and "portfolio_project" in tables
    assert "governance_decision" in tables and "followup_indicatorvalue" in tables
    assert "portfolio_project_methods" in tables and "funding_historicalfundingline" in tables
    assert "portfolio_notification" not in tables and "portfolio_dataversion" not in tables
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                           "WHERE t.tgname = 'portfolio_data_version'")
            triggered = {row[0] for row in cursor.fetchall()}
        else:
            cursor.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                           "AND name LIKE 'portfolio_data_version%'")
            triggered = {row[0] for row in cursor.fetchall()}
    assert triggered == set(tables)


def test_a_write_to_a_table_that_no_figure_reads_keeps_the_version(coordinator):
    from portfolio.models import Notification

    version = data_version()
    Notification.objects.filter(user=coordinator).update(read_at=None)
    Notification.objects.create(user=coordinator, kind=Notification.Kind.values[0])
    assert data_version() == version


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: the SQLite database has one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_two_writers_do_not_wait_for_each_other_on_the_version_row(agreement):
    # The token changes when a writer commits (a deferred trigger), so the version row is locked only during
    # a commit: a writer that then goes on to wait for another (a row lock, a proposal lock) can never hold
    # the version row the other one needs, which would be a deadlock. First version: a statement trigger
    # locked the row from the first write to the end of the transaction; B's write waited for A's commit.
    import threading

    from django.db import connections, transaction

    first = add_line(make_project(agreement, status="running"), "ERDF", 2025, planned="1000")
    second = add_line(make_project(agreement, status="running"), "ERDF", 2025, planned="2000")
    before = data_version()
    a_wrote, b_wrote = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def writer_a() -> None:
        try:
            with transaction.atomic():
                FundingLine.objects.filter(pk=first.pk).update(planned_amount=Decimal("1100.00"))
                a_wrote.set()
                seen["b wrote while a was open"] = b_wrote.wait(timeout=5)
                seen["a reads pending"] = data_version().startswith(PENDING)
        finally:
            connections.close_all()

    def writer_b() -> None:
        try:
            a_wrote.wait(timeout=5)
            with transaction.atomic():
                FundingLine.objects.filter(pk=second.pk).update(planned_amount=Decimal("2200.00"))
                b_wrote.set()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert seen == {"b wrote while a was open": True, "a reads pending": True}
    after = data_version()
    assert after != before and not after.startswith(PENDING)

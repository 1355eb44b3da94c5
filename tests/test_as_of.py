"""As of a date: figures answered from the state at the end of a past day (django-simple-history rows)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from funding.models import FundingFrame, FundingLine
from funding.selectors import agreement_split, country_split, frame_use, funding_summary
from portfolio import asof
from portfolio.models import Project
from tests.asof_helpers import TZ, moment
from tests.factories import FundingLineFactory, ProjectFactory, instrument

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(region):  # type: ignore[no-untyped-def]
    return region


@pytest.fixture
def history(asof_history):  # type: ignore[no-untyped-def]
    return asof_history

def test_funding_summary_as_of_past_days_answers_that_days_state(agreement, history):  # type: ignore[no-untyped-def]
    assert funding_summary(agreement_id=agreement.pk, as_of=dt.date(2022, 2, 28))["total"] == Decimal("0.00")
    assert funding_summary(agreement_id=agreement.pk, as_of=dt.date(2022, 3, 1))["total"] == Decimal("100000.00")
    in_2024 = funding_summary(agreement_id=agreement.pk, as_of=dt.date(2024, 12, 31))
    assert in_2024["total"] == Decimal("190000.00")
    assert in_2024["eu_state"] == Decimal("150000.00") and in_2024["local"] == Decimal("40000.00")
    # Withdrawn in 2025: no longer counts from then on, and not today.
    assert funding_summary(agreement_id=agreement.pk, as_of=dt.date(2025, 3, 1))["total"] == Decimal("40000.00")
    assert funding_summary(agreement_id=agreement.pk)["total"] == Decimal("40000.00")


def test_as_of_is_the_end_of_the_day_in_helsinki(agreement, history):  # type: ignore[no-untyped-def]
    line = history["line"]
    # 23:30 Helsinki time on 31.5. is still that day (20:30 UTC).
    FundingLine.history.filter(id=line.pk, granted_amount=Decimal("150000.00")).update(
        history_date=dt.datetime(2024, 5, 31, 23, 30, tzinfo=TZ))
    assert funding_summary(agreement_id=agreement.pk, as_of=dt.date(2024, 5, 30))["eu_state"] == Decimal("100000.00")
    assert funding_summary(agreement_id=agreement.pk, as_of=dt.date(2024, 5, 31))["eu_state"] == Decimal("150000.00")


def test_deleted_line_is_gone_from_its_deletion_on(agreement, history):  # type: ignore[no-untyped-def]
    line2 = history["line2"]
    line2._history_date = moment(dt.date(2024, 9, 1))
    line2.delete()
    assert funding_summary(agreement_id=agreement.pk, as_of=dt.date(2024, 8, 31))["local"] == Decimal("40000.00")
    assert funding_summary(agreement_id=agreement.pk, as_of=dt.date(2024, 9, 1))["local"] == Decimal("0.00")


def test_frame_use_as_of_reads_the_frame_and_statuses_of_that_day(agreement, history):  # type: ignore[no-untyped-def]
    def erdf_2023(as_of: dt.date | None) -> dict:  # type: ignore[type-arg]
        return next(u for u in frame_use(agreement=agreement, as_of=as_of) if u["code"] == "ERDF" and u["year"] == 2023)

    assert erdf_2023(dt.date(2023, 6, 1))["frame"] == Decimal("500000.00")
    assert erdf_2023(dt.date(2023, 6, 1))["committed"] == Decimal("100000.00")
    assert erdf_2023(dt.date(2024, 12, 31))["frame"] == Decimal("700000.00")
    assert erdf_2023(dt.date(2024, 12, 31))["committed"] == Decimal("150000.00")
    assert erdf_2023(None)["committed"] == Decimal("0.00")
    assert erdf_2023(dt.date(2024, 12, 31))["frame_id"] == history["frame"].pk


def _historical_path_for_today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """Make today's date go through the history tables (as if the clock were a day ahead)."""
    real_today = timezone.localdate()
    monkeypatch.setattr(asof, "today", lambda: real_today + dt.timedelta(days=1))
    return real_today


def test_live_and_history_paths_agree_today(agreement, history, monkeypatch):  # type: ignore[no-untyped-def]
    """The fast path (live tables) and the reconstruction from history give identical figures today."""
    FundingLineFactory(project=history["p2"], year=2025, granted_amount=Decimal("12345.67"),
                       planned_amount=Decimal("20000.01"), spent_amount=Decimal("5.55"))
    ProjectFactory(agreement=agreement, status="idea")
    live = {basis: funding_summary(agreement_id=agreement.pk, basis=basis) for basis in ("planned", "granted", "spent")}
    live_frames = frame_use(agreement=agreement)
    live_split = agreement_split(agreement=agreement, basis="planned")
    live_country = country_split(basis="granted")
    today = _historical_path_for_today(monkeypatch)
    assert not asof.is_live(today)
    for basis, expected in live.items():
        assert funding_summary(agreement_id=agreement.pk, basis=basis, as_of=today) == expected
    assert frame_use(agreement=agreement, as_of=today) == live_frames
    assert agreement_split(agreement=agreement, basis="planned", as_of=today) == live_split
    assert country_split(basis="granted", as_of=today) == live_country


def test_project_rows_as_of_follow_status_changes(agreement, history):  # type: ignore[no-untyped-def]
    p1 = history["p1"]
    assert asof.project_rows_as_of(dt.date(2024, 1, 1)).get(id=p1.pk).status == "running"
    assert asof.project_rows_as_of(dt.date(2025, 2, 1)).get(id=p1.pk).status == "withdrawn"
    assert not asof.project_rows_as_of(dt.date(2022, 2, 1)).filter(id=p1.pk).exists()
    assert Project.objects.get(pk=p1.pk).status == "withdrawn"
    assert FundingFrame.objects.count() == 1


# --- the API ---------------------------------------------------------------------------------------------

@pytest.fixture
def ministry_api(agreement):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Group
    from rest_framework.test import APIClient

    from tests.factories import UserFactory

    user = UserFactory(username="asof-ministry")
    user.groups.add(Group.objects.get(name="ministry"))
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_funding_summary_as_of_a_past_day(ministry_api, agreement, history):  # type: ignore[no-untyped-def]
    url = f"/api/v1/agreements/{agreement.pk}/funding-summary/"
    body = ministry_api.get(url, {"as_of": "2024-12-31"}).json()
    assert Decimal(body["total"]) == Decimal("190000.00")
    assert Decimal(ministry_api.get(url, {"as_of": "2022-03-01"}).json()["total"]) == Decimal("100000.00")
    assert ministry_api.get(url).json() == ministry_api.get(url, {"as_of": timezone.localdate().isoformat()}).json()


@pytest.mark.parametrize("value", ["2024-13-01", "31.12.2024", "yesterday", "2999-01-01"])
def test_api_funding_summary_bad_as_of_is_a_400_naming_the_field(ministry_api, agreement, value):  # type: ignore[no-untyped-def]
    response = ministry_api.get(f"/api/v1/agreements/{agreement.pk}/funding-summary/", {"as_of": value})
    assert response.status_code == 400
    assert response.json()["errors"]["as_of"]


def test_api_schema_documents_as_of(ministry_api):  # type: ignore[no-untyped-def]
    schema = ministry_api.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/agreements/{id}/funding-summary/"]["get"]
    assert any(p["name"] == "as_of" and p["schema"]["format"] == "date" for p in operation["parameters"])


def test_summary_and_dashboard_give_identical_figures_on_both_paths_today(agreement, history, monkeypatch):  # type: ignore[no-untyped-def]
    from funding.selectors import agreements_comparison, dashboard_funding
    from portfolio.selectors import dashboard_portfolio
    from reporting.periods import period_containing
    from reporting.selectors import summary_data
    from tests.factories import UserFactory

    user = UserFactory(username="asof-both-paths")
    user.is_superuser = True
    user.save()
    FundingLineFactory(project=history["p2"], year=2026, granted_amount=Decimal("1.01"), spent_amount=Decimal("0.99"))
    period = period_containing(timezone.localdate(), "quarter")

    def figures(as_of: dt.date | None) -> tuple:  # type: ignore[type-arg]
        funding = dashboard_funding(agreement=agreement, user=user, as_of=as_of)
        return (summary_data(audience="steering", period=period, agreement_id=agreement.pk),
                {k: funding[k] for k in ("granted", "planned", "regular", "priorities", "matrix")},
                dashboard_portfolio(user=user, agreement=agreement, as_of=as_of)["statuses"],
                [dict(r, agreement=r["agreement"].pk) for r in agreements_comparison(user=user, as_of=as_of)])

    live = figures(None)
    today = _historical_path_for_today(monkeypatch)
    assert figures(today) == live


def _matrix_euros(user, agreement, as_of):  # type: ignore[no-untyped-def]
    from portfolio.selectors import dashboard_portfolio

    data = dashboard_portfolio(user=user, agreement=agreement, as_of=as_of)
    return {(row["priority"].code, cell["method"].code): cell["amount"]
            for row in data["matrix"] for cell in row["cells"] if cell["amount"]}


def test_dashboard_matrix_euros_as_of_a_day_are_that_days_planned_amounts(region, django_assert_num_queries):  # type: ignore[no-untyped-def]
    """The priority × method matrix's euros as of a past day are the planned amounts of that day, on that
    day's priority and methods; today's are today's (issue 13)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portfolio.models import Priority
    from tests.asof_helpers import backdate, save_at
    from tests.factories import UserFactory

    user = UserFactory(username="asof-matrix", is_superuser=True)
    p1, p2 = (Priority.objects.get(agreement=region, code=c) for c in (1, 2))
    a = ProjectFactory(agreement=region, priority=p2, methods=[1, 3])
    backdate(a, moment(dt.date(2024, 1, 10)))
    line_a = FundingLineFactory(project=a, year=2025, planned_amount=Decimal("100000.00"))
    line_b = FundingLineFactory(project=a, year=2026, instrument=instrument("CITY"),
                                planned_amount=Decimal("20000.00"))
    backdate(line_a, moment(dt.date(2024, 1, 10)))
    backdate(line_b, moment(dt.date(2024, 1, 10)))
    save_at(line_a, moment(dt.date(2025, 3, 1)), planned_amount=Decimal("130000.00"))
    # Project b was in priority 1 until 2025-06-01, then moved to priority 2.
    b = ProjectFactory(agreement=region, priority=p1, methods=[3])
    backdate(b, moment(dt.date(2024, 1, 10)))
    line_c = FundingLineFactory(project=b, year=2025, planned_amount=Decimal("10000.00"))
    backdate(line_c, moment(dt.date(2024, 1, 10)))
    save_at(b, moment(dt.date(2025, 6, 1)), priority=p2)
    # Today's change: not in any past day.
    line_b.planned_amount = Decimal("25000.00")
    line_b.save()

    # 2024-12-31: a = 100 000 + 20 000 in (2, 1) and (2, 3); b = 10 000 in (1, 3).
    assert _matrix_euros(user, region, dt.date(2024, 12, 31)) == {
        (2, 1): Decimal("120000.00"), (2, 3): Decimal("120000.00"), (1, 3): Decimal("10000.00")}
    # 2025-03-01, end of day: line a raised to 130 000 → 150 000.
    assert _matrix_euros(user, region, dt.date(2025, 3, 1)) == {
        (2, 1): Decimal("150000.00"), (2, 3): Decimal("150000.00"), (1, 3): Decimal("10000.00")}
    # 2025-06-01: b moved to priority 2 → (2, 3) = 150 000 + 10 000.
    assert _matrix_euros(user, region, dt.date(2025, 6, 1)) == {
        (2, 1): Decimal("150000.00"), (2, 3): Decimal("160000.00")}
    # Today: line b 25 000 → a = 155 000.
    today = {(2, 1): Decimal("155000.00"), (2, 3): Decimal("165000.00")}
    assert _matrix_euros(user, region, None) == today
    assert _matrix_euros(user, region, timezone.localdate()) == today

    # The number of queries does not grow with the projects and lines.
    with CaptureQueriesContext(connection) as few:
        _matrix_euros(user, region, dt.date(2025, 3, 1))
    for code in (1, 3, 4):
        more = ProjectFactory(agreement=region, priority=Priority.objects.get(agreement=region, code=code),
                              methods=[1, 2])
        backdate(more, moment(dt.date(2024, 5, 1)))
        for year in (2024, 2025):
            backdate(FundingLineFactory(project=more, year=year, planned_amount=Decimal("1.00")),
                     moment(dt.date(2024, 5, 1)))
    with django_assert_num_queries(len(few.captured_queries)):
        euros = _matrix_euros(user, region, dt.date(2025, 3, 1))
    assert euros[(4, 2)] == Decimal("2.00") and euros[(2, 3)] == Decimal("150000.00")

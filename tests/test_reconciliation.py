"""One source per figure: every figure of the API's funding-summary, the dashboard and the summary data equals
an independent SQL aggregate over the history tables, to the cent, as of random days (issue 12).

Hypothesis builds random portfolios with random histories: projects of random statuses, priorities and
method categories, funding lines (and corrections), frames, and later changes (status, end date, amounts,
deleted lines, new frame amounts) at random moments since 2021. The expected figures are plain SQL written
here: for each object its latest history row before the end of the day (Europe/Helsinki), not deleted.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from rest_framework.test import APIClient

from funding.models import FundingFrame, FundingLine
from funding.selectors import agreements_comparison, dashboard_funding
from portfolio.models import MethodCategory, Project
from portfolio.selectors import dashboard_portfolio
from portfolio.services import roles_sync
from reporting.periods import period_containing
from reporting.selectors import summary_data
from tests.factories import AgreementFactory, OrganisationFactory, UserFactory, instrument

TZ = timezone.get_default_timezone()
FIRST_DAY = dt.date(2021, 1, 1)
STATUSES = ("idea", "proposal", "approved", "running", "closed", "rejected", "withdrawn")
INSTRUMENTS = ("ERDF", "ESF", "AKKE", "RRF", "CITY", "PUBLIC", "PRIVATE")
# The counting rule, written out for the SQL below (docs/counting rules; funding.selectors.countable_lines):
# lines of rejected and withdrawn projects never count.
NOT_COUNTED_STATUSES = ("idea", "rejected", "withdrawn")  # and RRF lines (used separately)
DECIDED_STATUSES = ("approved", "running", "closed")
ACTIVE_STATUSES = ("approved", "running")
CENTS = Decimal("0.01")

money = st.integers(min_value=0, max_value=300_000_000).map(lambda c: Decimal(c) * CENTS)
signed_money = st.integers(min_value=-50_000_000, max_value=50_000_000).map(lambda c: Decimal(c) * CENTS)
days = st.integers(min_value=0, max_value=(timezone.localdate() - FIRST_DAY).days - 1)
hours = st.sampled_from([0, 1, 9, 12, 22, 23])  # near midnight too: the day is Helsinki's

project_st = st.fixed_dictionaries({
    "status": st.sampled_from(STATUSES), "priority": st.integers(1, 4),
    "methods": st.sets(st.integers(1, 3), min_size=1, max_size=3), "supra": st.booleans(),
    "day": days, "hour": hours, "end": st.integers(0, 3000),
})
line_st = st.fixed_dictionaries({
    "project": st.integers(0, 5), "instrument": st.sampled_from(INSTRUMENTS), "year": st.integers(2021, 2027),
    "correction": st.booleans(), "amounts": st.tuples(money, money, money), "signed": st.tuples(
        signed_money, signed_money, signed_money), "after": st.integers(0, 400), "hour": hours,
})
frame_st = st.fixed_dictionaries({
    "instrument": st.sampled_from(("ERDF", "ESF", "AKKE")), "year": st.integers(2021, 2027), "amount": money,
    "day": days, "hour": hours,
})
change_st = st.one_of(
    st.tuples(st.just("status"), st.integers(0, 5), st.sampled_from(STATUSES), days, hours),
    st.tuples(st.just("end"), st.integers(0, 5), st.integers(0, 3000), days, hours),
    st.tuples(st.just("amounts"), st.integers(0, 11), st.tuples(money, money, money), days, hours),
    st.tuples(st.just("delete"), st.integers(0, 11), st.none(), days, hours),
    st.tuples(st.just("frame"), st.integers(0, 3), money, days, hours),
)
portfolio_st = st.fixed_dictionaries({
    "projects": st.lists(project_st, min_size=1, max_size=5),
    "lines": st.lists(line_st, max_size=10),
    "frames": st.lists(frame_st, max_size=4),
    "changes": st.lists(change_st, max_size=8),
    "as_of": st.one_of(st.none(), days.map(lambda d: FIRST_DAY + dt.timedelta(days=d))),
    "period_kind": st.sampled_from(("quarter", "half", "year")),
})


def _moment(day: int, hour: int) -> dt.datetime:
    return dt.datetime.combine(FIRST_DAY + dt.timedelta(days=day), dt.time(hour), tzinfo=TZ)


def _at(obj: Any, when: dt.datetime) -> None:
    obj._history_date = when  # simple-history dates the row written by the next save


# --- independent figures: plain SQL over the history tables ------------------------------------------------

def _latest(alias: str, table: str) -> str:
    """The condition that row `alias` is its object's latest history row before the cutoff, not a deletion
    (rows are written in time order by this test, so the latest row has the highest history_id)."""
    return (f"{alias}.history_type <> '-' AND {alias}.history_id = (SELECT MAX(z.history_id) FROM {table} z "
            f"WHERE z.id = {alias}.id AND z.history_date < %s)")


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _cents(value: Any) -> Decimal:
    return (Decimal(int(value or 0)) * CENTS).quantize(CENTS)


def expected_lines(agreement_id: int, cutoff: Any, field: str, group: str) -> dict[Any, Decimal]:
    """SUM(field) of the counted lines as of the cutoff, grouped by an SQL expression, in cents."""
    excluded = ", ".join(f"'{s}'" for s in NOT_COUNTED_STATUSES)
    sql = f"""
        SELECT {group}, SUM(CAST(ROUND(l.{field} * 100) AS BIGINT))
        FROM funding_historicalfundingline l
        JOIN portfolio_historicalproject p ON p.id = l.project_id
        JOIN funding_fundinginstrument i ON i.id = l.instrument_id
        JOIN portfolio_priority pr ON pr.id = p.priority_id
        WHERE {_latest("l", "funding_historicalfundingline")} AND {_latest("p", "portfolio_historicalproject")}
          AND p.agreement_id = %s AND p.status NOT IN ({excluded}) AND i.code <> 'RRF'
        GROUP BY {group}"""
    return {key: _cents(total) for key, total in _rows(sql, [cutoff, cutoff, agreement_id])}


def expected_projects(agreement_id: int, cutoff: Any, where: str = "", params: tuple[Any, ...] = ()) -> dict[str, int]:
    sql = f"""SELECT p.status, COUNT(*) FROM portfolio_historicalproject p
              WHERE {_latest("p", "portfolio_historicalproject")} AND p.agreement_id = %s {where}
              GROUP BY p.status"""
    counted = dict(_rows(sql, [cutoff, agreement_id, *params]))
    return {status: counted.get(status, 0) for status in STATUSES}


def expected_frames(agreement_id: int, cutoff: Any) -> Decimal:
    sql = f"""SELECT SUM(CAST(ROUND(f.amount * 100) AS BIGINT)) FROM funding_historicalfundingframe f
              WHERE {_latest("f", "funding_historicalfundingframe")} AND f.agreement_id = %s"""
    return _cents(_rows(sql, [cutoff, agreement_id])[0][0])


def _rows_by_cell(agreement_id: int, cutoff: Any, field: str) -> dict[tuple[str, int], Decimal]:
    excluded = ", ".join(f"'{s}'" for s in NOT_COUNTED_STATUSES)
    sql = f"""SELECT i.code, l.year, SUM(CAST(ROUND(l.{field} * 100) AS BIGINT))
              FROM funding_historicalfundingline l
              JOIN portfolio_historicalproject p ON p.id = l.project_id
              JOIN funding_fundinginstrument i ON i.id = l.instrument_id
              WHERE {_latest("l", "funding_historicalfundingline")} AND {_latest("p", "portfolio_historicalproject")}
                AND p.agreement_id = %s AND p.status NOT IN ({excluded}) AND i.code <> 'RRF'
              GROUP BY i.code, l.year"""
    return {(code, year): _cents(total) for code, year, total in _rows(sql, [cutoff, cutoff, agreement_id])}


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENTS)


@pytest.mark.django_db(transaction=False)
class TestReconciliation(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        roles_sync()
        cls.agreement = AgreementFactory(with_priorities=True)
        cls.organisation = OrganisationFactory()
        for code in (1, 2, 3):
            MethodCategory.objects.get_or_create(code=code, defaults={"name": f"M{code}", "name_fi": f"M{code}"})
        cls.instruments = {code: instrument(code) for code in INSTRUMENTS}
        cls.user = UserFactory(username="reconciliation-ministry")
        cls.user.groups.add(Group.objects.get(name="ministry"))

    def build(self, plan: dict[str, Any]) -> None:
        """Apply the random plan in time order, each write dated by simple-history's `_history_date`."""
        events: list[tuple[dt.datetime, int, str, Any]] = []
        for n, p in enumerate(plan["projects"]):
            events.append((_moment(p["day"], p["hour"]), len(events), "project", (n, p)))
        for n, line in enumerate(plan["lines"]):
            owner = plan["projects"][line["project"] % len(plan["projects"])]
            events.append((_moment(owner["day"], owner["hour"]) + dt.timedelta(days=line["after"], minutes=1),
                           len(events), "line", (n, line)))
        for n, f in enumerate(plan["frames"]):
            events.append((_moment(f["day"], f["hour"]), len(events), "new_frame", (n, f)))
        for change in plan["changes"]:
            events.append((_moment(change[3], change[4]), len(events), change[0], change))
        last = dt.datetime.combine(timezone.localdate(), dt.time.min, tzinfo=TZ)
        methods = {m.code: m for m in MethodCategory.objects.all()}
        priorities = {p.code: p for p in self.agreement.priorities.all()}
        projects: dict[int, Project] = {}
        lines: dict[int, FundingLine] = {}
        frames: dict[int, FundingFrame] = {}
        taken_lines: set[tuple[int, str, int, str]] = set()
        taken_frames: set[tuple[str, int]] = set()
        for when, _order, kind, payload in sorted(events, key=lambda e: (e[0], e[1])):
            if when >= last:
                continue  # history lies in the past; today's state is the live tables'
            if kind == "project":
                n, p = payload
                start = FIRST_DAY + dt.timedelta(days=p["day"])
                project = Project(agreement=self.agreement, code=f"R-{n}", title=f"R {n}", title_fi=f"R {n}",
                                  lead_organisation=self.organisation, priority=priorities[p["priority"]],
                                  status=p["status"], start_date=start,
                                  end_date=start + dt.timedelta(days=p["end"]), is_supra_regional=p["supra"])
                _at(project, when)
                project.save()
                project.methods.set([methods[c] for c in sorted(p["methods"])])
                projects[n] = project
            elif kind == "line":
                n, line = payload
                project = projects.get(line["project"] % len(plan["projects"]))
                key_kind = "correction" if line["correction"] else "line"
                if project is None:
                    continue
                key = (project.pk, line["instrument"], line["year"], key_kind)
                if key in taken_lines:
                    continue
                taken_lines.add(key)
                planned, granted, spent = line["signed"] if line["correction"] else line["amounts"]
                obj = FundingLine(project=project, instrument=self.instruments[line["instrument"]],
                                  year=line["year"], kind=key_kind, planned_amount=planned, granted_amount=granted,
                                  spent_amount=spent)
                _at(obj, when)
                obj.save()
                lines[n] = obj
            elif kind == "new_frame":
                n, f = payload
                if (f["instrument"], f["year"]) in taken_frames:
                    continue
                taken_frames.add((f["instrument"], f["year"]))
                frame = FundingFrame(agreement=self.agreement, instrument=self.instruments[f["instrument"]],
                                     year=f["year"], amount=f["amount"])
                _at(frame, when)
                frame.save()
                frames[n] = frame
            elif kind in ("status", "end"):
                project = projects.get(payload[1] % len(plan["projects"]))
                if project is None:
                    continue
                if kind == "status":
                    project.status = payload[2]
                else:
                    project.end_date = project.start_date + dt.timedelta(days=payload[2])
                _at(project, when)
                project.save()
            elif kind in ("amounts", "delete"):
                obj = lines.get(payload[1] % max(len(plan["lines"]), 1))
                if obj is None or obj.pk is None:
                    continue
                _at(obj, when)
                if kind == "delete":
                    obj.delete()
                    obj.pk = None
                    continue
                sign = -1 if obj.kind == "correction" and obj.granted_amount < 0 else 1
                obj.planned_amount, obj.granted_amount, obj.spent_amount = (a * sign for a in payload[2])
                obj.save()
            elif kind == "frame":
                frame = frames.get(payload[1] % max(len(plan["frames"]), 1))
                if frame is None:
                    continue
                frame.amount = payload[2]
                _at(frame, when)
                frame.save()

    def check(self, as_of: dt.date | None, period_kind: str) -> None:
        today = timezone.localdate()
        day = as_of or today
        period = period_containing(day, period_kind)
        # A summary tells the state at its period's end; the running period's is today's.
        stock_day = min(period.end, today)
        as_of_param = None if stock_day >= today else stock_day
        cutoff = connection.ops.adapt_datetimefield_value(
            dt.datetime.combine(stock_day + dt.timedelta(days=1), dt.time.min, tzinfo=TZ))
        a = self.agreement

        api = APIClient()
        api.force_authenticate(self.user)
        summary = summary_data(audience="steering", period=period, agreement_id=a.pk)["agreements"][0]
        dash_funding = dashboard_funding(agreement=a, user=self.user, as_of=as_of_param)
        dash_portfolio = dashboard_portfolio(user=self.user, agreement=a, as_of=as_of_param)
        comparison = next(r for r in agreements_comparison(user=self.user, as_of=as_of_param) if r["agreement"] == a)

        by_status = expected_projects(a.pk, cutoff)
        assert summary["projects"]["by_status"] == by_status
        assert {s["code"]: s["count"] for s in dash_portfolio["statuses"]} == by_status
        assert comparison["projects"] == sum(by_status.values())
        assert comparison["active"] == sum(by_status[s] for s in ACTIVE_STATUSES)

        for basis in ("planned", "granted", "spent"):
            field = f"{basis}_amount"
            params: dict[str, str] = {"basis": basis}
            if as_of_param is not None:
                params["as_of"] = as_of_param.isoformat()
            body = api.get(f"/api/v1/agreements/{a.pk}/funding-summary/", params).json()
            groups = expected_lines(a.pk, cutoff, field, "i.share_group")
            total = sum(groups.values(), Decimal("0.00"))
            assert _dec(body["total"]) == total
            for key in ("local", "eu_state", "private"):
                assert _dec(body[key]) == groups.get(key, Decimal("0.00")), (basis, key)
            by_priority = expected_lines(a.pk, cutoff, field, "pr.code")
            assert {r["code"]: _dec(r["total"]) for r in body["by_priority"]} == {
                c: by_priority.get(c, Decimal("0.00")) for c in (1, 2, 3, 4)}
            by_instrument = expected_lines(a.pk, cutoff, field, "i.code")
            assert {r["code"]: _dec(r["total"]) for r in body["by_instrument"]} == by_instrument
            by_year = expected_lines(a.pk, cutoff, field, "l.year")
            assert {r["year"]: _dec(r["total"]) for r in body["by_year"]} == by_year
            p = {c: by_priority.get(c, Decimal("0.00")) for c in (1, 2, 3, 4)}
            assert body["priority4_rule_ok"] == (not p[4] or all(p[4] < p[c] for c in (1, 2, 3)))

            if basis in ("planned", "granted"):
                assert _dec(summary["split"][basis]["total"]) == total
                assert _dec(summary["split"][basis]["local"]) == groups.get("local", Decimal("0.00"))
                assert dash_funding[basis]["total"] == total
                assert comparison[basis] == total
            assert {r["code"]: _dec(r[basis]) for r in summary["projects"]["by_priority"]} == p
            assert _dec(summary["funding"]["all_years"][basis]) == total
            cells = {(r["instrument"], r["year"]): _dec(r[basis]) for r in summary["funding"]["rows"]}
            for (code, year), value in _rows_by_cell(a.pk, cutoff, field).items():
                assert cells.get((code, year), Decimal("0.00")) == value, (basis, code, year)
        grid = {(code, year): total for code, year, total in _rows(
            f"""SELECT i.code, l.year, SUM(CAST(ROUND(l.granted_amount * 100) AS BIGINT))
                FROM funding_historicalfundingline l
                JOIN portfolio_historicalproject p ON p.id = l.project_id
                JOIN funding_fundinginstrument i ON i.id = l.instrument_id
                WHERE {_latest("l", "funding_historicalfundingline")} AND {_latest("p", "portfolio_historicalproject")}
                  AND p.agreement_id = %s AND p.status IN ('approved', 'running', 'closed')
                GROUP BY i.code, l.year""", [cutoff, cutoff, a.pk])}
        committed = {(r["instrument"], r["year"]): _dec(r["committed"]) for r in summary["funding"]["rows"]}
        for key, value in grid.items():
            assert committed.get(key, Decimal("0.00")) == _cents(value), key
        assert _dec(summary["funding"]["all_years"]["frame"]) == expected_frames(a.pk, cutoff)
        late = expected_projects(a.pk, cutoff, "AND p.status IN ('approved', 'running') AND p.end_date < %s",
                                 (stock_day,))
        ending = expected_projects(a.pk, cutoff, "AND p.status IN ('approved', 'running') "
                                   "AND p.end_date >= %s AND p.end_date <= %s",
                                   (stock_day, stock_day + dt.timedelta(days=90)))
        assert summary["late"]["count"] == sum(late.values())
        assert summary["ending"]["count"] == sum(ending.values())

    # No shrinking: on a shared CI machine it can take minutes; the failing example is printed as found.
    # mutmut runs the test several times in one process, each time on a new TestCase instance (a new
    # executor to hypothesis): each example builds its own data, so that is safe here.
    @settings(max_examples=30, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.differing_executors])
    @given(plan=portfolio_st)
    def test_every_figure_equals_an_independent_sql_aggregate(self, plan: dict[str, Any]) -> None:
        self.build(plan)
        self.check(plan["as_of"], plan["period_kind"])

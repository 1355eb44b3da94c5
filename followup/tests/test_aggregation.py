"""Targets against achieved as of dates, hand-computed; enterprise counts against an independent SQL query."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from followup.selectors import indicator_totals, project_indicator_figures
from followup.tests.factories import (
    EnterpriseFactory,
    IndicatorTargetFactory,
    IndicatorValueFactory,
    ProjectEnterpriseFactory,
    indicator,
)
from portfolio.models import Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(agreement):  # type: ignore[no-untyped-def]
    """A running project of the loaded agreement (the catalogue is loaded with it), 2024–2026."""
    return ProjectFactory(agreement=agreement, lead_organisation__municipality="Espoo")

D = dt.date


@pytest.fixture
def portfolio(agreement, other_agreement):  # type: ignore[no-untyped-def]
    from portfolio.models import Priority

    p2 = Priority.objects.get(agreement=agreement, code=2)
    projects = {
        "P1": ProjectFactory(agreement=agreement, lead_organisation__municipality="Espoo", methods=[1]),
        "P2": ProjectFactory(agreement=agreement, lead_organisation__municipality="Helsinki", priority=p2,
                             methods=[1, 3]),
        "P3": ProjectFactory(agreement=agreement, status="idea"),
        "P4": ProjectFactory(agreement=agreement, status="rejected"),
        "P5": ProjectFactory(agreement=agreement, status="running"),  # rejected later, below
        "PX": ProjectFactory(agreement=other_agreement),
    }
    # The portfolio was entered at the start of 2023; P5 was rejected only now.
    Project.history.update(history_date=dt.datetime(2023, 1, 1, 12, tzinfo=timezone.get_default_timezone()))
    p5 = projects["P5"]
    p5.status = "rejected"
    p5.save()

    e = {name: EnterpriseFactory(size_class=size) for name, size in
         (("E1", "micro"), ("E2", "small"), ("E3", "medium"), ("E4", "small"), ("E5", "large"))}
    for project, ent, relation, day, new in (
        ("P1", "E1", "grant", D(2024, 3, 1), False), ("P1", "E2", "non_financial", D(2024, 9, 1), False),
        ("P1", "E1", "research", D(2024, 3, 1), False),
        ("P2", "E1", "grant", D(2025, 2, 1), False), ("P2", "E3", "services", D(2024, 5, 1), False),
        ("P2", "E4", "grant", D(2025, 6, 1), True),
        ("P3", "E2", "grant", D(2024, 3, 1), False), ("P4", "E5", "grant", D(2024, 3, 1), False),
        ("PX", "E1", "grant", D(2024, 3, 1), False), ("PX", "E5", "grant", D(2024, 3, 1), False),
    ):
        ProjectEnterpriseFactory(project=projects[project], enterprise=e[ent], relation=relation, date=day, is_new=new)

    hev02, hev03 = indicator("HEV02"), indicator("HEV03")  # cumulative partners; per-period experiments
    for project, ind, start, end, value in (
        ("P1", hev02, None, D(2024, 6, 30), 2), ("P1", hev02, None, D(2024, 12, 31), 5),
        ("P1", hev02, None, D(2025, 6, 30), 7), ("P2", hev02, None, D(2025, 3, 31), 3),
        ("P1", hev03, D(2024, 1, 1), D(2024, 6, 30), 2), ("P1", hev03, D(2024, 7, 1), D(2024, 12, 31), 3),
        ("P2", hev03, D(2025, 1, 1), D(2025, 6, 30), 4), ("P3", hev03, D(2024, 1, 1), D(2024, 6, 30), 10),
        ("P5", hev03, D(2024, 1, 1), D(2024, 6, 30), 1),
    ):
        IndicatorValueFactory(project=projects[project], indicator=ind, period_start=start, period_end=end,
                              value=Decimal(value))
    for project, code, target in (("P1", "HEV03", 10), ("P2", "HEV03", 6), ("P3", "HEV03", 100),
                                  ("P1", "RCO01", 5)):
        IndicatorTargetFactory(project=projects[project], indicator=indicator(code), target_value=Decimal(target))
    return projects


def _by_code(rows):  # type: ignore[no-untyped-def]
    return {row.code: row for row in rows}


def _sql_distinct_enterprises(agreement_ids, relations, *, as_of, new_only=False):  # type: ignore[no-untyped-def]
    """Independent count: distinct business IDs over the counted projects, in plain SQL."""
    a_marks = ",".join(["%s"] * len(agreement_ids))
    r_marks = ",".join(["%s"] * len(relations))
    sql = (f"SELECT COUNT(DISTINCT e.business_id) FROM followup_projectenterprise pe "
           f"JOIN followup_enterprise e ON e.id = pe.enterprise_id JOIN portfolio_project p ON p.id = pe.project_id "
           f"WHERE p.agreement_id IN ({a_marks}) AND p.status NOT IN ('idea', 'rejected', 'withdrawn') "
           f"AND pe.relation IN ({r_marks}) AND pe.date <= %s" + (" AND pe.is_new" if new_only else ""))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*agreement_ids, *relations, as_of])
        return cursor.fetchone()[0]


SUPPORTED = ["grant", "non_financial", "research"]


def test_enterprise_counts_match_an_independent_query(portfolio, agreement, coordinator):
    day = timezone.localdate()
    rows = _by_code(indicator_totals(user=coordinator, agreement=agreement).rows)
    ids = [agreement.pk]
    assert rows["RCO01"].achieved == _sql_distinct_enterprises(ids, SUPPORTED, as_of=day) == 3
    assert rows["RCO02"].achieved == _sql_distinct_enterprises(ids, ["grant"], as_of=day) == 2
    assert rows["RCO04"].achieved == _sql_distinct_enterprises(ids, ["non_financial"], as_of=day) == 1
    assert rows["RCO05"].achieved == _sql_distinct_enterprises(ids, SUPPORTED, as_of=day, new_only=True) == 1
    assert rows["RCO10"].achieved == _sql_distinct_enterprises(ids, ["research"], as_of=day) == 1
    assert rows["HEV01"].achieved == _sql_distinct_enterprises(ids, [*SUPPORTED, "services"], as_of=day) == 4


def test_a_projects_own_count_is_its_own(portfolio):
    p1 = _by_code(project_indicator_figures(project=portfolio["P1"]))
    p2 = _by_code(project_indicator_figures(project=portfolio["P2"]))
    assert p1["RCO01"].achieved == 2 and p2["RCO01"].achieved == 2  # E1 in both: 4 in sum, 3 in the total
    assert p1["RCO01"].target == 5
    assert p1["RCO01"].by_size == {"micro": 1, "small": 1, "medium": 0, "large": 0}


def test_the_country_counts_a_shared_enterprise_once(portfolio, agreement, other_agreement, ministry_user,
                                                     coordinator):
    ministry = _by_code(indicator_totals(user=ministry_user).rows)
    day = timezone.localdate()
    both = [agreement.pk, other_agreement.pk]
    assert ministry["RCO02"].achieved == _sql_distinct_enterprises(both, ["grant"], as_of=day) == 3  # E1 E4 E5
    # A coordinator's country is the agreements they work on.
    assert _by_code(indicator_totals(user=coordinator).rows)["RCO02"].achieved == 2


@pytest.mark.parametrize(("as_of", "partners", "experiments", "supported", "grants", "involved"), [
    # P5 was running until it was rejected today: its experiment counts on any earlier day, not today.
    (D(2024, 12, 31), 5, 2 + 3 + 1, 2, 1, 3),
    (D(2025, 4, 15), 5 + 3, 2 + 3 + 1, 2, 1, 3),  # E4 only from June
    (D(2025, 6, 30), 7 + 3, 2 + 3 + 4 + 1, 3, 2, 4),
    (None, 7 + 3, 2 + 3 + 4, 3, 2, 4),
])
def test_totals_as_of_a_day(portfolio, agreement, coordinator, as_of, partners, experiments, supported, grants,
                            involved):
    totals = indicator_totals(user=coordinator, agreement=agreement, as_of=as_of)
    rows = _by_code(totals.rows)
    assert rows["HEV02"].achieved == partners
    assert rows["HEV03"].achieved == experiments
    assert rows["RCO01"].achieved == supported
    assert rows["RCO02"].achieved == grants
    assert rows["HEV01"].achieved == involved
    assert rows["HEV03"].target == 16  # P1 + P2; the idea's target is not counted


def test_breakdowns_by_priority_method_and_city(portfolio, agreement, coordinator):
    totals = indicator_totals(user=coordinator, agreement=agreement)
    by_priority = {g.label[:1]: _by_code(g.rows) for g in totals.breakdowns["priority"]}
    assert by_priority["1"]["HEV03"].achieved == 5 and by_priority["2"]["HEV03"].achieved == 4
    by_method = {g.label[:1]: _by_code(g.rows) for g in totals.breakdowns["method"]}
    assert by_method["1"]["RCO01"].achieved == 3 and by_method["3"]["RCO01"].achieved == 2
    by_city = {g.key: _by_code(g.rows) for g in totals.breakdowns["city"]}
    assert by_city["Espoo"]["HEV02"].achieved == 7 and by_city["Helsinki"]["HEV02"].achieved == 3
    # P1, P2 and the agreement's coordination project (load_agreement); not the idea nor the rejected ones.
    assert [g.projects for g in totals.breakdowns["agreement"]] == [3]


def test_percent_of_target(portfolio, agreement, coordinator):
    row = _by_code(indicator_totals(user=coordinator, agreement=agreement).rows)["HEV03"]
    assert row.percent == Decimal(round(9 * 100 / 16))


def test_the_totals_take_the_same_number_of_queries_however_many_projects(agreement, coordinator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            indicator_totals(user=coordinator, agreement=agreement, as_of=D(2025, 6, 30))
        return len(ctx.captured_queries)

    def add_projects(n: int) -> None:
        for _ in range(n):
            project = ProjectFactory(agreement=agreement, methods=[1, 2])
            ProjectEnterpriseFactory(project=project)
            IndicatorValueFactory(project=project)
            IndicatorTargetFactory(project=project)

    add_projects(2)
    queries()  # the user's roles and agreements are cached on the user by the first call
    few = queries()
    add_projects(6)
    assert queries() == few

"""The dashboard's pipeline trend (issue 15): projects and planned money by stage at the end of each quarter,
as the portfolio stood then. The expected figures are counted by hand from the history made here."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.selectors import pipeline_trend, quarter_ends
from portfolio.models import Project
from tests.asof_helpers import TZ, backdate, moment, save_at
from tests.factories import AgreementFactory, FundingLineFactory, ProjectFactory

pytestmark = pytest.mark.django_db

D = Decimal
STAGES = ("idea", "proposal", "approved", "running", "closed")


def _made(agreement, when, *, status, planned):  # type: ignore[no-untyped-def]
    project = ProjectFactory(agreement=agreement, status=status)
    line = FundingLineFactory(project=project, year=2025, planned_amount=D(planned), granted_amount=D(0))
    backdate(project, when)
    backdate(line, when)
    return project, line


@pytest.fixture
def trend_history(region):  # type: ignore[no-untyped-def]
    """A: an idea in Feb 2024 (100 000 € planned), a proposal in May, approved in Aug, raised to 150 000 € in
    Sep, running from Jan 2025. B: an idea in Apr 2024 (20 000 €), withdrawn in Nov. C: running from
    31.12.2024 23:30 Helsinki time (50 000 €), closed in Apr 2025. D: another agreement's, never counted."""
    region.valid_from = dt.date(2024, 1, 1)
    region.save()
    a, a_line = _made(region, moment(dt.date(2024, 2, 10)), status="idea", planned="100000")
    save_at(a, moment(dt.date(2024, 5, 5)), status="proposal")
    save_at(a, moment(dt.date(2024, 8, 20)), status="approved")
    save_at(a_line, moment(dt.date(2024, 9, 1)), planned_amount=D("150000"))
    save_at(a, moment(dt.date(2025, 1, 10)), status="running")
    b, _ = _made(region, moment(dt.date(2024, 4, 1)), status="idea", planned="20000")
    save_at(b, moment(dt.date(2024, 11, 15)), status="withdrawn")
    c, _ = _made(region, dt.datetime(2024, 12, 31, 23, 30, tzinfo=TZ), status="running", planned="50000")
    save_at(c, moment(dt.date(2025, 4, 1)), status="closed")
    _made(AgreementFactory(with_priorities=True), moment(dt.date(2024, 2, 1)), status="running", planned="999")
    return region


def _expected(**stages: tuple[int, str]) -> tuple[dict[str, int], dict[str, Decimal]]:
    counts = {stage: stages.get(stage, (0, "0"))[0] for stage in STAGES}
    return counts, {stage: D(stages.get(stage, (0, "0"))[1]) for stage in STAGES}


def test_quarter_ends_run_from_the_agreements_start_to_today():
    assert quarter_ends(start=dt.date(2024, 2, 10), until=dt.date(2025, 5, 15)) == [
        ("2024-Q1", dt.date(2024, 3, 31)), ("2024-Q2", dt.date(2024, 6, 30)), ("2024-Q3", dt.date(2024, 9, 30)),
        ("2024-Q4", dt.date(2024, 12, 31)), ("2025-Q1", dt.date(2025, 3, 31)), ("2025-Q2", dt.date(2025, 5, 15))]
    assert quarter_ends(start=dt.date(2024, 12, 31), until=dt.date(2024, 12, 31)) == [
        ("2024-Q4", dt.date(2024, 12, 31))]


def test_pipeline_trend_counts_each_quarter_as_it_stood_at_its_end(trend_history, admin_user):  # type: ignore[no-untyped-def]
    trend = pipeline_trend(agreement=trend_history, user=admin_user, today=dt.date(2025, 5, 15))
    got = {row["code"]: (row["counts"], row["planned"]) for row in trend["rows"]}
    assert list(got) == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
    assert got["2024-Q1"] == _expected(idea=(1, "100000"))
    assert got["2024-Q2"] == _expected(idea=(1, "20000"), proposal=(1, "100000"))
    assert got["2024-Q3"] == _expected(idea=(1, "20000"), approved=(1, "150000"))
    # B withdrawn (out of the pipeline); C saved at 23:30 on 31.12. Helsinki time belongs to that quarter.
    assert got["2024-Q4"] == _expected(approved=(1, "150000"), running=(1, "50000"))
    assert got["2025-Q1"] == _expected(running=(2, "200000"))
    assert got["2025-Q2"] == _expected(running=(1, "150000"), closed=(1, "50000"))


def test_pipeline_trend_makes_two_queries_whatever_the_number_of_quarters(
        trend_history, admin_user, django_assert_num_queries):  # type: ignore[no-untyped-def]
    with django_assert_num_queries(2):
        short = pipeline_trend(agreement=trend_history, user=admin_user, today=dt.date(2024, 6, 30))
    with django_assert_num_queries(2):
        long = pipeline_trend(agreement=trend_history, user=admin_user, today=dt.date(2025, 12, 31))
    assert (len(short["rows"]), len(long["rows"])) == (2, 8)


def test_pipeline_trend_counts_only_the_projects_the_user_may_see(trend_history, django_user_model):  # type: ignore[no-untyped-def]
    """Visibility is today's (docs/as-of.md): a user of no agreement sees today's decided projects (A running,
    C closed), in every quarter; B (withdrawn today) is left out also where it was an idea."""
    outsider = django_user_model.objects.create_user("outsider")
    trend = pipeline_trend(agreement=trend_history, user=outsider, today=dt.date(2025, 5, 15))
    got = {row["code"]: (row["counts"], row["planned"]) for row in trend["rows"]}
    assert got["2024-Q2"] == _expected(proposal=(1, "100000"))
    assert got["2024-Q3"] == _expected(approved=(1, "150000"))
    assert got["2025-Q1"] == _expected(running=(2, "200000"))


def test_the_current_quarter_is_todays_state(region, admin_user):  # type: ignore[no-untyped-def]
    """The last point is today (the live tables): a project made just now is in it, not in the quarter before."""
    ProjectFactory(agreement=region, status="proposal")
    rows = pipeline_trend(agreement=region, user=admin_user)["rows"]
    assert rows[-1]["counts"]["proposal"] == Project.objects.filter(agreement=region, status="proposal").count() == 1
    assert rows[-2]["counts"]["proposal"] == 0


def test_dashboard_shows_the_trend_charts_with_their_tables(client):  # type: ignore[no-untyped-def]
    from reporting.demo_seed import demo_seed

    demo_seed()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="coordinator"))
    html = client.get(reverse("dashboard")).content.decode()
    assert 'id="chart-trend-' in html and "chart-data-trend-" in html
    start = html.index('id="chart-data-trend-')
    island = json.loads(html[html.index(">", start) + 1:html.index("</script>", start)])
    assert island["unit"] == "count" and [s["style"] for s in island["series"]] == list(STAGES)
    assert island["labels"][0] == "2021-Q1"

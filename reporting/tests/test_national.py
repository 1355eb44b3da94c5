"""The national view (issue 13): every agreement side by side. Figures against hand-computed values for two
agreements, enterprises counted once, as of a day, who may see it, the number of queries, the page, the
download and the API."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followup.models import Enterprise, Indicator, IndicatorTarget, IndicatorValue, ProgressReport, ProjectEnterprise
from followup.tests.factories import valid_business_id
from funding.models import FundingInstrument, FundingLine
from governance.choices import GroupKind, MemberRole
from governance.models import Membership, SteeringGroup
from portfolio.models import Priority, Project
from reporting.selectors import national_export_rows, national_view
from tests.factories import AgreementFactory, ProjectFactory

pytestmark = pytest.mark.django_db

D = Decimal
TZ = timezone.get_default_timezone()


def _project(agreement, code: str, status: str, priority: int, **kwargs) -> Project:  # type: ignore[no-untyped-def]
    return ProjectFactory(agreement=agreement, code=code, title=f"{code} hanke", title_fi=f"{code} hanke",
                          status=status, priority=Priority.objects.get(agreement=agreement, code=priority),
                          start_date=dt.date(2024, 1, 1), end_date=dt.date(2027, 12, 31), **kwargs)


def _line(project, code: str, planned: str, granted: str = "0", spent: str = "0") -> FundingLine:  # type: ignore[no-untyped-def]
    return FundingLine.objects.create(project=project, instrument=FundingInstrument.objects.get(code=code), year=2025,
                                      planned_amount=D(planned), granted_amount=D(granted), spent_amount=D(spent))


def _report(project, start: dt.date, *, state: str, status: str = "", submitted: dt.datetime | None = None,  # type: ignore[no-untyped-def]
            due: dt.date | None = None) -> ProgressReport:
    end = dt.date(start.year, 6, 30) if start.month == 1 else dt.date(start.year, 12, 31)
    return ProgressReport.objects.create(project=project, period_start=start, period_end=end,
                                         due_date=due or end + dt.timedelta(days=60), review_state=state,
                                         status=status, status_reason="" if status in ("", "on_track") else "Syy.",
                                         submitted_at=submitted)


def _enterprise(n: int) -> Enterprise:
    return Enterprise.objects.create(business_id=valid_business_id(900 + n), name=f"Yritys {n} Oy",
                                     size_class="small")


@pytest.fixture
def world(agreement, other_agreement):  # type: ignore[no-untyped-def]
    """Two agreements with hand-computable figures (the real one without its coordination project's lines)."""
    FundingLine.objects.filter(project__agreement=agreement).delete()
    other_agreement.name = other_agreement.name_fi = "Zeta-seudun sopimus"
    other_agreement.save()
    a, b = agreement, other_agreement
    p1 = _project(a, "A-1", "running", 1)
    p2 = _project(a, "A-2", "approved", 4)
    idea = _project(a, "A-IDEA", "idea", 2)
    rejected = _project(a, "A-REJ", "rejected", 3)
    _line(p1, "ERDF", "600", "600", "300")
    _line(p1, "CITY", "400", "400", "100")
    _line(p2, "ERDF", "120", "60")
    _line(p2, "CITY", "80", "40")
    _line(idea, "ERDF", "1000", "1000")  # an idea's money counts nowhere
    _line(rejected, "ERDF", "500")
    q1 = _project(b, "B-1", "running", 1)
    q2 = _project(b, "B-2", "proposal", 2)
    _line(q1, "ERDF", "700", "700")
    _line(q1, "PRIVATE", "300", "300")
    _line(q2, "CITY", "200")

    _report(p1, dt.date(2025, 1, 1), state="accepted", status="at_risk",
            submitted=dt.datetime(2025, 8, 1, 12, tzinfo=TZ))
    _report(p1, dt.date(2025, 7, 1), state="draft", due=dt.date(2026, 3, 1))  # overdue
    _report(q1, dt.date(2025, 7, 1), state="submitted", status="on_track",
            submitted=dt.datetime(2026, 2, 1, 12, tzinfo=TZ))

    e1, e2, e3 = _enterprise(1), _enterprise(2), _enterprise(3)
    for project, enterprise, relation, day in ((p1, e1, "grant", dt.date(2024, 6, 1)),
                                               (p2, e1, "grant", dt.date(2024, 7, 1)),
                                               (q1, e1, "grant", dt.date(2024, 8, 1)),
                                               (p1, e2, "non_financial", dt.date(2024, 9, 1)),
                                               (q1, e3, "research", dt.date(2026, 5, 1))):
        ProjectEnterprise.objects.create(project=project, enterprise=enterprise, relation=relation, date=day)
    rco02, rcr01 = Indicator.objects.get(code="RCO02"), Indicator.objects.get(code="RCR01")
    IndicatorTarget.objects.create(project=p1, indicator=rco02, target_value=5)
    IndicatorTarget.objects.create(project=q1, indicator=rcr01, target_value=4)
    IndicatorValue.objects.create(project=q1, indicator=rcr01, period_end=dt.date(2025, 12, 31), value=D("2.5"))
    return {"a": a, "b": b, "p1": p1, "q1": q1}


def _rows(view):  # type: ignore[no-untyped-def]
    return {row["agreement"].pk: row for row in view.rows}


def _cell(row, code: str):  # type: ignore[no-untyped-def]
    from reporting.selectors import NATIONAL_KEY_INDICATORS

    return row["indicators"][NATIONAL_KEY_INDICATORS.index(code)]


# --- figures against hand-computed values ------------------------------------------------------------------

def test_money_of_each_agreement_and_the_country(world, ministry_user):
    rows = _rows(national_view(user=ministry_user))
    a, b = rows[world["a"].pk]["money"], rows[world["b"].pk]["money"]
    # A: 600 + 400 + 120 + 80 planned; 1000 + 100 granted; 400 spent (the idea and the rejected project left out).
    assert (a["planned"], a["granted"], a["spent"]) == (D("1200.00"), D("1100.00"), D("400.00"))
    # Local share of granted: (400 + 40) / 1100 = 40 %: within the split.
    assert a["split"]["granted"]["local_percent"] == D("40.00") and a["split"]["granted"]["split_ok"] is True
    # Priority 4 has 100 granted, priorities 2 and 3 nothing: the rule does not hold.
    assert a["priority4_ok"] == {"planned": False, "granted": False}
    assert (b["planned"], b["granted"], b["spent"]) == (D("1200.00"), D("1000.00"), D("0.00"))
    # B: 700 EU and state, 300 private, no local money: outside the split; no priority-4 money: the rule holds.
    b_granted = b["split"]["granted"]
    assert b_granted["local_percent"] == D("0.00") and b_granted["private_percent"] == D("30.00")
    assert b["split"]["granted"]["split_ok"] is False and b["priority4_ok"]["granted"] is True
    country = national_view(user=ministry_user).country["money"]
    assert (country["planned"], country["granted"], country["spent"]) == (D("2400.00"), D("2100.00"), D("400.00"))
    assert country["priority4_ok"]["granted"] is False  # it fails in A


def test_pipeline_of_each_agreement(world, ministry_user):
    rows = _rows(national_view(user=ministry_user))
    a = rows[world["a"].pk]["money"]["by_status"]
    # The coordination project (running) that load_agreement creates, A-1 running, A-2 approved, one idea, one
    # rejected.
    assert (a["running"], a["approved"], a["idea"], a["rejected"], a["proposal"]) == (2, 1, 1, 1, 0)
    b = rows[world["b"].pk]["money"]["by_status"]
    assert (b["running"], b["proposal"], b["idea"]) == (1, 1, 0)
    assert national_view(user=ministry_user).country["money"]["projects"] == 7


def test_progress_reports_of_each_agreement(world, ministry_user):
    view = national_view(user=ministry_user)
    rows = _rows(view)
    a, b = rows[world["a"].pk]["progress"], rows[world["b"].pk]["progress"]
    # A-1 at risk (its accepted report), A-2 and the coordination project without a report, one overdue draft.
    assert (a["on_track"], a["at_risk"], a["late"], a["unreported"], a["overdue"]) == (0, 1, 0, 2, 1)
    # B-1 on track (submitted), B-2 (a proposal) without a report.
    assert (b["on_track"], b["at_risk"], b["unreported"], b["overdue"]) == (1, 0, 1, 0)
    assert view.country["progress"]["unreported"] == 3 and view.country["progress"]["overdue"] == 1


def test_enterprises_are_counted_once_per_agreement_and_once_for_the_country(world, ministry_user):
    view = national_view(user=ministry_user)
    rows = _rows(view)
    # E1 reached by and B-1; E2 by A-1; E3 by B-1: A {E1, E2}, B {E1, E3}, the country {E1, E2, E3}.
    assert rows[world["a"].pk]["enterprises"].achieved == 2
    assert rows[world["b"].pk]["enterprises"].achieved == 2
    assert view.country["enterprises"].achieved == 3


def test_key_indicators_achieved_against_target_with_units(world, ministry_user):
    view = national_view(user=ministry_user)
    rows = _rows(view)
    rco02 = _cell(rows[world["a"].pk], "RCO02")
    assert (rco02.target, rco02.achieved, rco02.indicator.unit) == (D("5"), D("1"), "enterprises")
    rcr01 = _cell(rows[world["b"].pk], "RCR01")
    assert (rcr01.target, rcr01.achieved, rcr01.indicator.unit) == (D("4"), D("2.5"), "fte")
    assert _cell(view.country, "RCO02").achieved == 1  # E1 by grant through and B-1: once


# --- as of a day -------------------------------------------------------------------------------------------

def test_as_of_gives_the_figures_of_that_day(world, ministry_user):
    past = dt.datetime(2025, 1, 1, 9, tzinfo=TZ)
    Project.history.update(history_date=past)
    FundingLine.history.update(history_date=past)
    line = FundingLine.objects.get(project=world["p1"], instrument__code="ERDF")
    line.granted_amount = D("900")
    line.save()
    world["p1"].status = "closed"
    world["p1"].save()
    as_of = dt.date(2025, 9, 1)
    then = _rows(national_view(user=ministry_user, as_of=as_of))
    now = _rows(national_view(user=ministry_user))
    assert then[world["a"].pk]["money"]["granted"] == D("1100.00")
    assert now[world["a"].pk]["money"]["granted"] == D("1400.00")
    assert then[world["a"].pk]["money"]["by_status"]["running"] == 2
    assert now[world["a"].pk]["money"]["by_status"]["closed"] == 1
    # B-1's report was submitted only in February 2026; E3 was reached in May 2026.
    assert then[world["b"].pk]["progress"]["on_track"] == 0 and then[world["b"].pk]["progress"]["unreported"] == 2
    assert then[world["b"].pk]["enterprises"].achieved == 1
    # The A-1 draft was due on 1.3.2026: not overdue yet on 1.9.2025.
    assert then[world["a"].pk]["progress"]["overdue"] == 0 and now[world["a"].pk]["progress"]["overdue"] == 1


def test_the_drill_down_shows_the_results_of_that_day(world, ministry_user, ministry_client, monkeypatch):
    from followup.selectors import dashboard_results
    from reporting import views

    b = world["b"]
    then = {s["code"]: s["count"] for s in dashboard_results(user=ministry_user, agreement=b,
                                                              as_of=dt.date(2025, 9, 1))["statuses"]}
    now = {s["code"]: s["count"] for s in dashboard_results(user=ministry_user, agreement=b)["statuses"]}
    assert then["on_track"] == 0 and now["on_track"] == 1  # B-1's report was submitted in February 2026
    seen = []
    real = views.followup_selectors.dashboard_results
    monkeypatch.setattr(views.followup_selectors, "dashboard_results",
                        lambda **kw: seen.append(kw.get("as_of")) or real(**kw))
    response = ministry_client.get(reverse("national:agreement", args=[b.pk]), {"as_of": "2025-09-01"})
    assert response.status_code == 200 and seen == [dt.date(2025, 9, 1)]


def test_a_day_in_the_future_is_refused_next_to_the_field(world, ministry_client):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = ministry_client.get(reverse("national:index"), {"as_of": tomorrow})
    assert response.status_code == 200
    assert response.context["form"].errors["as_of"]
    assert response.context["view"].as_of == timezone.localdate()
    api = ministry_client.get(reverse("api:national"), {"as_of": tomorrow})
    assert api.status_code == 400 and "as_of" in str(api.json())


# --- who sees it ---------------------------------------------------------------------------------------------

URLS = ("national:index", "national:export-csv", "national:export-xlsx", "api:national")


@pytest.mark.parametrize("name", URLS)
def test_anonymous_users_are_sent_to_sign_in(client, world, name):
    response = client.get(reverse(name))
    if name.startswith("api:"):
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("name", URLS)
def test_a_coordinator_or_steering_member_outside_the_national_group_is_refused(world, coordinator_client,
                                                                                steering_client, name):
    assert coordinator_client.get(reverse(name)).status_code == 403
    assert steering_client.get(reverse(name)).status_code == 403
    agreement_page = reverse("national:agreement", args=[world["b"].pk])
    assert coordinator_client.get(agreement_page).status_code == 403


def test_the_ministry_sees_every_agreement_and_the_link_in_the_navigation(world, ministry_client):
    response = ministry_client.get(reverse("national:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="{reverse("national:index")}"' in body
    assert world["a"].name in body and "Zeta-seudun sopimus" in body
    assert f'href="{reverse("national:agreement", args=[world["b"].pk])}"' in body
    drill = ministry_client.get(reverse("national:agreement", args=[world["b"].pk]))
    assert drill.status_code == 200 and "Zeta-seudun sopimus" in drill.content.decode()


def test_the_navigation_has_no_link_for_a_coordinator(world, coordinator_client):
    body = coordinator_client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("national:index")}"' not in body


def test_a_national_group_member_sees_only_decided_projects_of_other_agreements(world, other_coordinator):
    """A city's coordinator in the national steering group: the view, but A's ideas, proposals and rejected
    projects, and A's indicators, stay A's own."""
    national = SteeringGroup.objects.get(kind=GroupKind.NATIONAL)
    Membership.objects.create(group=national, user=other_coordinator, role=MemberRole.MEMBER)
    rows = _rows(national_view(user=other_coordinator))
    a, b = rows[world["a"].pk], rows[world["b"].pk]
    assert a["full"] is False and b["full"] is True
    assert a["money"]["by_status"]["idea"] == 0 and a["money"]["by_status"]["rejected"] == 0
    assert a["money"]["projects"] == 3  # the running and approved ones
    assert b["money"]["by_status"]["proposal"] == 1  # its own agreement, whole
    assert a["enterprises"] is None and all(cell is None for cell in a["indicators"])
    assert b["enterprises"].achieved == 2
    from django.test import Client

    client = Client()
    client.force_login(other_coordinator)
    body = client.get(reverse("national:index")).content.decode()
    assert "A-IDEA" not in body and "decided projects only" in body


# --- queries ---------------------------------------------------------------------------------------------

def test_the_number_of_queries_does_not_grow_with_the_agreements(world, ministry_user, django_assert_num_queries):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            national_view(user=ministry_user)
        return len(ctx.captured_queries)

    national_view(user=ministry_user)  # the per-user caches (roles) filled
    two = count()
    for n in range(3):
        other = AgreementFactory(with_priorities=True)
        project = _project(other, f"C{n}-1", "running", 1)
        _line(project, "ERDF", "100", "100")
        ProjectEnterprise.objects.create(project=project, enterprise=_enterprise(10 + n), relation="grant",
                                         date=dt.date(2024, 6, 1))
        _report(project, dt.date(2025, 1, 1), state="accepted", status="on_track",
                submitted=dt.datetime(2025, 8, 1, tzinfo=TZ))
    assert len(national_view(user=ministry_user).rows) == 5
    with django_assert_num_queries(two):
        national_view(user=ministry_user)


# --- the page, the download, the API ---------------------------------------------------------------------

def test_the_page_shows_the_figures_in_the_locale(world, ministry_user):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="fi")
    client.force_login(ministry_user)
    client.cookies.load({"django_language": "fi"})
    body = client.get(reverse("national:index")).content.decode()
    assert "Kansallinen näkymä" in body
    assert "1\u00a0200,00\u00a0€" in body or "1 200,00 €" in body  # A's planned money, Finnish format
    assert "2\u00a0400,00" in body or "2 400,00" in body  # the country's


def test_sorting_by_granted_money(world, ministry_client):
    response = ministry_client.get(reverse("national:index"), {"ordering": "-granted"})
    names = [row["agreement"].pk for row in response.context["rows"]]
    assert names == [world["a"].pk, world["b"].pk]  # 1100 before 1000
    response = ministry_client.get(reverse("national:index"), {"ordering": "granted"})
    assert [row["agreement"].pk for row in response.context["rows"]] == [world["b"].pk, world["a"].pk]


def test_the_download_has_the_pages_figures(world, ministry_client):
    response = ministry_client.get(reverse("national:export-csv"))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 2 + 1 and all(len(row) == len(rows[0]) for row in rows)
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Zeta-seudun sopimus"][1:4] == ["1200.00", "1000.00", "0.00"]
    assert rows[-1][1] == "2400.00"
    xlsx = ministry_client.get(reverse("national:export-xlsx"))
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_export_rows_read_the_same_view(world, ministry_user):
    view = national_view(user=ministry_user)
    headings, rows = national_export_rows(view)
    assert rows[-1][headings.index("Enterprises reached (RCO01)")] == view.country["enterprises"].achieved == 3


def test_the_api_gives_the_same_figures(world, ministry_client):
    data = ministry_client.get(reverse("api:national")).json()
    by_code = {row["agreement"]["code"]: row for row in data["agreements"]}
    a = by_code[world["a"].code]
    assert a["money"]["granted"]["total"] == "1100.00" and a["money"]["granted"]["split_ok"] is True
    assert a["money"]["priority4_ok"] == {"planned": False, "granted": False}
    assert a["by_status"]["running"] == 2 and a["progress"]["overdue"] == 1 and a["enterprises"] == 2
    assert data["country"]["enterprises"] == 3 and data["country"]["money"]["spent"]["total"] == "400.00"
    rco02 = next(i for i in a["indicators"] if i["code"] == "RCO02")
    assert rco02 == {"code": "RCO02", "unit": "enterprises", "target": "5.00", "achieved": "1.00"}
    past = ministry_client.get(reverse("api:national"), {"as_of": "2021-01-01"}).json()
    assert past["as_of"] == "2021-01-01" and past["country"]["money"]["granted"]["total"] == "0.00"

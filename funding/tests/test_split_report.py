"""`split_report` (the steering group's splits: the whole, regular vs supra-regional, AKKE, per priority, city
and agreement) computes every part from one grouped query; each part must equal `split_of` / `split_by` of the
part's own lines, and the 40/60 gauge's geometry follows its split. Found unchecked by mutation testing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from funding.selectors import akke_lines, countable_lines, split_by, split_of
from funding.selectors.splits import _gauge, agreement_split, country_split, project_split, split_report
from tests.factories import FundingLineFactory, OrganisationFactory, ProjectFactory, instrument

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def portfolio(agreement, other_agreement):  # type: ignore[no-untyped-def]
    from portfolio.models import Priority

    def project(agreement_, code, city, priority=1, **kwargs):  # type: ignore[no-untyped-def]
        prio = Priority.objects.get_or_create(agreement=agreement_, code=priority,
                                              defaults={"name": f"P{priority}", "name_fi": f"P{priority}"})[0]
        return ProjectFactory(agreement=agreement_, code=code, priority=prio,
                              lead_organisation=OrganisationFactory(municipality=city), **kwargs)

    def line(project_, code, year, granted, planned=None):  # type: ignore[no-untyped-def]
        FundingLineFactory(project=project_, instrument=instrument(code), year=year, granted_amount=D(granted),
                           planned_amount=D(planned if planned is not None else granted))

    helsinki = project(agreement, "S-HKI", "Helsinki", 1)
    line(helsinki, "ERDF", 2025, "60000.00")
    line(helsinki, "CITY", 2025, "40000.00", "45000.00")
    espoo = project(agreement, "S-ESP", "Espoo", 2)
    line(espoo, "ERDF", 2025, "90000.00")
    line(espoo, "CITY", 2025, "10000.00")
    line(espoo, "PRIVATE", 2025, "5000.00")
    akke = project(agreement, "S-AKKE", "Vantaa", 3)
    line(akke, "AKKE", 2022, "30000.00")
    line(akke, "CITY", 2022, "20000.00")  # the own share of the AKKE year
    line(akke, "CITY", 2023, "7000.00")  # no AKKE that year: not AKKE funding
    network = project(agreement, "S-NET", "Helsinki", 4, is_supra_regional=True)
    line(network, "ERDF", 2025, "12000.00")
    line(network, "CITY", 2025, "8000.00")
    net2 = project(other_agreement, "S-NET2", "Oulu", 1, is_supra_regional=True)
    line(net2, "ERDF", 2026, "3000.00")
    theirs = project(other_agreement, "S-OULU", "Oulu", 1)
    line(theirs, "ERDF", 2026, "50000.00")
    line(theirs, "CITY", 2026, "50000.00")
    return {"helsinki": helsinki, "espoo": espoo, "akke": akke}


@pytest.mark.parametrize("basis", ["granted", "planned"])
def test_every_part_of_the_report_equals_the_split_of_its_own_lines(portfolio, basis):
    lines = countable_lines()
    report = split_report(lines=lines, basis=basis, by_agreement=True)
    regular = lines.filter(project__is_supra_regional=False)
    supra = lines.filter(project__is_supra_regional=True)
    assert report["all"] == split_of(lines, basis=basis)
    assert report["regular"] == split_of(regular, basis=basis)
    assert report["supra_regional"] == split_of(supra, basis=basis)
    assert report["akke"] == split_of(akke_lines(lines), basis=basis)
    assert report["by_priority"] == split_by(regular, group_field="project__priority__code", basis=basis)
    assert report["by_city"] == split_by(regular, group_field="project__lead_organisation__municipality",
                                         basis=basis)
    assert report["by_agreement"] == split_by(lines, group_field="project__agreement__name", basis=basis)
    assert report["supra_regional_projects"] == split_by(supra, group_field="project__code", basis=basis)
    assert report["regular_gauge"] == _gauge(report["regular"])
    assert report["akke_gauge"] == _gauge(report["akke"])
    assert "by_agreement" not in split_report(lines=lines, basis=basis)


def _koord(basis="granted"):  # type: ignore[no-untyped-def]
    """The agreement's own coordination project (loaded with the agreement) and its money."""
    return split_of(countable_lines().filter(project__is_coordination_project=True), basis=basis)["total"]


def test_the_figures_themselves(portfolio, agreement):
    report = split_report(lines=countable_lines(agreement_id=agreement.pk).exclude(
        project__is_coordination_project=True))
    assert (report["all"]["total"], report["regular"]["total"], report["supra_regional"]["total"]) == (
        D("282000.00"), D("262000.00"), D("20000.00"))
    assert [(row["key"], row["total"], row["local"], row["eu_state"], row["private"])
            for row in report["by_city"]] == [
        ("Espoo", D("105000.00"), D("10000.00"), D("90000.00"), D("5000.00")),
        ("Helsinki", D("100000.00"), D("40000.00"), D("60000.00"), D("0")),
        ("Vantaa", D("57000.00"), D("27000.00"), D("30000.00"), D("0"))]
    assert [(row["key"], row["local_percent"], row["split_ok"]) for row in report["by_priority"]] == [
        (1, D("40.00"), True), (2, D("9.52"), False), (3, D("47.37"), False)]
    akke = report["akke"]
    assert (akke["total"], akke["local"], akke["eu_state"]) == (D("50000.00"), D("20000.00"), D("30000.00"))
    assert [row["key"] for row in report["supra_regional_projects"]] == ["S-NET"]


def test_the_gauge_geometry():
    summary = {"target_local_percent": D("40"), "tolerance": D("2"), "local_percent": D("30.50"),
               "eu_state_percent": D("60.00"), "private_percent": D("9.50"), "split_ok": False, "total": D("10")}
    assert _gauge(summary) == {
        "has_total": True, "local_width": D("30.50"), "eu_x": D("30.50"), "eu_width": D("60.00"),
        "private_x": D("90.50"), "private_width": D("9.50"), "target": D("40"), "band_x": D("38"),
        "band_width": D("4"), "ok": False}
    empty = {**summary, "local_percent": None, "eu_state_percent": None, "private_percent": None,
             "total": D("0"), "split_ok": True, "tolerance": D("45")}
    assert _gauge(empty) == {
        "has_total": False, "local_width": D("0"), "eu_x": D("0"), "eu_width": D("0"), "private_x": D("0"),
        "private_width": D("0"), "target": D("40"), "band_x": D("0"), "band_width": D("90"), "ok": True}
    assert _gauge({**empty, "tolerance": D("60")})["band_width"] == D("100")


def test_the_split_of_a_project_an_agreement_and_the_country(portfolio, agreement, coordinator, ministry_user,
                                                             other_coordinator):
    helsinki = project_split(project=portfolio["helsinki"])
    assert (helsinki["total"], helsinki["local"]) == (D("105000.00"), D("45000.00"))  # planned by default
    assert project_split(project=portfolio["helsinki"], basis="granted")["total"] == D("100000.00")
    ours = agreement_split(agreement=agreement, user=coordinator)
    assert ours == split_report(lines=countable_lines(agreement_id=agreement.pk))
    assert agreement_split(agreement=agreement, user=coordinator, basis="planned")["all"]["total"] == D(
        "287000.00") + _koord("planned")
    country = country_split(user=ministry_user)
    assert country["all"]["total"] == D("385000.00") + _koord()
    assert [row["key"] for row in country["by_agreement"]] == sorted(
        row["key"] for row in country["by_agreement"])
    assert country_split(basis="planned")["all"]["total"] == D("390000.00") + _koord("planned")
    # Another agreement's coordinator sees our decided (running) projects only: all of them here.
    assert country_split(user=other_coordinator)["all"]["total"] == D("385000.00") + _koord()


def test_a_split_counts_what_the_user_sees_and_the_lines_as_they_stood(portfolio, agreement, other_coordinator,
                                                                       coordinator):
    import datetime as dt

    from django.utils import timezone

    draft = ProjectFactory(agreement=agreement, code="S-DRAFT", status="proposal")
    FundingLineFactory(project=draft, instrument=instrument("ERDF"), year=2026, planned_amount=D("1000.00"),
                       granted_amount=D("0.00"))
    ours = agreement_split(agreement=agreement, user=coordinator, basis="planned")["all"]["total"]
    theirs = agreement_split(agreement=agreement, user=other_coordinator, basis="planned")["all"]["total"]
    assert ours - theirs == D("1000.00")  # another agreement's people do not see our draft
    everyone = agreement_split(agreement=agreement, basis="planned")["all"]["total"]  # a system call: no user
    assert everyone == ours
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert agreement_split(agreement=agreement, user=coordinator, as_of=yesterday)["all"]["total"] == D("0")
    assert country_split(as_of=yesterday)["all"]["total"] == D("0")


def test_coordination_lines_against_their_funding_model(agreement, other_agreement, django_assert_num_queries):
    from funding.selectors.splits import coordination_line_conflicts

    koord = agreement.projects.get(is_coordination_project=True)
    theirs = ProjectFactory(agreement=other_agreement, code="A-KOORD", is_coordination_project=True)
    before = set(coordination_line_conflicts().values_list("pk", flat=True))
    for project, code, year in ((koord, "ERDF", 2023), (koord, "AKKE", 2024), (theirs, "ESF", 2022),
                                (theirs, "AKKE", 2023), (theirs, "ERDF", 2024), (theirs, "CITY", 2022)):
        FundingLineFactory(project=project, instrument=instrument(code), year=year)
    with django_assert_num_queries(1):
        found = [(line.project.code, line.year, line.instrument.code)
                 for line in coordination_line_conflicts() if line.pk not in before]
    assert found == [("A-KOORD", 2022, "ESF"), ("HEV-KOORD", 2023, "ERDF"), ("HEV-KOORD", 2024, "AKKE")]
    assert [(line.project.code, line.year) for line in coordination_line_conflicts(agreement_id=other_agreement.pk)
            ] == [("A-KOORD", 2022)]

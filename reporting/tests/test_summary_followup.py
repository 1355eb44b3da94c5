"""The follow-up figures of the summaries (issue 13): progress reports, projects at risk or late, indicators
against targets per priority, enterprises reached once, late milestones and the N+3 money at risk, the same
in the HTML page, the PDF, the XLSX, the CSV and the JSON; as of the period's end; old snapshots still render."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from openpyxl import load_workbook

from followup.models import ProgressReport
from followup.tests.factories import (
    EnterpriseFactory,
    IndicatorTargetFactory,
    IndicatorValueFactory,
    MilestoneFactory,
    ProgressReportFactory,
    ProjectEnterpriseFactory,
    indicator,
)
from funding.models import SpendingEntry
from funding.selectors import decommitment_forecast
from portfolio.models import Priority
from reporting.periods import period_parse
from reporting.rendering import render_all, tables
from reporting.rendering.html import summary_html
from reporting.selectors import summary_data
from reporting.services import summary_compile, summary_get_or_create
from reporting.tests.test_review_views import as_number, page_tables
from tests.asof_helpers import backdate, moment, save_at
from tests.factories import FundingLineFactory, ProjectFactory, instrument

pytestmark = pytest.mark.django_db

FOLLOWUP_TABLES = ["followup_reports", "followup_trouble", "followup_indicators", "followup_enterprises",
                   "followup_milestones", "followup_decommitment"]


def _project(agreement, code: str, priority: int, **kwargs):  # type: ignore[no-untyped-def]
    return ProjectFactory(agreement=agreement, code=code, title=f"Hanke {code}", title_fi=f"Hanke {code}",
                          priority=Priority.objects.get(agreement=agreement, code=priority),
                          start_date=dt.date(2024, 1, 1), end_date=dt.date(2027, 12, 31), **kwargs)


@pytest.fixture
def portfolio(agreement):  # type: ignore[no-untyped-def]
    """Two running projects of the agreement with targets, values, shared enterprises, reports and a late
    milestone, and a granted ERDF line spending slowly; and an idea whose figures never count."""
    p1 = _project(agreement, "FU-1", 2)
    p2 = _project(agreement, "FU-2", 3)
    idea = _project(agreement, "FU-IDEA", 2, status="idea")
    IndicatorTargetFactory(project=p1, indicator=indicator("HEV03"), target_value=Decimal("10"))
    IndicatorTargetFactory(project=p2, indicator=indicator("HEV03"), target_value=Decimal("4"))
    IndicatorTargetFactory(project=p1, indicator=indicator("HEV02"), target_value=Decimal("5"))
    # Per period: 2 + 3 for FU-1, 1 for FU-2; cumulative: the latest (3) counts, not 1 + 3.
    IndicatorValueFactory(project=p1, indicator=indicator("HEV03"), period_start=dt.date(2024, 1, 1),
                          period_end=dt.date(2024, 6, 30), value=Decimal("2"))
    IndicatorValueFactory(project=p1, indicator=indicator("HEV03"), period_start=dt.date(2024, 7, 1),
                          period_end=dt.date(2024, 12, 31), value=Decimal("3"))
    IndicatorValueFactory(project=p2, indicator=indicator("HEV03"), period_end=dt.date(2025, 3, 31),
                          value=Decimal("1"))
    IndicatorValueFactory(project=p1, indicator=indicator("HEV02"), period_end=dt.date(2024, 6, 30),
                          value=Decimal("1"))
    IndicatorValueFactory(project=p1, indicator=indicator("HEV02"), period_end=dt.date(2025, 6, 30),
                          value=Decimal("3"))
    IndicatorValueFactory(project=idea, indicator=indicator("HEV03"), period_end=dt.date(2025, 3, 31),
                          value=Decimal("50"))
    shared = EnterpriseFactory(size_class="micro")
    ProjectEnterpriseFactory(project=p1, enterprise=shared, relation="grant")
    ProjectEnterpriseFactory(project=p2, enterprise=shared, relation="services")
    ProjectEnterpriseFactory(project=p2, enterprise=EnterpriseFactory(size_class="medium"), relation="research")
    MilestoneFactory(project=p1, title="Pilotti käyntiin", planned_date=dt.date(2025, 3, 31))
    MilestoneFactory(project=p2, title="Ajallaan", planned_date=dt.date(2025, 3, 31), actual_date=dt.date(2025, 3, 1))
    ProgressReportFactory(project=p1, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 6, 30),
                          due_date=dt.date(2026, 8, 29), status="at_risk", status_reason="Rekrytointi viivästyi",
                          done="Tehtiin.", review_state="submitted")
    ProgressReportFactory(project=p2, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 6, 30),
                          due_date=dt.date(2026, 8, 29))
    ProgressReportFactory(project=p2, period_start=dt.date(2025, 7, 1), period_end=dt.date(2025, 12, 31),
                          due_date=dt.date(2026, 2, 28), status="on_track", done="Tehtiin.", review_state="accepted")
    line = FundingLineFactory(project=p1, instrument=instrument("ERDF"), year=2023,
                              granted_amount=Decimal("100000.00"), planned_amount=Decimal("100000.00"))
    SpendingEntry.objects.create(project=p1, instrument=line.instrument, year=2023, date=dt.date(2024, 1, 1),
                                 source="claim", reference="MH-1", amount=Decimal("12000.00"))
    # All of it as if entered early in 2024 (a summary of a past period reads the history rows).
    for obj in [p1, p2, idea, line, *ProgressReport.objects.filter(project__in=[p1, p2]), *p1.milestones.all(),
                *p2.milestones.all()]:
        backdate(obj, moment(dt.date(2024, 2, 1)))
    return {"p1": p1, "p2": p2}


def followup_of(agreement, period: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    data = summary_data(audience="steering", period=period_parse(period), agreement_id=agreement.pk)
    assert data["schema"] == 3
    return data["agreements"][0]["followup"]


def test_followup_figures_of_a_running_period(agreement, portfolio):  # type: ignore[no-untyped-def]
    figures = followup_of(agreement, "2026-Q3")  # due dates 29.8.2026 fall in it
    # Counted independently: two reports due in the quarter, one submitted, one still a draft (so overdue at
    # the end of September); the one of 2025-H2 was due earlier and accepted.
    assert figures["reports"] == {"due": 2, "submitted": 1, "accepted": 0, "returned": 0, "not_submitted": 1,
                                  "overdue": 1}
    assert figures["at_risk_or_late"]["count"] == 1
    assert figures["at_risk_or_late"]["projects"][0]["code"] == "FU-1"
    assert figures["at_risk_or_late"]["projects"][0]["reason"] == "Rekrytointi viivästyi"
    rows = {(r["priority"], r["indicator"]): r for r in figures["indicators"]}
    assert rows[(None, "HEV03")]["target"] == "14.00" and rows[(None, "HEV03")]["achieved"] == "6.00"
    assert rows[(2, "HEV03")]["achieved"] == "5.00" and rows[(3, "HEV03")]["achieved"] == "1.00"
    assert rows[(2, "HEV02")]["achieved"] == "3.00" and rows[(2, "HEV02")]["percent"] == "60"
    # Three links, two enterprises: the shared one once.
    assert figures["enterprises"]["count"] == 2
    assert figures["enterprises"]["by_size"] == {"micro": 1, "small": 0, "medium": 1, "large": 0}
    assert [m["title"] for m in figures["late_milestones"]["items"]] == ["Pilotti käyntiin"]
    forecast = decommitment_forecast(agreement=agreement, as_of=dt.date(2026, 9, 30))
    assert figures["decommitment"]["at_risk"] == str(sum((r.at_risk for r in forecast), Decimal("0.00")))
    assert Decimal(figures["decommitment"]["at_risk"]) > 0


def test_a_past_period_shows_the_follow_up_as_of_its_end(agreement, portfolio):  # type: ignore[no-untyped-def]
    """A report submitted, a milestone reached and an indicator value of a later period after the period's
    end do not change its summary."""
    p1 = portfolio["p1"]
    report = ProgressReport.objects.get(project=p1, period_start=dt.date(2026, 1, 1))
    save_at(report, moment(dt.date(2024, 2, 2)), review_state="draft", status="", status_reason="")
    save_at(report, moment(dt.date(2026, 9, 15)), review_state="submitted", status="late",
            status_reason="Toimittaja myöhässä")
    milestone = p1.milestones.get()
    save_at(milestone, moment(dt.date(2025, 6, 1)), actual_date=dt.date(2025, 5, 30))
    before = followup_of(agreement, "2025-H1")
    assert before["late_milestones"]["count"] == 1  # reached on 30.5., after its planned 31.3.: late
    assert before["at_risk_or_late"]["count"] == 0
    in_q2 = followup_of(agreement, "2026-Q2")
    assert in_q2["at_risk_or_late"]["count"] == 0  # submitted only on 15.9.
    in_q3 = followup_of(agreement, "2026-Q3")
    assert [(p["code"], p["status"], p["reason"]) for p in in_q3["at_risk_or_late"]["projects"]] == [
        ("FU-1", "late", "Toimittaja myöhässä")]
    # Today the milestone is renamed and the report returned: the past period is as it was.
    save_at(milestone, moment(dt.date(2026, 12, 1)), title="Uusi nimi")
    assert followup_of(agreement, "2025-H1") == before
    # Values of periods ending after 30.6.2025 do not count in 2025-H1 (HEV03: FU-1's 2 + 3 and FU-2's 1).
    rows = {(r["priority"], r["indicator"]): r for r in before["indicators"]}
    assert rows[(None, "HEV03")]["achieved"] == "6.00"
    assert rows[(None, "HEV02")]["achieved"] == "3.00"
    in_2024 = {(r["priority"], r["indicator"]): r for r in followup_of(agreement, "2024")["indicators"]}
    assert in_2024[(None, "HEV03")]["achieved"] == "5.00" and in_2024[(None, "HEV02")]["achieved"] == "1.00"


def _ministry_client(client, django_user_model):  # type: ignore[no-untyped-def]
    user = django_user_model.objects.create_user("tem-fu", password="x-Very-long-pw-1")
    user.groups.add(Group.objects.get(name="ministry"))
    client.force_login(user)
    return client


def test_every_format_shows_the_same_follow_up_figures(agreement, portfolio, client, django_user_model):  # type: ignore[no-untyped-def]
    """One figure, one selector: the page, the PDF, the XLSX, the CSV and the JSON of one summary."""
    report, _created = summary_get_or_create(audience="steering", period="2026-Q3", agreement=agreement, user=None)
    summary_compile(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == "done", report.error

    snapshot = json.loads(report.json_file.open("rb").read())
    figures = snapshot["data"]["agreements"][0]["followup"]
    definitions = {t["key"]: t for t in tables(snapshot, "fi") if t["key"] in FOLLOWUP_TABLES}
    assert list(definitions) == FOLLOWUP_TABLES
    # The JSON's figures are the tables' figures.
    reports_row = definitions["followup_reports"]["rows"][0]
    assert reports_row[1:] == [figures["reports"][k] for k in ("due", "submitted", "accepted", "returned",
                                                                "not_submitted", "overdue")]
    at_risk = sum((row[-1] for row in definitions["followup_decommitment"]["rows"]), Decimal("0.00"))
    assert at_risk == Decimal(figures["decommitment"]["at_risk"])

    # XLSX: the sheets in table order, the first being the summary.
    workbook = load_workbook(io.BytesIO(report.xlsx_file.open("rb").read()))
    keys = [t["key"] for t in tables(snapshot, "fi")]
    # HTML page
    page = page_tables(_ministry_client(client, django_user_model).get(
        f"/reports/{report.pk}/", HTTP_ACCEPT_LANGUAGE="fi").content.decode())
    # CSV
    csv_rows = list(csv.reader(io.StringIO(report.csv_file.open("rb").read().decode("utf-8-sig"))))
    # PDF
    from pypdf import PdfReader

    pdf_text = " ".join(" ".join(p.extract_text() for p in PdfReader(
        io.BytesIO(report.pdf_file.open("rb").read())).pages).split())
    compared = 0
    for key, definition in definitions.items():
        sheet_rows = [list(r) for r in workbook.worksheets[keys.index(key) + 1].iter_rows(min_row=2, values_only=True)]
        assert len(sheet_rows) == len(definition["rows"]), key
        assert len(page[key]) == max(1, len(definition["rows"])), key
        for stored, sheet_row, page_row in zip(definition["rows"], sheet_rows, page[key], strict=False):
            for value, in_sheet, shown in zip(stored[1:], sheet_row[1:], page_row, strict=True):
                if isinstance(value, int | Decimal) and not isinstance(value, bool):
                    assert Decimal(str(in_sheet)) == value, (key, in_sheet, value)
                    assert as_number(shown) == value, (key, shown, value)
                    compared += 1
                elif value is None:
                    assert in_sheet is None and shown == "–"
                else:
                    assert in_sheet == value and shown == value, (key, in_sheet, shown, value)
        csv_values = [r[4] for r in csv_rows if r[0] == key]
        expected = [str(v) if v is not None else "" for row in definition["rows"] for v in row[
            {"followup_trouble": 3, "followup_indicators": 6, "followup_milestones": 3,
             "followup_decommitment": 4}.get(key, 1):]]
        assert csv_values == expected, key
    assert compared >= 20
    # The PDF prints the same figures (as the page formats them; its text cells may wrap, its figures do not).
    flat = pdf_text.replace("\xa0", " ").replace("\u202f", " ")
    for key in ("followup_reports", "followup_indicators", "followup_decommitment"):
        for stored, row in zip(definitions[key]["rows"], page[key], strict=True):
            figures_shown: list[str] = []  # the row's last figures, side by side
            cells = list(zip(stored[1:], row, strict=True))
            while cells and cells[-1][0] is None:  # no target, so no percentage
                cells.pop()
            for value, shown in reversed(cells):
                if not isinstance(value, int | Decimal) or isinstance(value, bool):
                    break
                figures_shown.insert(0, shown)
            assert figures_shown, (key, row)
            assert " ".join(figures_shown).replace("\xa0", " ").replace("\u202f", " ") in flat, (key, row)
    assert "Rekrytointi viivästyi" in pdf_text
    assert "Hankkeet, jotka raportoivat olevansa riskissä tai myöhässä" in pdf_text


def test_an_old_snapshot_without_the_follow_up_renders_without_it(agreement, portfolio):  # type: ignore[no-untyped-def]
    data = summary_data(audience="steering", period=period_parse("2026-Q3"), agreement_id=agreement.pk)
    data["schema"] = 2
    del data["indicators"]
    for section in data["agreements"]:
        del section["followup"]
    snapshot = {"report": {"id": 1, "audience": "steering", "agreement": agreement.code, "period": "2026-Q3",
                           "version": 1, "language": "fi", "rerun": False},
                "compiled_at": "2026-10-01T08:00:00+03:00", "data_version": "x", "data": data,
                "changes": {"previous": None, "items": []}}
    files = render_all(snapshot, "fi")
    assert set(files) == {"pdf", "xlsx", "csv", "json"}
    keys = [t["key"] for t in tables(snapshot, "fi")]
    assert not set(keys) & set(FOLLOWUP_TABLES) and "overview" in keys
    assert not {t["key"] for t in summary_html(snapshot, "fi")["tables"]} & set(FOLLOWUP_TABLES)


def test_the_national_summary_has_a_follow_up_row_per_agreement(agreement, portfolio):  # type: ignore[no-untyped-def]
    from tests.factories import AgreementFactory

    other = AgreementFactory(with_priorities=True)
    p3 = ProjectFactory(agreement=other, code="OT-1", priority=Priority.objects.get(agreement=other, code=1))
    shared = portfolio["p1"].enterprise_links.get().enterprise
    ProjectEnterpriseFactory(project=p3, enterprise=shared, relation="grant")
    data = summary_data(audience="national", period=period_parse("2026-H2"))
    by_code = {a["code"]: a["followup"] for a in data["agreements"]}
    assert by_code[agreement.code]["enterprises"]["count"] == 2
    assert by_code[other.code]["enterprises"]["count"] == 1
    assert data["country"]["enterprises_reached"]["count"] == 2  # the shared enterprise once in the country
    snapshot = {"data": data, "changes": {}}
    reports_rows = {row[0]: row for row in next(t for t in tables(snapshot, "fi")
                                                if t["key"] == "followup_reports")["rows"]}
    assert set(reports_rows) >= {agreement.code, other.code}

"""Changes since the previous summary include the follow-up figures (issue 13): progress reports by state,
indicators achieved against targets, enterprises reached and the N+3 money at risk, previous → now, in the
narrative, the HTML page, the PDF, the XLSX and the CSV (rendering.common.change_rows); a previous summary
compiled before the follow-up tables says so instead of failing."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from followup.tests.factories import EnterpriseFactory, IndicatorValueFactory, ProjectEnterpriseFactory, indicator
from funding.models import SpendingEntry
from reporting import rendering
from reporting.models import SummaryReport
from reporting.periods import period_parse
from reporting.rendering import tables
from reporting.rendering.common import change_rows
from reporting.rendering.html import summary_html
from reporting.selectors import summary_changes, summary_data
from reporting.services import summary_compile, summary_get_or_create
from reporting.tests.test_summary_followup import portfolio  # noqa: F401  (the fixture)
from tests.asof_helpers import backdate, moment

pytestmark = pytest.mark.django_db


def _in_q3(agreement, portfolio):  # type: ignore[no-untyped-def]  # noqa: F811
    """What happens in 2026-Q3 on top of the fixture: FU-2 reports 2 more of HEV03 (a per-period count) for a
    period ending 31.8.2026, FU-1 links a third enterprise on 1.8.2026, and FU-1 claims the rest of its
    ERDF 2023 money (88 000 € more, 100 000 € in all) on 1.8.2026."""
    value = IndicatorValueFactory(project=portfolio["p2"], indicator=indicator("HEV03"),
                                  period_start=dt.date(2026, 7, 1), period_end=dt.date(2026, 8, 31), value=Decimal("2"))
    backdate(value, moment(dt.date(2026, 9, 1)))
    link = ProjectEnterpriseFactory(project=portfolio["p1"], enterprise=EnterpriseFactory(size_class="small"),
                                    relation="grant", date=dt.date(2026, 8, 1))
    backdate(link, moment(dt.date(2026, 8, 1)))
    line = portfolio["p1"].funding_lines.get()
    SpendingEntry.objects.create(project=portfolio["p1"], instrument=line.instrument, year=2023,
                                 date=dt.date(2026, 8, 1), source="claim", reference="MH-2", amount=Decimal("88000.00"))


def _compile(agreement, period: str) -> SummaryReport:  # type: ignore[no-untyped-def]
    report, _created = summary_get_or_create(audience="steering", period=period, agreement=agreement, user=None)
    summary_compile(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == "done", report.error
    return report


# Hand-computed from the fixture (test_summary_followup.portfolio) and _in_q3:
# - reports: none due in 2026-Q2; in Q3 two are due (29.8.), FU-1's submitted, FU-2's a draft, so overdue;
# - the register's indicators: FU-1 (priority 2) had one enterprise (the shared one, a grant), now two; in
#   all, two enterprises (the shared one and FU-2's medium one), now three; of them by grant one, now two:
#   RCO01 (supported) and HEV01 (involved) 1 → 2 in priority 2 and 2 → 3 in all, RCO02 (grants) 1 → 2 in both;
# - HEV03 achieved: all priorities 2 + 3 + 1 = 6 → 6 + 2 = 8; priority 3 (FU-2) 1 → 3;
# - enterprises: 2 → 3;
# - N+3, ERDF 2023 (granted 100 000 €, deadline 31.12.2026): as of 30.6.2026, 12 000 € spent since 1.1.2024,
#   911 days = 29.930… months, at that rate 12 000 + 12 000 / 29.930… × 6.045… (184 days) = 14 423.71 € by the
#   deadline, 85 576.29 € at risk; as of 30.9.2026 all 100 000 € are spent: 0.00 €.
EXPECTED = [
    ("reports_due", None, None, 0, 2),
    ("reports_submitted", None, None, 0, 1),
    ("reports_not_submitted", None, None, 0, 1),
    ("reports_overdue", None, None, 0, 1),
    ("indicator_achieved", "RCO01", 2, 1, 2),
    ("indicator_achieved", "RCO02", 2, 1, 2),
    ("indicator_achieved", "HEV01", 2, 1, 2),
    ("indicator_achieved", "HEV03", 3, 1, 3),
    ("indicator_achieved", "RCO01", None, 2, 3),
    ("indicator_achieved", "RCO02", None, 1, 2),
    ("indicator_achieved", "HEV01", None, 2, 3),
    ("indicator_achieved", "HEV03", None, 6, 8),
    ("enterprises", None, None, 2, 3),
    ("decommitment_at_risk", None, None, "85576.29", "0.00"),
]
FOLLOWUP_KEYS = {e[0] for e in EXPECTED} | {"reports_accepted", "reports_returned", "indicator_target", "followup"}


def _followup_items(snapshot):  # type: ignore[no-untyped-def]
    return [(i["indicator"], i.get("code"), i.get("priority"), i["before"], i["after"])
            for i in snapshot["changes"]["items"] if i["indicator"] in FOLLOWUP_KEYS]


def test_the_changes_compare_the_follow_up_figures_with_the_previous_summary(agreement, portfolio):  # type: ignore[no-untyped-def]  # noqa: F811
    first = _compile(agreement, "2026-Q2")
    _in_q3(agreement, portfolio)
    second = _compile(agreement, "2026-Q3")
    assert second.snapshot["changes"]["previous"]["id"] == first.pk
    assert _followup_items(second.snapshot) == EXPECTED
    assert first.snapshot["data"]["agreements"][0]["followup"]["decommitment"]["at_risk"] == "85576.29"


def test_every_format_shows_the_follow_up_changes(agreement, portfolio, client, django_user_model):  # type: ignore[no-untyped-def]  # noqa: F811
    from django.contrib.auth.models import Group
    from pypdf import PdfReader

    _compile(agreement, "2026-Q2")
    _in_q3(agreement, portfolio)
    report = _compile(agreement, "2026-Q3")
    snapshot = report.snapshot
    name = snapshot["data"]["indicators"]["HEV03"]["name"]["fi"]
    # Finnish labels and numbers ("85 576,29": a no-break space groups the thousands, a comma before the cents).
    expected = {
        "Kaudella erääntyneet väliraportit": ("0", "2"),
        "Tavoitetut yritykset (kukin yritys kerran)": ("2", "3"),
        f"HEV03 {name}, saavutettu, painopiste 3": ("1", "3"),
        f"HEV03 {name}, saavutettu, kaikki painopisteet": ("6", "8"),
        "Vapautumisvaarassa oleva EU-rahoitus, N+3 (€)": ("85 576,29", "0,00"),
    }

    def plain(text: str) -> str:
        return text.replace("\xa0", " ").replace("\u202f", " ")

    rows = {r["label"]: (plain(r["before_text"]), plain(r["after_text"])) for r in change_rows(snapshot, "fi")}
    for label, values in expected.items():
        assert rows[label] == values, label
    # The HTML page: its table of changes and the narrative.
    html = summary_html(snapshot, "fi")
    shown = {r["label"]: (plain(r["before"]), plain(r["after"]), r["direction"]) for r in html["change_rows"]}
    assert shown["Tavoitetut yritykset (kukin yritys kerran)"] == ("2", "3", "kasvoi")
    assert shown["Vapautumisvaarassa oleva EU-rahoitus, N+3 (€)"] == ("85 576,29", "0,00", "väheni")
    narrative = [plain(line) for line in html["narrative"]]
    assert any(line.endswith(": vapautumisvaarassa oleva eu-rahoitus, n+3 (€) 85 576,29 → 0,00.")
               for line in narrative), narrative
    assert any(f"HEV03 {name}, saavutettu, kaikki painopisteet 6 → 8." in line for line in narrative), narrative
    user = django_user_model.objects.create_user("tem-ch", password="x-Very-long-pw-1")
    user.groups.add(Group.objects.get(name="ministry"))
    client.force_login(user)
    page = plain(client.get(f"/reports/{report.pk}/", HTTP_ACCEPT_LANGUAGE="fi").content.decode())
    assert "Kaudella erääntyneet väliraportit" in page and "<mark>0,00</mark>" in page
    # XLSX: the changes sheet holds the figures as numbers.
    keys = [t["key"] for t in tables(snapshot, "fi")]
    workbook = load_workbook(io.BytesIO(report.xlsx_file.open("rb").read()))
    sheet = {row[1]: row[2:] for row in workbook.worksheets[keys.index("changes") + 1].iter_rows(
        min_row=2, values_only=True)}
    assert sheet["Vapautumisvaarassa oleva EU-rahoitus, N+3 (€)"] == (85576.29, 0)  # a number cell
    assert sheet[f"HEV03 {name}, saavutettu, painopiste 3"] == (1, 3)
    # CSV: one figure a line.
    csv_rows = [r for r in csv.reader(io.StringIO(report.csv_file.open("rb").read().decode("utf-8-sig")))
                if r[0] == "changes"]
    assert [r[3:] for r in csv_rows if r[2] == "Tavoitetut yritykset (kukin yritys kerran)"] == [
        ["Ennen", "2"], ["Jälkeen", "3"]]
    # PDF: the narrative and the changes table.
    pdf = plain(" ".join(" ".join(p.extract_text() for p in PdfReader(
        io.BytesIO(report.pdf_file.open("rb").read())).pages).split()))
    assert "85 576,29 → 0,00" in pdf
    assert "Kaudella erääntyneet väliraportit" in pdf


def _previous(data):  # type: ignore[no-untyped-def]
    return SummaryReport(pk=1, period="2026-Q2", version=1,
                         snapshot={"data": data, "compiled_at": "2026-07-01T08:00:00+03:00"})


def test_a_previous_summary_without_the_follow_up_says_so(agreement, portfolio):  # type: ignore[no-untyped-def]  # noqa: F811
    old = summary_data(audience="steering", period=period_parse("2026-Q2"), agreement_id=agreement.pk)
    old["schema"] = 2
    del old["indicators"]
    for section in old["agreements"]:
        del section["followup"]
    data = summary_data(audience="steering", period=period_parse("2026-Q3"), agreement_id=agreement.pk)
    changes = summary_changes(data, _previous(old))
    assert [i for i in changes["items"] if i["indicator"] in FOLLOWUP_KEYS] == [
        {"agreement": agreement.code, "indicator": "followup", "before": None, "after": None, "new": True}]
    snapshot = {"report": {"id": 2, "audience": "steering", "agreement": agreement.code, "period": "2026-Q3",
                           "version": 1, "language": "fi", "rerun": False},
                "compiled_at": "2026-10-01T08:00:00+03:00", "data_version": "x", "data": data, "changes": changes}
    files = rendering.render_all(snapshot, "fi")  # no failure in any format
    assert set(files) == {"pdf", "xlsx", "csv", "json"}
    row = next(r for r in summary_html(snapshot, "fi")["change_rows"] if r["label"].startswith("Seurannan luvut"))
    assert row["before"] == "ei edellisessä koosteessa"
    assert any("seurannan luvut eivät ole edellisessä koosteessa" in line
               for line in rendering.narrative(snapshot, "fi"))
    changes_table = next(t for t in tables(snapshot, "en") if t["key"] == "changes")
    assert [r[2] for r in changes_table["rows"] if r[1].startswith("Follow-up figures")] == [
        "not in the previous summary"]


def test_a_figure_the_previous_summary_did_not_have_and_one_it_no_longer_has(agreement, portfolio):  # type: ignore[no-untyped-def]  # noqa: F811
    data = summary_data(audience="steering", period=period_parse("2026-Q3"), agreement_id=agreement.pk)
    old = copy.deepcopy(data)
    followup = old["agreements"][0]["followup"]
    # The previous summary had no HEV02 row of priority 2, and had an XYZ01 row this one has not.
    followup["indicators"] = [r for r in followup["indicators"] if (r["priority"], r["indicator"]) != (2, "HEV02")]
    followup["indicators"].append({"priority": None, "indicator": "XYZ01", "target": "4.00", "achieved": "1.00",
                                   "percent": "25"})
    items = [i for i in summary_changes(data, _previous(old))["items"] if i["indicator"].startswith("indicator_")]
    # HEV02 of priority 2 in the fixture: target 5, achieved 3 (the cumulative latest value).
    assert items == [
        {"agreement": agreement.code, "indicator": "indicator_achieved", "code": "HEV02", "priority": 2,
         "before": None, "after": 3, "new": True},
        {"agreement": agreement.code, "indicator": "indicator_target", "code": "HEV02", "priority": 2,
         "before": None, "after": 5, "new": True},
        {"agreement": agreement.code, "indicator": "indicator_achieved", "code": "XYZ01", "priority": None,
         "before": "1.00", "after": None, "gone": True},
        {"agreement": agreement.code, "indicator": "indicator_target", "code": "XYZ01", "priority": None,
         "before": "4.00", "after": None, "gone": True},
    ]
    snapshot = {"data": data, "changes": {"previous": {"period": "2026-Q2", "version": 1}, "items": items}}
    texts = [(r["before_text"], r["after_text"]) for r in change_rows(snapshot, "en")]
    assert texts == [("not in the previous summary", "3"), ("not in the previous summary", "5"),
                     ("1.00", "not in this summary"), ("4.00", "not in this summary")]

"""EURA reconciliation (issue 14): an export of EURA 2021 is compared per project with the ledger; the planted
differences, and only those, are found; unknown codes and missing projects are listed; nothing changes until a
coordinator accepts a paid figure, which becomes a dated spending entry with EURA as its source."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.urls import reverse
from openpyxl import Workbook

from funding.eura import eura_import_record, eura_paid_accept, eura_reconciliation
from funding.models import FundingLine, SpendingEntry
from funding.tests.conftest import add_line, make_project

pytestmark = pytest.mark.django_db
D = Decimal
EXPORTED = dt.date(2026, 6, 30)


@pytest.fixture
def ledger(clean_agreement):  # type: ignore[no-untyped-def]
    """Ten running projects with EURA codes A90000…A90009: 600 000 € ERDF + 400 000 € city granted each,
    ERDF spent 100 000 € each (from a payment claim)."""
    from funding.services import spending_entry_record

    projects = []
    for index in range(10):
        project = make_project(clean_agreement, code=f"HEV-E{index}", eura_code=f"A9000{index}", status="running")
        add_line(project, "ERDF", 2025, planned="600000", granted="600000")
        add_line(project, "CITY", 2025, planned="400000", granted="400000")
        spending_entry_record(project=project, instrument_code="ERDF", year=2025, entry_date=dt.date(2025, 12, 31),
                              source=SpendingEntry.Source.PAYMENT_CLAIM, reference=f"MH-{index}",
                              amount="100000", user=None)
        projects.append(project)
    return projects


def _csv(rows: list[tuple[str, str, str, str]], *, delimiter: str = ";") -> SimpleUploadedFile:
    header = delimiter.join(["Hanketunnus", "Hyväksytty kokonaisbudjetti", "Myönnetty tuki", "Maksettu tuki"])
    body = "\n".join(delimiter.join(row) for row in rows)
    return SimpleUploadedFile("eura.csv", f"{header}\n{body}\n".encode(), content_type="text/csv")


def _export_rows(overrides: dict[str, tuple[str, str, str]] | None = None) -> list[tuple[str, str, str, str]]:
    rows = []
    for index in range(10):
        code = f"A9000{index}"
        figures = (overrides or {}).get(code, ("1 000 000,00", "600 000,00", "100 000,00"))
        rows.append((code, *figures))
    return rows


def test_planted_differences_and_only_those_are_found(ledger, clean_agreement, coordinator):  # type: ignore[no-untyped-def]
    rows = _export_rows({"A90002": ("1 000 000,00", "600 000,00", "150 000,00"),   # paid more in EURA
                         "A90005": ("990 000,00", "590 000,00", "100 000,00")})   # granted less in EURA
    rows.append(("A99999", "1,00", "1,00", "0"))  # a code the portal does not know
    rows = [row for row in rows if row[0] != "A90009"]  # a project EURA leaves out
    eura_import = eura_import_record(agreement=clean_agreement, upload=_csv(rows), exported_on=EXPORTED,
                                     user=coordinator)
    result = eura_reconciliation(eura_import=eura_import)
    found = {d["project"].eura_code: d["difference"] for d in result["differences"]}
    assert found == {
        "A90002": {"approved_total": D("0.00"), "support": D("0.00"), "paid": D("50000.00")},
        "A90005": {"approved_total": D("-10000.00"), "support": D("-10000.00"), "paid": D("0.00")},
    }
    assert [row["code"] for row in result["unknown"]] == ["A99999"]
    assert [project.eura_code for project in result["missing"]] == ["A90009"]
    assert result["matching"] == 7
    # Reading and comparing changed nothing in the ledger.
    assert FundingLine.objects.filter(project__agreement=clean_agreement, instrument__code="ERDF").aggregate(
        s=Sum("spent_amount"))["s"] == D("1000000.00")


def test_accepting_the_paid_support_records_a_dated_eura_entry(ledger, clean_agreement, coordinator):  # type: ignore[no-untyped-def]
    rows = _export_rows({"A90002": ("1 000 000,00", "600 000,00", "150 000,00"),
                         "A90003": ("1 000 000,00", "600 000,00", "90 000,00")})
    eura_import = eura_import_record(agreement=clean_agreement, upload=_csv(rows), exported_on=EXPORTED,
                                     user=coordinator)
    more, less = ledger[2], ledger[3]
    entry = eura_paid_accept(eura_import=eura_import, project=more, user=coordinator)
    assert (entry.source, entry.amount, entry.date) == (SpendingEntry.Source.EURA, D("50000.00"), EXPORTED)
    assert "EURA" in entry.reference
    assert FundingLine.objects.get(project=more, instrument__code="ERDF").spent_amount == D("150000.00")
    lower = eura_paid_accept(eura_import=eura_import, project=less, user=coordinator)
    assert (lower.source, lower.amount) == (SpendingEntry.Source.CORRECTION, D("-10000.00"))
    assert "EURA" in lower.reference
    assert FundingLine.objects.get(project=less, instrument__code="ERDF").spent_amount == D("90000.00")
    with pytest.raises(ValidationError):  # accepted already: agrees now
        eura_paid_accept(eura_import=eura_import, project=more, user=coordinator)
    assert not eura_reconciliation(eura_import=eura_import)["differences"]


def test_a_broken_export_is_refused_with_every_problem_and_nothing_kept(clean_agreement, coordinator):  # type: ignore[no-untyped-def]
    from funding.models import EuraImport

    rows = [("A1", "abc", "1", "1"), ("", "1", "1", "1"), ("A1", "1", "1e9", "1")]
    with pytest.raises(ValidationError) as exc:
        eura_import_record(agreement=clean_agreement, upload=_csv(rows), exported_on=EXPORTED, user=coordinator)
    problems = exc.value.message_dict["file"]
    assert any(p.startswith("Row 2, column “hyväksytty kokonaisbudjetti”") for p in problems), problems
    assert "Row 3: the project code is empty." in problems
    assert "Row 4: the project code A1 is in the file twice." in problems
    assert any(p.startswith("Row 4, column “myönnetty tuki”") for p in problems), problems
    assert not EuraImport.objects.exists()
    with pytest.raises(ValidationError) as exc:
        eura_import_record(agreement=clean_agreement, exported_on=EXPORTED, user=coordinator,
                           upload=SimpleUploadedFile("eura.csv", b"Code;Sum\nA1;1\n", content_type="text/csv"))
    assert "Columns missing from the export" in exc.value.message_dict["file"][0]
    with pytest.raises(ValidationError):  # not what it claims to be
        eura_import_record(agreement=clean_agreement, exported_on=EXPORTED, user=coordinator,
                           upload=SimpleUploadedFile("eura.xlsx", b"not a workbook", content_type="text/plain"))


def test_xlsx_exports_with_english_headers_are_read(ledger, clean_agreement, coordinator):  # type: ignore[no-untyped-def]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Project code", "Approved total", "EU and state support", "Paid to date"])
    sheet.append(["A90001", 1000000, 600000, 125000.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("eura.xlsx", buffer.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    eura_import = eura_import_record(agreement=clean_agreement, upload=upload, exported_on=EXPORTED, user=coordinator)
    (difference,) = eura_reconciliation(eura_import=eura_import)["differences"]
    assert difference["difference"]["paid"] == D("25000.50")


def test_only_the_agreements_coordinators_reconcile(ledger, clean_agreement, coordinator, other_coordinator,  # type: ignore[no-untyped-def]
                                                   coordinator_client, other_coordinator_client):
    with pytest.raises(PermissionDenied):
        eura_import_record(agreement=clean_agreement, upload=_csv(_export_rows()), exported_on=EXPORTED,
                           user=other_coordinator)
    eura_import = eura_import_record(agreement=clean_agreement, upload=_csv(_export_rows()), exported_on=EXPORTED,
                                     user=coordinator)
    with pytest.raises(PermissionDenied):
        eura_paid_accept(eura_import=eura_import, project=ledger[0], user=other_coordinator)
    detail = reverse("funding:eura-detail", args=[eura_import.pk])
    assert other_coordinator_client.get(detail).status_code == 404
    accept = reverse("funding:eura-accept", args=[eura_import.pk, ledger[0].pk])
    assert other_coordinator_client.post(accept).status_code == 404
    page = coordinator_client.get(detail)
    assert page.status_code == 200 and "10 projects agree with the portal" in page.content.decode()


def test_upload_page_shows_problems_next_to_the_file_field(ledger, coordinator_client, clean_agreement):  # type: ignore[no-untyped-def]
    url = reverse("funding:eura-index")
    response = coordinator_client.post(url, {"agreement": clean_agreement.pk, "exported_on": "2026-06-30",
                                             "file": _csv([("A90001", "x", "1", "1")])})
    assert response.status_code == 400
    body = response.content.decode()
    assert "The export was not read" in body and "Row 2, column" in body
    ok = coordinator_client.post(url, {"agreement": clean_agreement.pk, "exported_on": "2026-06-30",
                                       "file": _csv(_export_rows({"A90004": ("1 000 000", "600 000", "1")}))},
                                 follow=True)
    body = ok.content.decode()
    assert ok.status_code == 200 and "The EURA export was read: 10 projects." in body
    assert "A90004" in body and "Accept EURA" in body

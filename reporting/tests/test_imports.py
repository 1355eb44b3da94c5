"""Importing a portfolio from a spreadsheet (issue 14): the dry run, the row-by-row report, one transaction,
idempotence, the template's round trip and the command."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from funding.models import FundingLine
from portfolio.models import Organisation, Project
from reporting.imports import COLUMNS, LINES, ORGANISATIONS, PROJECTS, portfolio_import, read_tables, template_xlsx

pytestmark = pytest.mark.django_db

# A real business ID with a valid check digit, and one whose check digit is wrong.
GOOD_ID, BAD_ID = "2617416-4", "2617416-5"


def workbook(**tables: list[list[object]]) -> bytes:
    """A workbook with one sheet per table, headings in Finnish."""
    book = Workbook()
    book.remove(book.active)
    for table, rows in tables.items():
        sheet = book.create_sheet(table)
        sheet.append([headings[0] for headings in COLUMNS[table].values()])
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def org_row(business_id: str = GOOD_ID, name: str = "Testiyhtiö Oy") -> list[object]:
    return [business_id, name, "", "", "TESTI", "company", "Espoo"]


def project_row(code: str = "IMP-1", lead: str = GOOD_ID, priority: object = 2, start: object = "1.3.2025",
                end: object = "31.12.2026", co: str = "") -> list[object]:
    return [code, "Tuotu hanke", "", "Imported project", priority, "1, 2", lead, co, start, end, "", "Tiivistelmä"]


def counts(agreement) -> tuple[int, int, int, int]:  # type: ignore[no-untyped-def]
    return (Organisation.objects.count(), Project.objects.filter(agreement=agreement).count(),
            FundingLine.objects.count(), Project.history.count() + FundingLine.history.count())


def run(agreement, content: bytes, *, commit: bool, name: str = "import.xlsx"):  # type: ignore[no-untyped-def]
    return portfolio_import(agreement=agreement, tables=read_tables(name=name, content=content), user=None,
                            commit=commit)


def test_the_dry_run_reports_and_writes_nothing_then_the_import_writes_then_nothing_changes(demo):
    content = workbook(**{ORGANISATIONS: [org_row()], PROJECTS: [project_row()],
                          LINES: [["IMP-1", "EAKR", 2025, "60 000,00"], ["IMP-1", "CITY", 2025, 40000]]})
    before = counts(demo)
    dry = run(demo, content, commit=False)
    assert dry.ok, dry.problems
    assert dry.counts() == {ORGANISATIONS: {"create": 1, "update": 0, "unchanged": 0},
                            PROJECTS: {"create": 1, "update": 0, "unchanged": 0},
                            LINES: {"create": 2, "update": 0, "unchanged": 0}}
    assert counts(demo) == before and not dry.committed

    done = run(demo, content, commit=True)
    assert done.committed
    project = Project.objects.get(agreement=demo, code="IMP-1")
    assert project.lead_organisation.business_id == GOOD_ID and project.status == "idea"
    assert sorted(project.methods.values_list("code", flat=True)) == [1, 2]
    assert {(line.instrument.code, line.year): line.planned_amount for line in project.funding_lines.all()} == {
        ("ERDF", 2025): Decimal("60000.00"), ("CITY", 2025): Decimal("40000.00")}
    assert all(line.granted_amount == 0 for line in project.funding_lines.all())  # a spreadsheet never grants

    written = counts(demo)
    again = run(demo, content, commit=True)
    assert again.ok and {c["create"] + c["update"] for c in again.counts().values()} == {0}
    assert counts(demo) == written  # not even a history row


def test_a_changed_amount_is_an_update_of_that_line_only(demo):
    base = {ORGANISATIONS: [org_row()], PROJECTS: [project_row()], LINES: [["IMP-1", "ERDF", 2025, 600]]}
    run(demo, workbook(**base), commit=True)
    changed = run(demo, workbook(**{**base, LINES: [["IMP-1", "ERDF", 2025, 700]]}), commit=True)
    assert changed.counts()[LINES] == {"create": 0, "update": 1, "unchanged": 0}
    assert changed.counts()[PROJECTS]["unchanged"] == 1
    assert FundingLine.objects.get(project__code="IMP-1").planned_amount == Decimal("700.00")


def test_every_bad_row_is_reported_where_it_is_and_nothing_is_written(demo):
    content = workbook(**{
        ORGANISATIONS: [org_row(BAD_ID, "Väärä Oy"), org_row()],
        PROJECTS: [project_row("IMP-1", priority=7), project_row("IMP-2", start="1.1.2026", end="1.1.2025"),
                   project_row("IMP-2"), project_row("IMP-3", lead="Helsingin kaupunkii")],
        LINES: [["IMP-1", "ERDF", 2025, "abc"], ["IMP-2", "XYZ", 2025, 10], ["IMP-9", "ERDF", 2025, 10]],
    })
    before = counts(demo)
    report = run(demo, content, commit=True)
    found = {(p.table, p.row, p.column): p.message for p in report.problems}
    assert "check digit" in found[(ORGANISATIONS, 2, "business_id")]
    assert "priority" in found[(PROJECTS, 2, "priority")].lower()
    assert "end date" in found[(PROJECTS, 3, "end_date")]
    assert "twice" in found[(PROJECTS, 4, "code")]
    assert "Did you mean “Helsingin kaupunki”?" in found[(PROJECTS, 5, "lead")]
    assert "amount" in found[(LINES, 2, "planned")]
    assert "XYZ" in found[(LINES, 3, "instrument")]
    assert "IMP-9" in found[(LINES, 4, "project")]
    assert not report.committed and counts(demo) == before


def test_an_idea_row_of_an_older_export_is_refused_once_the_idea_has_its_portfolio_code(demo):
    """An idea imported as IDEA-… is approved and becomes HEV-…; the old spreadsheet imported again must not
    create the project a second time."""
    run(demo, workbook(**{ORGANISATIONS: [org_row()], PROJECTS: [project_row("IDEA-900")]}), commit=True)
    project = Project.objects.get(agreement=demo, code="IDEA-900")
    project.code = "HEV-900"
    project.save()  # as project_admit does on approval (with history)
    before = counts(demo)
    report = run(demo, workbook(**{ORGANISATIONS: [org_row()], PROJECTS: [project_row("IDEA-900")],
                                   LINES: [["IDEA-900", "ERDF", 2025, 100]]}), commit=True)
    found = {(p.table, p.row, p.column): p.message for p in report.problems}
    assert "HEV-900" in found[(PROJECTS, 2, "code")]
    assert not report.committed and counts(demo) == before
    assert Project.objects.filter(agreement=demo, title_fi="Tuotu hanke").count() == 1


def test_a_csv_with_semicolons_and_swedish_headings(demo):
    headings = [h[1] for h in COLUMNS[LINES].values()]
    project = Project.objects.filter(agreement=demo).exclude(status__in=["rejected", "withdrawn"]).first()
    text = ";".join(headings) + "\n" + f"{project.code};ERUF;2026;1 234,50\n"
    report = run(demo, ("\ufeff" + text).encode(), commit=False, name="rader.csv")
    assert report.ok, report.problems
    assert report.rows[0].table == LINES and report.rows[0].key == f"{project.code} ERDF 2026"


def test_the_template_of_the_portfolio_reimports_without_changes(demo):
    before = counts(demo)
    content = template_xlsx(agreement=demo, language="sv")
    report = run(demo, content, commit=True)
    assert report.ok, report.problems[:5]
    assert {c["create"] + c["update"] for c in report.counts().values()} == {0}
    assert report.counts()[PROJECTS]["unchanged"] == Project.objects.filter(agreement=demo).exclude(
        status__in=["rejected", "withdrawn"]).count()
    assert counts(demo) == before


def test_the_command_dry_runs_by_default_and_commits_on_request(demo, tmp_path, capsys):
    path = tmp_path / "portfolio.xlsx"
    path.write_bytes(workbook(**{ORGANISATIONS: [org_row()], PROJECTS: [project_row()]}))
    before = counts(demo)
    call_command("import_portfolio", str(path), "--agreement", demo.code, "--language", "en")
    out = capsys.readouterr().out
    assert "Dry run" in out and "1 to create" in out and counts(demo) == before
    call_command("import_portfolio", str(path), "--agreement", demo.code, "--commit", "--language", "en")
    assert Project.objects.filter(agreement=demo, code="IMP-1").exists()


def test_the_command_refuses_a_file_with_problems(demo, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook(**{ORGANISATIONS: [org_row(BAD_ID)]}))
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_portfolio", str(path), "--agreement", demo.code, "--commit", "--language", "en")
    assert "row 2" in capsys.readouterr().out


def test_an_unknown_file_is_a_clear_error(demo, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(CommandError, match="xlsx"):
        call_command("import_portfolio", str(path), "--agreement", demo.code, "--language", "en")


# --- the pages ---------------------------------------------------------------------------------------------

def _upload(client, content: bytes, name: str = "portfolio.xlsx"):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    return client.post(reverse("reporting:import"), {"file": SimpleUploadedFile(name, content)})


@pytest.fixture
def coordinator_client(demo, client):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="coordinator"))
    return client


def test_the_page_checks_shows_the_report_and_imports_on_confirmation(demo, coordinator_client):
    from reporting.models import PortfolioImport

    content = workbook(**{ORGANISATIONS: [org_row()], PROJECTS: [project_row()]})
    before = counts(demo)
    response = _upload(coordinator_client, content)
    batch = PortfolioImport.objects.get()
    assert response.status_code == 302 and response["Location"] == batch.get_absolute_url()
    page = coordinator_client.get(batch.get_absolute_url()).content.decode()
    assert "Import now" in page and counts(demo) == before
    done = coordinator_client.post(f"{batch.get_absolute_url()}run/", follow=True)
    assert "The file was imported." in done.content.decode()
    batch.refresh_from_db()
    assert batch.status == "imported" and batch.imported_at is not None
    project = Project.objects.get(agreement=demo, code="IMP-1")
    assert project.history.first().history_user.username == "coordinator"  # attributable
    from portfolio.models import SecurityEvent

    assert [e.detail["committed"] for e in SecurityEvent.objects.filter(kind="import").order_by("pk")] == [
        False, True]
    again = coordinator_client.post(f"{batch.get_absolute_url()}run/", follow=True)
    assert "already been imported" in again.content.decode()


def test_the_page_shows_each_problem_next_to_its_row_and_offers_no_import(demo, coordinator_client):
    from reporting.models import PortfolioImport

    _upload(coordinator_client, workbook(**{ORGANISATIONS: [org_row(BAD_ID)]}))
    page = coordinator_client.get(PortfolioImport.objects.get().get_absolute_url()).content.decode()
    assert "Business ID" in page and "check digit" in page and "Import now" not in page


def test_a_file_that_is_no_spreadsheet_is_refused_on_the_form(demo, coordinator_client):
    response = _upload(coordinator_client, b"hello", name="notes.txt")
    assert response.status_code == 400
    assert "Import an .xlsx or a .csv file." in response.content.decode()


def test_only_the_agreements_coordinators_import(demo, client):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    for username in ("steering", "ministry"):
        client.force_login(get_user_model().objects.get(username=username))
        assert client.get(reverse("reporting:import")).status_code == 403
        assert _upload(client, workbook(**{ORGANISATIONS: [org_row()]})).status_code == 403


def test_a_large_file_is_checked_and_imported_by_the_task_with_progress(
        demo, coordinator_client, monkeypatch, django_capture_on_commit_callbacks):
    from reporting.imports import plan, uploads
    from reporting.models import PortfolioImport

    monkeypatch.setattr(uploads, "SYNC_ROWS", 1)  # two rows count as a large file here
    monkeypatch.setattr(plan, "PROGRESS_EVERY", 1)
    seen: list[int] = []
    real = uploads._progress_writer

    def spy(import_id):  # type: ignore[no-untyped-def]
        write = real(import_id)
        return lambda percent: (seen.append(percent), write(percent))

    monkeypatch.setattr(uploads, "_progress_writer", spy)
    content = workbook(**{ORGANISATIONS: [org_row()], PROJECTS: [project_row()]})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _upload(coordinator_client, content)
    batch = PortfolioImport.objects.get()
    assert batch.status == "queued" and len(callbacks) == 1
    page = coordinator_client.get(batch.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert b"every 2s" in page.content and b"<progress" in page.content
    callbacks[0]()  # the broker delivers the check (eager in tests)
    batch.refresh_from_db()
    assert batch.status == "checked" and batch.progress == 100 and seen == sorted(seen) and seen[-1] == 100
    done = coordinator_client.get(batch.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(f"{batch.get_absolute_url()}run/")
    batch.refresh_from_db()
    assert batch.status == "imported" and batch.imported_by.username == "coordinator"
    assert Project.objects.filter(agreement=demo, code="IMP-1").exists()


def test_an_upload_that_is_not_what_it_claims_is_refused_on_the_form(demo, coordinator_client):
    response = _upload(coordinator_client, b"%PDF-1.7 not a workbook", name="portfolio.xlsx")
    assert response.status_code == 400
    assert "does not match its type" in response.content.decode()


def test_a_realistic_file_of_500_rows_with_a_tenth_broken(demo):
    """Done-when of issue 14: every broken row is named, nothing is written; the clean file imports fully and a
    second import changes nothing."""
    organisations = [org_row()]
    projects, lines, broken = [], [], set()
    for i in range(100):
        code = f"IMP-{i:03d}"
        bad = i % 10 == 0  # every tenth project row is broken in one of five ways
        kind = (i // 10) % 5
        row = project_row(code, priority=9 if bad and kind == 0 else 2,
                          lead="Tuntematon Oy" if bad and kind == 1 else GOOD_ID,
                          start="31.2.2025" if bad and kind == 2 else "1.3.2025",
                          end="1.1.2025" if bad and kind == 3 else "31.12.2026")
        if bad and kind == 4:
            row[5] = "7"  # no such method category
        projects.append(row)
        if bad:
            broken.add((PROJECTS, len(projects) + 1))
        for year in (2025, 2026):
            for instrument, amount in (("ERDF", 60000), ("CITY", 30000)):
                lines.append([code, instrument, year, amount])
    for index in range(0, len(lines), 20):  # one broken funding line in twenty
        lines[index] = [lines[index][0], lines[index][1], lines[index][2], "kuusikymmentä"]
        broken.add((LINES, index + 2))
    assert len(projects) + len(lines) + len(organisations) == 501 and len(broken) == 30
    before = counts(demo)
    report = run(demo, workbook(**{ORGANISATIONS: organisations, PROJECTS: projects, LINES: lines}), commit=True)
    assert {(p.table, p.row) for p in report.problems} == broken
    assert not report.committed and counts(demo) == before

    for index in range(0, len(lines), 20):
        lines[index][3] = 60000 if lines[index][1] == "ERDF" else 30000
    clean = [project_row(f"IMP-{i:03d}") for i in range(100)]
    content = workbook(**{ORGANISATIONS: organisations, PROJECTS: clean, LINES: lines})
    done = run(demo, content, commit=True)
    assert done.committed and Project.objects.filter(agreement=demo, code__startswith="IMP-").count() == 100
    assert FundingLine.objects.filter(project__code__startswith="IMP-").count() == 400
    written = counts(demo)
    again = run(demo, content, commit=True)
    assert {c["create"] + c["update"] for c in again.counts().values()} == {0} and counts(demo) == written

"""Compiling summaries: figures against the database, files from the snapshot, idempotency and robustness."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import OperationalError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from funding.models import FundingFrame, FundingLine
from governance.models import Decision
from portfolio.models import Agreement, Project
from reporting import rendering
from reporting import selectors as reporting_selectors
from reporting.choices import ReportStatus
from reporting.models import SummaryReport
from reporting.rendering import render_all
from reporting.services import summary_compile, summary_get_or_create, summary_request
from reporting.tasks import summary_compile_task

pytestmark = pytest.mark.django_db

DROPPED = ("rejected", "withdrawn")
PERIOD_START, PERIOD_END = dt.date(2026, 7, 1), dt.date(2026, 9, 30)


@pytest.fixture
def request_now(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """summary_request with its on-commit task run (eagerly) as if the test's transaction had committed."""
    def run(**kwargs):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            report = summary_request(**kwargs)
        report.refresh_from_db()
        return report
    return run


def compile_now(**kwargs) -> SummaryReport:  # type: ignore[no-untyped-def]
    kwargs.setdefault("audience", "steering")
    kwargs.setdefault("period", "2026-Q3")
    report, _ = summary_get_or_create(user=None, **kwargs)
    summary_compile(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    return report


def expected_figures(agreement) -> dict:  # type: ignore[no-untyped-def]
    """The key figures computed independently with plain aggregate queries."""
    projects = Project.objects.filter(agreement=agreement)
    # The counting rules (docs/counting-rules.md): no ideas, no rejected or withdrawn projects, no RRF.
    lines = FundingLine.objects.filter(project__agreement=agreement).exclude(
        project__status__in=[*DROPPED, "idea"]).exclude(instrument__code="RRF")

    def total(qs, field):  # type: ignore[no-untyped-def]
        return qs.aggregate(s=Sum(field))["s"] or Decimal("0.00")

    granted = total(lines, "granted_amount")
    local = total(lines.filter(instrument__code__in=["CITY", "PUBLIC"]), "granted_amount")
    return {
        "projects": projects.count(),
        "running": projects.filter(status="running").count(),
        "granted": granted,
        "planned": total(lines, "planned_amount"),
        "spent": total(lines, "spent_amount"),
        "frames": total(FundingFrame.objects.filter(agreement=agreement), "amount"),
        "local_percent": (local * 100 / granted).quantize(Decimal("0.01")),
        "late": projects.filter(status__in=["approved", "running"], end_date__lt=PERIOD_END).count(),
        "by_priority_granted": {code: total(lines.filter(project__priority__code=code), "granted_amount")
                                for code in (1, 2, 3, 4)},
        "decisions": Decision.objects.filter(
            proposal__project__agreement=agreement,
            decided_on__gte=dt.date(2026, 7, 1), decided_on__lt=dt.date(2026, 10, 1),
        ).count(),
        "international": projects.filter(status__in=["approved", "running"]).exclude(internationalisation="").count(),
    }


def _save_within_the_period(obj) -> None:  # type: ignore[no-untyped-def]
    """Save a change dated within 2026-Q3 (its history row), so that the Q3 summary, which tells the
    portfolio as of 30.9.2026, sees it."""
    obj._history_date = dt.datetime(2026, 8, 1, 12, 0, tzinfo=timezone.get_default_timezone())
    obj.save()


# --- figures --------------------------------------------------------------------------------------------------

@pytest.mark.usefixtures("fast_pdf")
def test_json_figures_equal_the_database(demo):
    report = compile_now(agreement=demo)
    expected = expected_figures(demo)
    data = json.loads(report.json_file.read())
    section = data["data"]["agreements"][0]
    assert section["projects"]["total"] == expected["projects"]
    assert section["projects"]["by_status"]["running"] == expected["running"]
    assert Decimal(section["split"]["granted"]["total"]) == expected["granted"]
    assert Decimal(section["split"]["planned"]["total"]) == expected["planned"]
    assert Decimal(section["funding"]["all_years"]["spent"]) == expected["spent"]
    assert Decimal(section["funding"]["all_years"]["frame"]) == expected["frames"]
    assert Decimal(section["split"]["granted"]["local_percent"]) == expected["local_percent"]
    assert section["late"]["count"] == expected["late"]
    assert section["activity"]["decisions"] == expected["decisions"]
    assert section["internationalisation"]["with_internationalisation"] == expected["international"]
    assert {p["code"]: Decimal(p["granted"]) for p in section["projects"]["by_priority"]} == \
        expected["by_priority_granted"]
    # Money is carried as decimal strings, never floats.
    assert isinstance(section["split"]["granted"]["total"], str)


@pytest.mark.usefixtures("fast_pdf")
def test_xlsx_figures_equal_the_database_as_real_numbers(demo):
    report = compile_now(agreement=demo, language="en")  # headings looked up in English
    expected = expected_figures(demo)
    wb = load_workbook(io.BytesIO(report.xlsx_file.read()))
    sheet = next(ws for ws in wb.worksheets if ws["A1"].value == "Agreement" and ws["B1"].value == "Projects")
    header = [c.value for c in sheet[1]]
    row = {header[i]: cell for i, cell in enumerate(sheet[2])}
    assert row["Projects"].value == expected["projects"]
    assert row["Running"].value == expected["running"]
    assert row["Granted (€)"].data_type == "n"
    assert Decimal(str(row["Granted (€)"].value)) == expected["granted"]
    assert Decimal(str(row["Planned (€)"].value)) == expected["planned"]
    assert Decimal(str(row["Spent (€)"].value)) == expected["spent"]
    assert Decimal(str(row["Frames (€)"].value)) == expected["frames"]
    assert Decimal(str(row["Local share (%)"].value)) == expected["local_percent"]
    assert row["Past end date"].value == expected["late"]
    priority_sheet = next(ws for ws in wb.worksheets if ws.title.startswith("Projects and funding"))
    granted_col = [c.value for c in priority_sheet[1]].index("Granted (€)")
    by_code = {r[1].value: Decimal(str(r[granted_col].value)) for r in priority_sheet.iter_rows(min_row=2)}
    assert by_code == expected["by_priority_granted"]
    # One sheet per table plus the cover sheet.
    assert len(wb.worksheets) == len(rendering.tables(report.snapshot, "en")) + 1


def test_pdf_text_contains_the_key_figures(demo):
    report = compile_now(agreement=demo, language="en")
    expected = expected_figures(demo)
    reader = PdfReader(io.BytesIO(report.pdf_file.read()))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages).replace("\xa0", " "))
    assert "2026-Q3" in text
    assert f"{expected['granted']:,.2f}" in text
    assert f"{expected['planned']:,.2f}" in text
    assert f"{expected['local_percent']}" in text
    assert "Page 1 of" in text
    assert reader.metadata.title.startswith("Steering-group summary 2026-Q3")
    # Tagged for assistive technology, in the summary's language.
    assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"])
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_pdf_is_in_the_language_of_the_summary(demo):
    report = compile_now(agreement=demo, language="fi")
    reader = PdfReader(io.BytesIO(report.pdf_file.read()))
    text = reader.pages[0].extract_text()
    # Finnish number format: comma decimals (translations of labels come from the locale files).
    granted = expected_figures(demo)["granted"]
    assert f"{granted:,.2f}".replace(",", " ").replace(".", ",") in text.replace("\xa0", " ")


@pytest.mark.usefixtures("fast_pdf")
def test_national_summary_compares_every_agreement_side_by_side(demo, other_agreement):
    report = compile_now(audience="national", period="2026-H2")
    codes = [a["code"] for a in report.snapshot["data"]["agreements"]]
    # The demo's own agreement, its three demo agreements (national view) and the other agreement.
    assert sorted(codes) == sorted(Agreement.objects.values_list("code", flat=True))
    assert {demo.code, other_agreement.code} < set(codes)
    keys = [set(a) for a in report.snapshot["data"]["agreements"]]
    assert keys[0] == keys[1]
    country = report.snapshot["data"]["country"]
    assert country["projects"] == Project.objects.count()
    total = FundingLine.objects.exclude(project__status__in=DROPPED).aggregate(s=Sum("granted_amount"))["s"]
    assert Decimal(country["granted"]["total"]) == total


@pytest.mark.usefixtures("fast_pdf")
def test_xlsx_text_cells_are_never_formulas(demo):
    project = Project.objects.filter(agreement=demo, status="running").order_by("end_date").first()
    project.title_fi = project.title_en = '=HYPERLINK("http://x.invalid","y")'
    project.end_date = dt.date(2026, 1, 31)
    _save_within_the_period(project)
    report = compile_now(agreement=demo)
    wb = load_workbook(io.BytesIO(report.xlsx_file.read()))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)
             and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)
    assert "'=HYPERLINK" in report.csv_file.read().decode("utf-8")


# --- snapshot guarantee ---------------------------------------------------------------------------------------

def test_files_are_rendered_deterministically_from_the_snapshot(demo):
    report = compile_now(agreement=demo)
    stored = {fmt: getattr(report, f"{fmt}_file").read() for fmt in ("pdf", "xlsx", "csv", "json")}
    assert render_all(report.snapshot, report.language) == stored


def test_redownload_after_portfolio_change_gives_the_same_bytes(demo, ministry_client):
    report = compile_now(agreement=demo)
    before = b"".join(ministry_client.get(f"/reports/{report.pk}/download/xlsx/").streaming_content)
    before_pdf = b"".join(ministry_client.get(f"/reports/{report.pk}/download/pdf/").streaming_content)
    FundingLine.objects.filter(project__agreement=demo).update(granted_amount=Decimal("1.00"))
    Project.objects.filter(agreement=demo).update(status="closed")
    after = b"".join(ministry_client.get(f"/reports/{report.pk}/download/xlsx/").streaming_content)
    after_pdf = b"".join(ministry_client.get(f"/reports/{report.pk}/download/pdf/").streaming_content)
    assert after == before and after_pdf == before_pdf
    report.refresh_from_db()
    assert render_all(report.snapshot, report.language)["xlsx"] == before


@pytest.mark.usefixtures("fast_pdf")
def test_narrative_compares_with_the_previous_summary(demo):
    first = compile_now(agreement=demo, period="2026-Q2")
    for project in Project.objects.filter(agreement=demo, status="approved"):
        project.status = "running"
        _save_within_the_period(project)
    second = compile_now(agreement=demo, period="2026-Q3")
    changes = second.snapshot["changes"]
    assert changes["previous"]["id"] == first.pk
    running = {i["indicator"]: i for i in changes["items"]}["running"]
    assert running["after"] == Project.objects.filter(agreement=demo, status="running").count()
    assert any("running projects" in line for line in rendering.narrative(second.snapshot, "en"))


# --- idempotency ----------------------------------------------------------------------------------------------

@pytest.mark.usefixtures("fast_pdf")
def test_same_summary_of_unchanged_data_is_not_duplicated(demo, coordinator, request_now):
    first = request_now(audience="steering", period="2026-Q3", agreement=demo, user=coordinator)
    first.refresh_from_db()
    assert first.status == ReportStatus.DONE
    second = request_now(audience="steering", period="2026-Q3", agreement=demo, user=coordinator)
    assert second.pk == first.pk
    assert SummaryReport.objects.count() == 1


@pytest.mark.usefixtures("fast_pdf")
def test_changed_data_gives_a_new_version_and_keeps_the_old(demo, coordinator, request_now):
    # The running quarter: its figures are today's (a past quarter's are as of its end, see test_as_of).
    period = f"{timezone.localdate().year}-Q{(timezone.localdate().month - 1) // 3 + 1}"
    first = request_now(audience="steering", period=period, agreement=demo, user=coordinator)
    FundingLine.objects.filter(project__agreement=demo, instrument__code="ERDF", year=2026).update(
        spent_amount=Decimal("0.00"))
    second = request_now(audience="steering", period=period, agreement=demo, user=coordinator)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert first.data_version != second.data_version
    assert first.status == second.status == ReportStatus.DONE


@pytest.mark.usefixtures("fast_pdf")
def test_deliberate_rerun_is_a_new_version_of_the_same_data(demo, coordinator, request_now):
    first = request_now(audience="steering", period="2026-Q3", agreement=demo, user=coordinator)
    rerun = request_now(audience="steering", period="2026-Q3", agreement=demo, user=coordinator, rerun=True)
    first.refresh_from_db()
    rerun.refresh_from_db()
    assert rerun.pk != first.pk and rerun.version == 2 and rerun.rerun
    assert rerun.data_version == first.data_version
    assert SummaryReport.objects.filter(status=ReportStatus.DONE).count() == 2


@pytest.mark.usefixtures("fast_pdf")
def test_database_refuses_a_second_summary_of_the_same_data(demo):
    from django.db import IntegrityError

    report = compile_now(agreement=demo)
    with pytest.raises(IntegrityError), transaction.atomic():
        SummaryReport.objects.create(audience="steering", agreement=demo, period="2026-Q3",
                                     period_start=PERIOD_START, period_end=PERIOD_END, version=2,
                                     data_version=report.data_version, status=ReportStatus.DONE)


# --- Celery: on commit, retries, redelivery, failure -----------------------------------------------------------

def test_task_is_enqueued_only_after_commit(demo, coordinator, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(summary_compile_task, "delay", lambda *args: sent.append(args))
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            summary_request(audience="steering", period="2026-Q3", agreement=demo, user=coordinator)
            raise RuntimeError("roll back")
    assert sent == [] and not SummaryReport.objects.exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = summary_request(audience="steering", period="2026-Q3", agreement=demo, user=coordinator)
        assert sent == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert sent == [(report.pk,)]


@pytest.mark.usefixtures("fast_pdf")
def test_transient_error_is_retried_then_succeeds(demo, monkeypatch):
    report, _ = summary_get_or_create(audience="steering", period="2026-Q3", agreement=demo, user=None)
    real = reporting_selectors.summary_data
    calls = []

    def flaky(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(**kwargs)

    monkeypatch.setattr(reporting_selectors, "summary_data", flaky)
    monkeypatch.setattr(summary_compile_task.app.conf, "task_eager_propagates", False)
    summary_compile_task.apply(args=(report.pk,))
    report.refresh_from_db()
    assert len(calls) == 2
    assert report.status == ReportStatus.DONE and report.progress == 100


@pytest.mark.usefixtures("fast_pdf")
def test_transient_error_on_every_attempt_fails_visibly(demo, monkeypatch):
    report, _ = summary_get_or_create(audience="steering", period="2026-Q3", agreement=demo, user=None)

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("database is locked")

    monkeypatch.setattr(reporting_selectors, "summary_data", broken)
    monkeypatch.setattr(summary_compile_task, "max_retries", 2)
    monkeypatch.setattr(summary_compile_task.app.conf, "task_eager_propagates", False)
    result = summary_compile_task.apply(args=(report.pk,))
    assert result.failed()
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "database is locked" in report.error


def test_failure_leaves_failed_status_with_reason_and_no_files(demo, monkeypatch, settings):
    report, _ = summary_get_or_create(audience="steering", period="2026-Q3", agreement=demo, user=None)

    def broken_pdf(snapshot, language):  # type: ignore[no-untyped-def]
        raise ValueError("font missing")

    monkeypatch.setitem(rendering.RENDERERS, "pdf", broken_pdf)
    summary_compile_task.apply(args=(report.pk,))
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "font missing" in report.error
    assert not any([report.pdf_file, report.xlsx_file, report.csv_file, report.json_file])
    media = settings.MEDIA_ROOT
    assert not list(media.rglob("*.*")) if media.exists() else True


@pytest.mark.usefixtures("fast_pdf")
def test_worker_killed_mid_job_is_completed_once_on_redelivery(demo):
    report, _ = summary_get_or_create(audience="steering", period="2026-Q3", agreement=demo, user=None)
    stale = timezone.now() - dt.timedelta(hours=2)
    SummaryReport.objects.filter(pk=report.pk).update(status=ReportStatus.COMPILING, progress=40, started_at=stale)
    summary_compile_task.apply(args=(report.pk,))  # the redelivered message
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    completed, pdf_name = report.completed_at, report.pdf_file.name
    summary_compile_task.apply(args=(report.pk,))  # delivered once more: nothing is compiled again
    report.refresh_from_db()
    assert (report.completed_at, report.pdf_file.name) == (completed, pdf_name)
    assert SummaryReport.objects.count() == 1


def test_job_held_by_a_live_worker_is_not_compiled_twice(demo):
    from reporting.services import SummaryInProgress

    report, _ = summary_get_or_create(audience="steering", period="2026-Q3", agreement=demo, user=None)
    SummaryReport.objects.filter(pk=report.pk).update(status=ReportStatus.COMPILING, started_at=timezone.now())
    with pytest.raises(SummaryInProgress):
        summary_compile(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.COMPILING and not report.pdf_file


def test_task_for_a_deleted_report_returns_quietly(db):
    assert summary_compile_task.apply(args=(999999,)).get() is None


# --- schedule and command -----------------------------------------------------------------------------------

@pytest.mark.usefixtures("fast_pdf")
def test_scheduled_task_requests_the_period_that_ended_once(demo, time_machine, django_capture_on_commit_callbacks):
    from reporting.tasks import summary_compile_scheduled_task

    time_machine.move_to(dt.datetime(2026, 10, 1, 3, 0, tzinfo=timezone.get_default_timezone()))
    with django_capture_on_commit_callbacks(execute=True):
        ids = summary_compile_scheduled_task.apply(kwargs={"audience": "steering", "period_kind": "quarter"}).get()
    with django_capture_on_commit_callbacks(execute=True):
        again = summary_compile_scheduled_task.apply(kwargs={"audience": "steering", "period_kind": "quarter"}).get()
    assert ids == again
    # One summary per agreement with a steering group (the demo has the real one and three demo agreements).
    assert len(ids) == SummaryReport.objects.count() == Agreement.objects.count()
    report = SummaryReport.objects.get(agreement=demo)
    assert (report.period, report.status, report.agreement_id) == ("2026-Q3", ReportStatus.DONE, demo.pk)
    with django_capture_on_commit_callbacks(execute=True):
        national = summary_compile_scheduled_task.apply(kwargs={"audience": "national", "period_kind": "half"}).get()
    assert SummaryReport.objects.get(pk=national[0]).period == "2026-H1"


def test_compile_summary_command_runs_synchronously(demo, capsys):
    call_command("compile_summary", "--audience", "steering", "--period", "2026-Q3", "--agreement", demo.code)
    report = SummaryReport.objects.get()
    assert report.status == ReportStatus.DONE and report.pdf_file
    call_command("compile_summary", "--audience", "national", "--period", "2026", "--language", "en")
    assert SummaryReport.objects.filter(audience="national", period="2026", language="en",
                                        status=ReportStatus.DONE).exists()
    out = capsys.readouterr().out
    assert "done" in out


def test_compile_summary_command_rejects_a_bad_period(demo):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("compile_summary", "--audience", "steering", "--period", "2026-Q9", "--agreement", demo.code)


@pytest.mark.usefixtures("fast_pdf")
def test_period_figures_use_only_the_period(demo):
    report = compile_now(agreement=demo)
    section = report.snapshot["data"]["agreements"][0]
    lines = FundingLine.objects.filter(project__agreement=demo, year=2026).exclude(project__status__in=DROPPED)
    assert Decimal(section["funding"]["period"]["granted"]) == lines.aggregate(s=Sum("granted_amount"))["s"]
    cumulative = FundingLine.objects.filter(Q(year__lte=2026), project__agreement=demo).exclude(
        project__status__in=DROPPED).aggregate(s=Sum("spent_amount"))["s"]
    assert Decimal(section["funding"]["cumulative"]["spent"]) == cumulative


def test_pdf_tables_fit_the_page_width(demo):
    """Issue 15: the key-figures table (13 columns) was cut at the right page edge. Every piece of text of the
    Finnish PDF must lie inside the page (its right edge estimated from the font size)."""
    from reporting.tests.pdf_checks import text_outside_the_page

    report = compile_now(agreement=demo, language="fi")
    outside = text_outside_the_page(report.pdf_file.read())
    assert not outside, "\n".join(outside)

"""Benchmark (not a test; `make bench`): a 10 000-row spreadsheet checked and imported through the Celery task
(`reporting.portfolio_import_task`, applied in-process), with its progress. Prints the time of the check and of
the import, the peak Python memory of the import (tracemalloc) and the process's maximum resident set, and a
reference: the same projects and lines written with `bulk_create` (no validation, no history) in the same run.
`BENCH_IMPORT_ROWS` changes the size."""

from __future__ import annotations

import io
import os
import resource
import time
import tracemalloc
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook

from funding.models import FundingInstrument, FundingLine
from portfolio.models import Agreement, Organisation, Priority, Project
from reporting.imports import COLUMNS, LINES, PROJECTS, import_receive, import_request
from reporting.tasks import portfolio_import_task

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))
LINES_PER_PROJECT = 4


def _workbook(lead: str, projects: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Hankkeet")
    sheet.append([h[0] for h in COLUMNS[PROJECTS].values()])
    for i in range(projects):
        sheet.append([f"B-{i:05d}", f"Vertailuhanke {i}", "", "", 1 + i % 3, "1, 2", lead, "", "1.1.2025",
                      "31.12.2026", "", ""])
    lines = book.create_sheet("Rahoitusrivit")
    lines.append([h[0] for h in COLUMNS[LINES].values()])
    for i in range(projects):
        for year in (2025, 2026):
            for code, amount in (("ERDF", 60000), ("CITY", 40000)):
                lines.append([f"B-{i:05d}", code, year, amount])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.django_db(transaction=True)
def test_import_of_10000_rows_through_the_task(monkeypatch):  # type: ignore[no-untyped-def]
    call_command("seed_demo", verbosity=0)
    agreement = Agreement.objects.order_by("pk").first()
    user = get_user_model().objects.get(username="coordinator")
    lead = Organisation.objects.exclude(business_id="").first()
    projects = ROWS // (1 + LINES_PER_PROJECT)
    content = _workbook(lead.business_id, projects)
    monkeypatch.setattr("django.db.transaction.on_commit", lambda fn: fn())  # deliver at once

    started = time.perf_counter()
    batch = import_receive(agreement=agreement, upload=SimpleUploadedFile("bench.xlsx", content), user=user)
    checked = time.perf_counter() - started
    assert batch.status == "checked" and not batch.report["problems"], batch.report["problems"][:3]

    started = time.perf_counter()
    batch = import_request(batch=batch, user=user)
    imported = time.perf_counter() - started
    assert batch.status == "imported", batch.report.get("problems", [])[:3]
    assert Project.objects.filter(code__startswith="B-").count() == projects
    assert portfolio_import_task.name == "reporting.portfolio_import_task"

    # Reference: the same rows written with bulk_create (no validation, history or services).
    Project.objects.filter(code__startswith="R-").delete()
    priority = Priority.objects.filter(agreement=agreement).first()
    erdf, city = FundingInstrument.objects.get(code="ERDF"), FundingInstrument.objects.get(code="CITY")
    started = time.perf_counter()
    rows = Project.objects.bulk_create([Project(agreement=agreement, code=f"R-{i:05d}", title=f"R {i}",
                                                priority=priority, lead_organisation=lead) for i in range(projects)])
    FundingLine.objects.bulk_create([FundingLine(project=p, instrument=inst, year=y, planned_amount=Decimal(a))
                                     for p in rows for y in (2025, 2026) for inst, a in ((erdf, 60000), (city, 40000))])
    reference = time.perf_counter() - started

    # Peak memory of a check of the same file (the import's own allocations, traced apart from the timing).
    tracemalloc.start()
    import_receive(agreement=agreement, upload=SimpleUploadedFile("bench.xlsx", content), user=user)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"\nimport of {projects + projects * LINES_PER_PROJECT} rows ({projects} projects): check {checked:.1f} s, "
          f"import {imported:.1f} s (validated again, written through the services with history); "
          f"bulk_create reference {reference:.2f} s = {imported / reference:.0f}x; peak Python memory of a check "
          f"{peak / 1e6:.0f} MB, max RSS {_maxrss_mb():.0f} MB")

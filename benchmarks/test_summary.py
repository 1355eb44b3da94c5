"""Benchmark (not a test; `make bench`): the national summary for 15 agreements and 20 000 projects.

Prints the compile time (data gathering and the four files) and the peak memory; targets < 60 s and
< 500 MB. Peak memory is reported two ways: Python allocations during the compile (tracemalloc, on a
second, deliberate re-run so tracing does not distort the timing) and the process's maximum resident set
(ru_maxrss, which also includes seeding the data)."""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc

import pytest
from django.core.management import call_command
from django.db import connection

from portfolio.models import Agreement, Project
from reporting.choices import ReportStatus
from reporting.services import summary_compile, summary_get_or_create

AGREEMENTS = 15
PROJECTS = 20_000
TARGET_SECONDS = 60
TARGET_MB = 500


def _maxrss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _compile(rerun: bool) -> tuple[float, float, object]:
    started = time.perf_counter()
    report, _ = summary_get_or_create(audience="national", period="2026-H2", user=None, rerun=rerun)
    requested = time.perf_counter() - started
    summary_compile(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    return requested, time.perf_counter() - started, report


@pytest.mark.django_db
def test_national_summary_15_agreements_20000_projects():  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    with open("/dev/null", "w") as devnull:
        call_command("seed_scale", agreements=AGREEMENTS, projects=PROJECTS, stdout=devnull)
    seeded = time.perf_counter() - started
    agreements = Agreement.objects.count()
    projects = Project.objects.count()
    rss_before = _maxrss_mb()

    requested, elapsed, report = _compile(rerun=False)
    rss_after = _maxrss_mb()

    tracemalloc.start()
    _, traced_elapsed, rerun = _compile(rerun=True)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    sizes = {fmt: getattr(report, f"{fmt}_file").size for fmt in ("pdf", "xlsx", "csv", "json")}
    print(
        f"\n[bench] national summary: {agreements} agreements, {projects} projects "
        f"({connection.vendor}); seeded in {seeded:.1f} s\n"
        f"[bench] compile time: {elapsed:.2f} s (of which the request's data-version check "
        f"{requested:.2f} s); target < {TARGET_SECONDS} s\n"
        f"[bench] peak memory: {traced_peak / 1e6:.1f} MB traced Python allocations during a compile "
        f"(re-run with tracemalloc took {traced_elapsed:.2f} s); process max RSS {rss_after:.0f} MB "
        f"(before compiling {rss_before:.0f} MB); target < {TARGET_MB} MB\n"
        f"[bench] files: " + ", ".join(f"{fmt} {size / 1024:.0f} KiB" for fmt, size in sizes.items())
    )
    assert rerun.version == report.version + 1
    assert elapsed < TARGET_SECONDS
    assert traced_peak / 1e6 < TARGET_MB and rss_after < TARGET_MB

"""The benchmark harness (`make bench`): every operation interleaved with its references in one process.

An operation is something the portal does (a page, an API list, a selector) and its references are what it is
compared with: the Django admin changelist as a superuser, or a hand-written raw SQL query (in benchmarks/)
returning the same rows and fields. Each round runs every operation and every reference once, in the same
order, so that the noise of a shared machine hits them alike; the table reports medians, the 95th
percentile, the number of SQL queries (counted in a separate, untimed call), the ratio portal / reference
and the growth of the portal's median from the smallest to the largest data size.

Operations are plugged in by modules `benchmarks/ops/<topic>.py`, each defining
`def operations(ctx: Context) -> list[Operation]`; the harness discovers them all. Run it with
`python -m benchmarks.run` (or `make bench`); the normal test suite runs it once with tiny data
(tests/test_bench_harness.py) so that it cannot rot.
"""

from __future__ import annotations

import gc
import importlib
import json
import math
import pkgutil
import platform
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group
from django.db import connection
from django.http import HttpResponseBase
from django.test import Client
from django.test.utils import CaptureQueriesContext

SIZES = (2_000, 20_000)
AGREEMENTS = 15
ROUNDS = 21


@dataclass
class Operation:
    """One measured operation: `portal` is what the portal does, `references` what it is compared with
    (name -> callable). `query_limit`, when given, is the most SQL queries the portal may run; the table
    flags an operation over it and the harness's smoke test fails."""

    name: str
    portal: Callable[[], object]
    references: dict[str, Callable[[], object]] = field(default_factory=dict)
    query_limit: int | None = None


@dataclass
class Context:
    """What an operation module gets: the data size, one scale agreement and users of three roles.
    `coordinator` coordinates `agreement`; `ministry` sees every agreement; `superuser` is for the admin."""

    size: int
    agreement: Any
    coordinator: Any
    ministry: Any
    superuser: Any
    _clients: dict[int, Client] = field(default_factory=dict, repr=False)

    def client_for(self, user: Any) -> Client:
        """A test Client logged in as `user` (one per user, reused across rounds)."""
        if user.pk not in self._clients:
            client = Client()
            client.force_login(user)
            self._clients[user.pk] = client
        return self._clients[user.pk]


def discover() -> list[Any]:
    """Every module in benchmarks/ops/ that defines `operations`, by name."""
    from benchmarks import ops

    modules = []
    for info in sorted(pkgutil.iter_modules(ops.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"benchmarks.ops.{info.name}")
        if callable(getattr(module, "operations", None)):
            modules.append(module)
    return modules


def seed(size: int, agreements: int = AGREEMENTS) -> dict[str, int]:
    """The scale data for `size` projects (replacing an earlier size's); deterministic."""
    from portfolio.services import agreement_load
    from reporting.scale_seed import scale_seed

    agreement_load()  # the real agreement: roles, instruments, method categories (idempotent)
    result = scale_seed(agreements=agreements, projects=size)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give a live database
            cursor.execute("ANALYZE")
    return result


def bench_user(username: str, *, group: str | None = None, superuser: bool = False) -> Any:
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"is_superuser": superuser, "is_staff": superuser})
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def make_context(size: int) -> Context:
    from portfolio.models import Agreement, AgreementAccess

    agreement = Agreement.objects.get(code="scale-1")
    coordinator = bench_user("bench-coordinator", group="coordinator")
    AgreementAccess.objects.get_or_create(user=coordinator, agreement=agreement)
    ministry = bench_user("bench-ministry", group="ministry")
    superuser = bench_user("bench-root", superuser=True)
    return Context(size=size, agreement=agreement, coordinator=coordinator, ministry=ministry, superuser=superuser)


def _check(name: str, result: object) -> None:
    if isinstance(result, HttpResponseBase) and result.status_code != 200:
        raise AssertionError(f"{name}: HTTP {result.status_code}")


def _count_queries(name: str, fn: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        _check(name, fn())
    return len(captured.captured_queries)


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(operations: list[Operation], rounds: int) -> list[dict[str, Any]]:
    """Run every operation and its references `rounds` times, interleaved (one warm-up round first)."""
    calls: list[tuple[int, str, Callable[[], object]]] = []
    for index, op in enumerate(operations):
        calls.append((index, "portal", op.portal))
        calls.extend((index, ref, fn) for ref, fn in op.references.items())
    queries = {(i, who): _count_queries(f"{operations[i].name} / {who}", fn) for i, who, fn in calls}  # warm-up
    times: dict[tuple[int, str], list[float]] = {(i, who): [] for i, who, _ in calls}
    gc_was_enabled = gc.isenabled()
    try:
        for _ in range(rounds):
            gc.collect()
            gc.disable()
            for i, who, fn in calls:
                started = time.perf_counter()
                result = fn()
                times[(i, who)].append(time.perf_counter() - started)
                _check(f"{operations[i].name} / {who}", result)
            gc.enable()
    finally:
        if gc_was_enabled:
            gc.enable()
    results = []
    for index, op in enumerate(operations):
        portal = times[(index, "portal")]
        median = statistics.median(portal)
        refs = {}
        for ref in op.references:
            ref_median = statistics.median(times[(index, ref)])
            refs[ref] = {"median_ms": ref_median * 1000, "p95_ms": _p95(times[(index, ref)]) * 1000,
                         "queries": queries[(index, ref)],
                         "ratio": median / ref_median if ref_median else None}
        results.append({
            "name": op.name, "median_ms": median * 1000, "p95_ms": _p95(portal) * 1000,
            "queries": queries[(index, "portal")], "query_limit": op.query_limit,
            "over_query_limit": op.query_limit is not None and queries[(index, "portal")] > op.query_limit,
            "references": refs,
        })
    return results


def run(sizes: Iterable[int] = SIZES, rounds: int = ROUNDS, agreements: int = AGREEMENTS,
        out_dir: Path | None = None, only: str = "", echo: Callable[[str], None] = print) -> dict[str, Any]:
    """Seed each size, measure every discovered operation at it, and return (and optionally write) the report.
    `only` keeps the operations whose name or module contains it."""
    sizes = list(sizes)
    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "database": connection.vendor,
        "machine": f"{platform.machine()}, {_cpus()} CPUs, Python {platform.python_version()}",
        "rounds": rounds, "agreements": agreements, "sizes": {}, "operations": {},
    }
    modules = discover()
    for size in sizes:
        started = time.perf_counter()
        seeded = seed(size, agreements)
        seeded["seconds"] = round(time.perf_counter() - started, 2)
        report["sizes"][str(size)] = seeded
        echo(f"seeded {size} projects ({seeded['funding_lines']} funding lines) in {seeded['seconds']} s")
        ctx = make_context(size)
        ops: list[Operation] = []
        for module in modules:
            for op in module.operations(ctx):
                if not only or only in op.name or only in module.__name__:
                    ops.append(op)
        names = [op.name for op in ops]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate operation names: {duplicates}")
        started = time.perf_counter()
        for result in measure(ops, rounds):
            report["operations"].setdefault(result["name"], {})[str(size)] = result
        echo(f"measured {len(ops)} operations at {size} in {time.perf_counter() - started:.1f} s")
    smallest, largest = str(min(sizes)), str(max(sizes))
    for by_size in report["operations"].values():
        if smallest in by_size and largest in by_size and smallest != largest:
            by_size["growth"] = by_size[largest]["median_ms"] / by_size[smallest]["median_ms"]
    report["table"] = table(report)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "latest.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        (out_dir / "latest.md").write_text(markdown(report))
    return report


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _rows(report: dict[str, Any]) -> list[list[str]]:
    """One row per operation and size; the references in one cell each (median and ratio)."""
    rows = []
    for name, by_size in report["operations"].items():
        for size in sorted((s for s in by_size if s.isdigit()), key=int):
            r = by_size[size]
            refs = "; ".join(f"{ref} {v['median_ms']:.1f} ms, {v['queries']} q" for ref, v in r["references"].items())
            ratios = "; ".join(f"{v['ratio']:.2f}×" if v["ratio"] else "–" for v in r["references"].values())
            queries = f"{r['queries']}" + (f" (limit {r['query_limit']}!)" if r["over_query_limit"] else "")
            growth = f"{by_size['growth']:.2f}×" if "growth" in by_size and size == max(by_size, key=_int) else ""
            rows.append([name, size, f"{r['median_ms']:.1f}", f"{r['p95_ms']:.1f}", queries, refs or "–",
                         ratios or "–", growth])
    return rows


def _int(value: str) -> int:
    return int(value) if value.isdigit() else -1


HEADER = ["operation", "projects", "portal median ms", "p95 ms", "queries", "reference(s)", "ratio", "growth"]


def table(report: dict[str, Any]) -> str:
    rows = [HEADER, *_rows(report)]
    widths = [max(len(row[c]) for row in rows) for c in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(widths[c]) for c, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(report: dict[str, Any]) -> str:
    head = (f"{report['date']}, {report['database']}, {report['machine']}; medians of {report['rounds']} "
            f"rounds, {report['agreements']} agreements.\n\n")
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in _rows(report)]
    return head + "\n".join(lines) + "\n"

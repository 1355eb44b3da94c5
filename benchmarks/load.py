"""`make load`: sustained load on gunicorn with the production settings, on 127.0.0.1 only, bounded in time.

LOAD_CLIENTS (20) signed-in clients for LOAD_SECONDS (60) each request, in turn, the project list, a project
page, the dashboard and the API's project list (page_size=100); half are a coordinator, half a ministry
user. The data: benchmarks.harness.seed(LOAD_PROJECTS, 2000 by default) in a database of its own — on the
PostgreSQL server of DATABASE_URL, `<name>_load` (created if missing); otherwise var/load.sqlite3. Prints and
writes var/bench/load.{json,md}: requests, errors, throughput, median and p95 per page; exits 1 on any error.

No load tool is among the locked dependencies (no locust or wrk): the clients are asyncio tasks with httpx
(a dev dependency). They share the two CPUs with gunicorn, so the figures are a floor, not a capacity.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import secrets
import socket
import statistics
import subprocess  # nosec B404: starts gunicorn from the venv, no shell
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("LOAD_CLIENTS", 20))
SECONDS = float(os.environ.get("LOAD_SECONDS", 60))
PROJECTS = int(os.environ.get("LOAD_PROJECTS", 2000))
WORKERS = int(os.environ.get("LOAD_WORKERS", 4))


def _load_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg2
        from psycopg2 import sql

        base, _, name = url.rpartition("/")
        name = name.split("?")[0] or "postgres"
        target = f"{name}_load"
        admin = psycopg2.connect(f"{base}/postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target)))
        admin.close()
        return f"{base}/{target}"
    (ROOT / "var").mkdir(exist_ok=True)
    return f"sqlite:///{ROOT / 'var' / 'load.sqlite3'}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(env: dict[str, str]) -> dict[str, Any]:
    """Migrate, collect static files, seed and sign the users in (sessions in the database)."""
    os.environ.update(env)
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from benchmarks import harness
    from portfolio.models import Project

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    seeded = harness.seed(PROJECTS)
    ctx = harness.make_context(PROJECTS)
    project = Project.objects.filter(agreement=ctx.agreement).order_by("code").first()
    cookies = []
    for user in (ctx.coordinator, ctx.ministry):
        client = Client()
        client.force_login(user)
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")
    assert project is not None
    return {"cookies": cookies, "project": project.pk, "seeded": seeded}


async def _client(base: str, cookie: str, urls: list[str], deadline: float, offset: int,
                  samples: dict[str, list[float]], errors: dict[str, list[str]]) -> None:
    import httpx

    headers = {"Cookie": cookie, "X-Forwarded-Proto": "https"}  # the TLS proxy's header
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30.0, follow_redirects=False) as http:
        n = offset
        while time.monotonic() < deadline:
            url = urls[n % len(urls)]
            n += 1
            started = time.perf_counter()
            try:
                response = await http.get(url)
                if response.status_code != 200:
                    errors[url].append(f"HTTP {response.status_code}")
                    continue
            except httpx.HTTPError as exc:
                errors[url].append(type(exc).__name__)
                continue
            samples[url].append(time.perf_counter() - started)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] if ordered else 0.0


def main() -> int:
    static = tempfile.mkdtemp(prefix="load-static-")
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": f"load-{secrets.token_urlsafe(48)}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": _load_database_url(),
        "CACHE_URL": os.environ.get("CACHE_URL", "locmemcache://"),
        "STATIC_ROOT": static,
    }
    prepared = _prepare(env)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(Path(static) / "gunicorn.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(  # nosec B603: fixed arguments, no shell
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS), "--timeout", "60"],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    try:
        import httpx

        for _ in range(60):
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {(Path(static) / 'gunicorn.log').read_text()}")
            time.sleep(1)
        urls = ["/projects/", f"/projects/{prepared['project']}/", "/", "/api/v1/projects/?page_size=100"]
        samples: dict[str, list[float]] = {url: [] for url in urls}
        errors: dict[str, list[str]] = {url: [] for url in urls}

        async def run() -> float:
            started = time.monotonic()
            deadline = started + SECONDS
            tasks = [_client(base, prepared["cookies"][i % 2], urls, deadline, i, samples, errors)
                     for i in range(CLIENTS)]
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=SECONDS + 60)
            return time.monotonic() - started

        elapsed = asyncio.run(run())
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    report = _report(urls, samples, errors, elapsed, prepared["seeded"])
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "load.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "load.md").write_text(report["markdown"])
    print(report["markdown"])
    return 1 if report["errors"] else 0


def _report(urls: list[str], samples: dict[str, list[float]], errors: dict[str, list[str]], elapsed: float,
            seeded: dict[str, int]) -> dict[str, Any]:
    import platform

    rows = []
    for url in urls:
        times = samples[url]
        rows.append({"url": url, "requests": len(times) + len(errors[url]), "errors": len(errors[url]),
                     "error_kinds": sorted(set(errors[url])),
                     "per_second": len(times) / elapsed,
                     "median_ms": statistics.median(times) * 1000 if times else None,
                     "p95_ms": _p95(times) * 1000})
    total = sum(len(samples[u]) for u in urls)
    all_times = [t for u in urls for t in samples[u]]
    errors_total = sum(len(errors[u]) for u in urls)
    head = (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: gunicorn ({WORKERS} workers, production "
            f"settings), {CLIENTS} signed-in clients for {elapsed:.0f} s, {seeded['projects']} projects; "
            f"{platform.machine()}, {os.cpu_count()} CPUs.\n\n")
    lines = ["| page | requests | errors | per second | median ms | p95 ms |", "|---|---|---|---|---|---|"]
    for r in rows:
        median = f"{r['median_ms']:.0f}" if r["median_ms"] is not None else "–"
        lines.append(f"| `{r['url']}` | {r['requests']} | {r['errors']} | {r['per_second']:.1f} | {median} | "
                     f"{r['p95_ms']:.0f} |")
    lines.append(f"| all | {total + errors_total} | {errors_total} | {total / elapsed:.1f} | "
                 f"{statistics.median(all_times) * 1000 if all_times else 0:.0f} | {_p95(all_times) * 1000:.0f} |")
    return {"clients": CLIENTS, "seconds": elapsed, "workers": WORKERS, "pages": rows, "errors": errors_total,
            "per_second": total / elapsed, "markdown": head + "\n".join(lines) + "\n"}


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())

"""Fault-injection helpers shared by the apps' tests, and a pytest plugin (loaded by the root conftest) that
counts the fault scenarios and prints `fault scenarios: N passed` at the end of the run, for CI to show.

- `broker_refuses` (fixture): every task send fails as it does when Redis is down (kombu's OperationalError),
  so the logic runs on SQLite with eager tasks.
- `own_redis` (fixture): a redis-server of the test's own on a free port, which the test may stop and start
  again (never the machine's shared Redis). Needs a real-broker run (CELERY_BROKER_URL=redis://...): skipped
  otherwise, and FAILS (never skips) in such a run when redis-server is not installed.
- `requires_real_broker`: the marker of tests that need Redis; skipped only when the run has no Redis.
- `celery_app_on(url)`: the project's Celery app pointed at another broker, not eager, with fresh pools.
- `start_worker_process(...)`: a real `celery worker` in a subprocess on the test database, to be killed.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def real_broker_run() -> bool:
    """True in the PostgreSQL + Redis pass: the tests that need Redis must run there, never skip."""
    return str(settings.CELERY_BROKER_URL).startswith("redis://")


requires_real_broker = pytest.mark.skipif(
    not real_broker_run(), reason="needs a real broker: set CELERY_BROKER_URL=redis://... (the CI Redis pass does)")


# --- the pytest plugin ----------------------------------------------------------------------------------------

def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fault: a fault scenario (broker down, worker killed, time limit, lock race); "
                                       "counted in the run's summary")
    config._fault_counts = {"passed": 0, "failed": 0, "skipped": 0}  # type: ignore[attr-defined]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "fault" not in report.keywords:
        return
    counts = _counts()
    if counts is None:
        return
    if report.when == "call" and report.passed:
        counts["passed"] += 1
    elif report.failed:
        counts["failed"] += 1
    elif report.skipped:
        counts["skipped"] += 1


def postgres_and_redis_run() -> bool:
    """The CI pass with real services: PostgreSQL and Redis (where no real-worker or lock test may skip)."""
    return real_broker_run() and settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


# A fault test may skip in the PostgreSQL + Redis pass only when its reason says it is the SQLite variant.
SQLITE_VARIANT = "SQLite variant"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In the PostgreSQL + Redis pass a skipped real-worker or lock test is a failure, not a quiet "s": that
    pass is the only one where they can run."""
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and postgres_and_redis_run()):
        return
    if item.get_closest_marker("fault") is None and item.get_closest_marker("services") is None:
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if SQLITE_VARIANT in reason:
        return
    report.outcome = "failed"
    report.longrepr = (f"{item.nodeid} was skipped in the PostgreSQL + Redis pass, where real-worker and "
                       f"row-lock tests must run: {reason}")


_CONFIG: list[pytest.Config] = []


def pytest_sessionstart(session: pytest.Session) -> None:
    _CONFIG[:] = [session.config]


def _counts() -> dict[str, int] | None:
    return getattr(_CONFIG[0], "_fault_counts", None) if _CONFIG else None


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker: the controller prints the total
        return
    counts = getattr(config, "_fault_counts", None)
    if not counts or not any(counts.values()):
        return
    terminalreporter.write_line(f"fault scenarios: {counts['passed']} passed, {counts['failed']} failed, "
                                f"{counts['skipped']} skipped")


# --- broker refusing ------------------------------------------------------------------------------------------

@pytest.fixture
def broker_refuses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every task send raises what Celery raises when the broker cannot be reached. Yields the names of the
    tasks that were refused."""
    from celery.app.task import Task
    from kombu.exceptions import OperationalError

    refused: list[str] = []

    def refuse(self: Task, *args: Any, **kwargs: Any) -> None:
        refused.append(self.name)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", refuse)
    yield refused


# --- a Redis of the test's own ----------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A redis-server started for one test: no persistence, so a restart is also an empty queue."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.port = _free_port()
        self.workdir = workdir

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                        "no", "--daemonize", "yes", "--dir", str(self.workdir),
                        "--logfile", str(self.workdir / "redis.log")], check=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.ping():
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        cli = shutil.which("redis-cli")
        if cli:
            subprocess.run([cli, "-p", str(self.port), "shutdown", "nosave"], capture_output=True, check=False)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.ping():
            time.sleep(0.05)

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    if not real_broker_run():
        pytest.skip("needs a real broker run: set CELERY_BROKER_URL=redis://...")
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("CELERY_BROKER_URL is redis://, so the fault tests must run, but redis-server is not installed")
    server = OwnRedis(binary, tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def celery_app_on(url: str, *, queue: str) -> Iterator[Any]:
    """The project's Celery app sending to `url` (a queue of the test's own), not eagerly, with fresh
    connection pools, restored afterwards."""
    from config.celery import app

    def reset_pools() -> None:
        # Only forget them: kombu keeps its pools per broker URL (closing one would break the next test).
        app._pool = None
        amqp = app.__dict__.get("amqp")
        if amqp is not None:
            amqp._producer_pool = None

    reset_pools()
    with pytest.MonkeyPatch.context() as patch:
        # broker_url itself prefers the CELERY_BROKER_URL environment variable: set the read/write URLs.
        patch.setattr(app.conf, "broker_url", url)
        patch.setattr(app.conf, "broker_write_url", url)
        patch.setattr(app.conf, "broker_read_url", url)
        patch.setattr(app.conf, "task_always_eager", False)
        patch.setattr(app.conf, "task_default_queue", queue)
        try:
            yield app
        finally:
            reset_pools()
    reset_pools()


def database_url() -> str:
    """The URL of the test database, for a subprocess (PostgreSQL only: SQLite's test database is in memory)."""
    from django.db import connection

    conf = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("a worker subprocess needs a database it can reach (PostgreSQL)")
    user = conf.get("USER") or ""
    password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{conf.get('HOST') or '127.0.0.1'}:{conf.get('PORT') or 5432}/{conf['NAME']}"


class WorkerProcess:
    def __init__(self, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.proc = proc
        self.log = log

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a lost node would: no chance to requeue or acknowledge anything."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start_worker_process(*, broker_url: str, queue: str, log: Path, env: dict[str, str] | None = None,
                         pool: str = "solo") -> WorkerProcess:
    """`celery worker` in a subprocess of its own process group, on the test database, consuming `queue`.
    `env` may set REPORT_TEST_SLOW_RENDER (seconds) to slow the summary rendering down (see worker_main)."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url(),
                   "CELERY_BROKER_URL": broker_url, "CELERY_TASK_ALWAYS_EAGER": "false",
                   "MEDIA_ROOT": str(settings.MEDIA_ROOT), **(env or {})}
    handle = log.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.worker_main", "worker", "-Q", queue, "-P", pool, "-c", "1",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO", "-n", f"{queue}@%h"],
        cwd=ROOT, env=environment, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    return WorkerProcess(proc, log)

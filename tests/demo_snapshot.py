"""The demo portfolio for a test, seeded once per worker and restored for each further test that asks for it.

`seed_demo` writes the demo through the services (history, the ledger, progress reports): 8–22 s a test, and
about eighty tests of each pass ask for it. The first such test of a worker seeds it and keeps the database's
rows as Django's test serialization (`serialize_db_to_string`, the mechanism of `serialized_rollback`); a
later test whose database is exactly as the first one's was before seeding gets the rows back by
`deserialize_db_from_string` (a second or two) inside its own transaction, so its rollback works as before,
with the model signals muted (the snapshot holds what their receivers wrote), and the sequences are moved
past the restored ids (PostgreSQL).

A test whose database differs before seeding (its own fixtures wrote first, or a transactional test
flushed the tables), or whose clock is in another hour (time-machine), seeds as before: the snapshot is
keyed by the database's state and the hour. A seeding that writes media files is not kept (the snapshot
carries rows only; the demo writes none today). `DEMO_SNAPSHOT=0` seeds every test. The browser tests, which
commit, have their own per-worker copy of the seeded database (tests/browser/fixtures.py).
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.db.models import signals
from django.utils import timezone

_SNAPSHOTS: dict[tuple[str, str], str] = {}


def _state() -> str:
    return hashlib.sha256(connection.creation.serialize_db_to_string().encode()).hexdigest()


def _media_files() -> int:
    root = Path(settings.MEDIA_ROOT)
    return sum(1 for path in root.rglob("*") if path.is_file()) if root.exists() else 0


def _reset_sequences() -> None:
    from django.apps import apps

    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


@contextmanager
def _model_signals_muted() -> Iterator[None]:
    """No model signal while the rows are put back: the snapshot holds every row their receivers wrote when
    the demo was seeded (simple-history records a many-to-many change, which a restore of the relation's
    rows would record again)."""
    muted = (signals.pre_save, signals.post_save, signals.m2m_changed)
    kept = [(signal, signal.receivers) for signal in muted]
    for signal in muted:
        signal.receivers = []
        signal.sender_receivers_cache.clear()
    try:
        yield
    finally:
        for signal, receivers in kept:
            signal.receivers = receivers
            signal.sender_receivers_cache.clear()


def seed_demo_for_test() -> str:
    """Seed the demo into the test's database (restored from this worker's snapshot when it can be); which
    way it went: "seeded" or "restored"."""
    if os.environ.get("DEMO_SNAPSHOT", "1") == "0":
        call_command("seed_demo", stdout=io.StringIO())
        return "seeded"
    key = (_state(), timezone.now().strftime("%Y-%m-%d %H"))
    data = _SNAPSHOTS.get(key)
    if data is None:
        files = _media_files()
        call_command("seed_demo", stdout=io.StringIO())
        if _media_files() != files:  # the snapshot carries rows only: a demo that writes files is seeded each time
            return "seeded"
        if len(_SNAPSHOTS) >= 4:  # a few megabytes each: keep the worker's memory bounded
            _SNAPSHOTS.clear()
        _SNAPSHOTS[key] = connection.creation.serialize_db_to_string()
        return "seeded"
    with _model_signals_muted():
        connection.creation.deserialize_db_from_string(data)
    _reset_sequences()
    return "restored"

"""The demo restored from a worker's snapshot (tests/demo_snapshot.py) is the demo `seed_demo` writes: every
row of every table, the same, and new rows after it get fresh ids."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.db import connection, transaction

from tests.demo_snapshot import seed_demo_for_test

pytestmark = pytest.mark.django_db

FROZEN = dt.datetime(2026, 10, 5, 9, 30, tzinfo=dt.UTC)


def _rows() -> list[tuple[str, object, str]]:
    """Every row as (model, pk, fields); the data version's random token left out (it changes with every
    write, so it tells nothing of the data)."""
    rows = json.loads(connection.creation.serialize_db_to_string())
    return sorted((row["model"], row["pk"], json.dumps(row["fields"], sort_keys=True)) for row in rows
                  if row["model"] != "portfolio.dataversion")


def test_a_restored_demo_is_the_seeded_demo_and_new_rows_get_new_ids(monkeypatch):  # type: ignore[no-untyped-def]
    from tests import demo_snapshot

    monkeypatch.setattr(demo_snapshot, "_SNAPSHOTS", {})
    before = _rows()
    with time_machine.travel(FROZEN, tick=False):
        point = transaction.savepoint()
        assert seed_demo_for_test() == "seeded"
        seeded = _rows()
        transaction.savepoint_rollback(point)
        assert _rows() == before
        assert seed_demo_for_test() == "restored"
    assert len(seeded) > len(before) + 1000
    assert _rows() == seeded

    from portfolio.models import Organisation, Project
    from tests.factories import ProjectFactory

    project = ProjectFactory(agreement=Project.objects.order_by("pk").first().agreement)
    assert project.pk > Project.objects.exclude(pk=project.pk).order_by("-pk").first().pk
    assert Organisation.objects.filter(pk=project.lead_organisation_id).count() == 1


def test_a_database_that_differs_before_seeding_is_seeded(monkeypatch):  # type: ignore[no-untyped-def]
    from tests import demo_snapshot
    from tests.factories import UserFactory

    monkeypatch.setattr(demo_snapshot, "_SNAPSHOTS", {})
    with time_machine.travel(FROZEN, tick=False):
        point = transaction.savepoint()
        assert seed_demo_for_test() == "seeded"
        transaction.savepoint_rollback(point)
        UserFactory(username="written-first")
        assert seed_demo_for_test() == "seeded"


def test_a_seeding_that_writes_files_is_not_kept(monkeypatch, settings):  # type: ignore[no-untyped-def]
    """The snapshot carries rows only: were the demo to write a media file, restoring would lose it."""
    from pathlib import Path

    from tests import demo_snapshot

    monkeypatch.setattr(demo_snapshot, "_SNAPSHOTS", {})

    def seed_writing_a_file(*args, **kwargs):  # type: ignore[no-untyped-def]
        folder = Path(settings.MEDIA_ROOT) / "demo"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"file-{len(list(folder.iterdir()))}.txt").write_text("demo")

    monkeypatch.setattr(demo_snapshot, "call_command", seed_writing_a_file)
    assert seed_demo_for_test() == "seeded"
    assert seed_demo_for_test() == "seeded"
    assert demo_snapshot._SNAPSHOTS == {}

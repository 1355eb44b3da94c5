"""Backups: `make backup` / `make restore` (config/backup.py). A backup restored into a fresh database has
every table with the same row count and checksum as the original, on SQLite and on PostgreSQL, and the
media files come back too."""

from __future__ import annotations

import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from config import backup

pytestmark = pytest.mark.django_db(transaction=True)

ENGINE = django_settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]


@pytest.fixture
def data(agreement, coordinator):  # type: ignore[no-untyped-def]
    from tests.factories import ProjectFactory

    for n in range(3):
        ProjectFactory(agreement=agreement, code=f"BAK-{n}", title_fi=f"Varmuuskopio {n}")
    return agreement


@pytest.fixture
def media(tmp_path) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path / "media"
    (root / "attachments").mkdir(parents=True)
    (root / "attachments" / "plan.pdf").write_bytes(b"%PDF-1.4 test")
    return root


@pytest.fixture
def source_db(data, tmp_path):  # type: ignore[no-untyped-def]
    """The live database as `make backup` sees it: the test database itself on PostgreSQL; on SQLite (whose
    test database lives in memory) a file copy of it."""
    db = dict(django_settings.DATABASES["default"])
    if ENGINE == "sqlite3":
        path = tmp_path / "live.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as live:
            connection.connection.backup(live)
        live.close()
        db["NAME"] = str(path)
    else:
        db["NAME"] = connection.settings_dict["NAME"]
    return db


@pytest.fixture
def fresh_db(source_db, tmp_path):  # type: ignore[no-untyped-def]
    db = dict(source_db)
    if ENGINE == "sqlite3":
        db["NAME"] = str(tmp_path / "restored" / "db.sqlite3")
        yield db
        return
    db["NAME"] = f"{source_db['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    args = backup._pg_args(db)
    subprocess.run(["createdb", *args, db["NAME"]], check=True, env=backup._pg_env(db))
    yield db
    subprocess.run(["dropdb", "--if-exists", *args, db["NAME"]], check=True, env=backup._pg_env(db))


def test_a_restored_backup_has_every_row_of_every_table(source_db, fresh_db, media, tmp_path):
    before = backup.fingerprints(source_db)
    assert before["portfolio_project"]["rows"] >= 3
    assert len(before) > 20

    target = backup.backup(source_db, media, tmp_path / "backup")
    assert (target / backup.DB_FILES[ENGINE]).stat().st_size > 0
    assert (target / "media.tar.gz").exists()

    restored_media = tmp_path / "restored-media" / "files"
    manifest = backup.restore(fresh_db, restored_media, target)
    assert manifest["tables"] == before
    assert backup.fingerprints(fresh_db) == before
    assert (restored_media / "attachments" / "plan.pdf").read_bytes() == b"%PDF-1.4 test"


def test_restore_refuses_a_backup_that_does_not_match_its_manifest(source_db, fresh_db, media, tmp_path):
    import json

    target = backup.backup(source_db, media, tmp_path / "backup")
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["tables"]["portfolio_project"]["rows"] += 1
    (target / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SystemExit, match="portfolio_project"):
        backup.restore(fresh_db, tmp_path / "m", target)


def test_make_targets_exist():
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    assert "\nbackup:" in makefile and "\nrestore:" in makefile
    assert "config.backup backup" in makefile and "config.backup restore" in makefile

"""Backups of the database and the media files: `make backup` / `make restore FROM=<dir>`.

A backup is a directory holding the database (`database.dump`, PostgreSQL's custom format from `pg_dump -Fc`,
or `database.sqlite3`, a consistent copy made with SQLite's online-backup API, so a running server's WAL is
included), the media files (`media.tar.gz`: attachments and compiled summaries) and `manifest.json` (when,
which engine, every table's row count and checksum). `restore` puts the database back (`pg_restore --clean`
into the configured database, or the SQLite file replaced) and the media files, then checks the row counts
and checksums against the manifest.

Usage: python -m config.backup backup [DIR] | restore DIR  (settings from DJANGO_SETTINGS_MODULE/.env)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DB_FILES = {"postgresql": "database.dump", "sqlite3": "database.sqlite3"}


def engine_of(db: dict[str, Any]) -> str:
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    if engine not in DB_FILES:
        raise SystemExit(f"backups support PostgreSQL and SQLite, not {db['ENGINE']}")
    return engine


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db: dict[str, Any]) -> list[str]:
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args


@contextmanager
def connect(db: dict[str, Any]) -> Iterator[Any]:
    """A plain DB-API connection to the database of a Django DATABASES entry."""
    if engine_of(db) == "sqlite3":
        conn: Any = sqlite3.connect(str(db["NAME"]))
    else:
        import psycopg2  # type: ignore[import-untyped]  # types-psycopg2 is not among the dependencies

        conn = psycopg2.connect(dbname=db["NAME"], user=db.get("USER") or None, password=db.get("PASSWORD") or None,
                                host=db.get("HOST") or None, port=db.get("PORT") or None)
    try:
        yield conn
    finally:
        conn.close()


def _tables(conn: Any, engine: str) -> list[str]:
    cursor = conn.cursor()
    if engine == "sqlite3":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(row[0] for row in cursor.fetchall())


def fingerprints(db: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every table's row count and a checksum of its rows (order-independent)."""
    engine = engine_of(db)
    out: dict[str, dict[str, Any]] = {}
    with connect(db) as conn:
        for table in _tables(conn, engine):
            cursor = conn.cursor()
            quoted = '"' + table.replace('"', '""') + '"'
            # The table name comes from the database's own catalogue and is quoted as an identifier.
            cursor.execute(f"SELECT * FROM {quoted}")  # nosec B608
            rows = sorted(repr(tuple(str(value) for value in row)) for row in cursor.fetchall())
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            out[table] = {"rows": len(rows), "sha256": digest}
    return out


def backup(db: dict[str, Any], media_root: Path, target: Path) -> Path:
    engine = engine_of(db)
    target.mkdir(parents=True, exist_ok=False)
    dump = target / DB_FILES[engine]
    if engine == "sqlite3":
        with connect(db) as source, sqlite3.connect(str(dump)) as copy:
            source.backup(copy)
        copy.close()
    else:
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), *_pg_args(db),
                        str(db["NAME"])], check=True, env=_pg_env(db))
    if media_root.is_dir():
        with tarfile.open(target / "media.tar.gz", "w:gz") as tar:
            tar.add(media_root, arcname="media")
    manifest = {"created": dt.datetime.now(dt.UTC).isoformat(), "engine": engine, "tables": fingerprints(db)}
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return target


def restore(db: dict[str, Any], media_root: Path, source: Path, *, check: bool = True) -> dict[str, Any]:
    """Replace the configured database (and the media files, when the backup has them) with the backup's.
    Returns the manifest; raises SystemExit when a table's row count or checksum differs after restoring."""
    engine = engine_of(db)
    manifest = json.loads((source / "manifest.json").read_text())
    if manifest["engine"] != engine:
        raise SystemExit(f"the backup is of {manifest['engine']}, the configured database is {engine}")
    dump = source / DB_FILES[engine]
    if engine == "sqlite3":
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(str(db["NAME"]) + suffix).unlink(missing_ok=True)
        with sqlite3.connect(str(dump)) as backup_conn, connect(db) as target:
            backup_conn.backup(target)
        backup_conn.close()
    else:
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                        "--exit-on-error", "--dbname", str(db["NAME"]), *_pg_args(db), str(dump)],
                       check=True, env=_pg_env(db))
    archive = source / "media.tar.gz"
    if archive.exists():
        if media_root.exists():
            shutil.rmtree(media_root)
        media_root.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(media_root.parent, filter="data")  # "data": no absolute paths, links or devices
        if media_root.name != "media":
            (media_root.parent / "media").rename(media_root)
    if check:
        after = fingerprints(db)
        if after != manifest["tables"]:
            differ = sorted(t for t in set(after) | set(manifest["tables"])
                            if after.get(t) != manifest["tables"].get(t))
            raise SystemExit(f"restored database differs from the backup in: {', '.join(differ)}")
    return manifest


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django
    from django.conf import settings

    django.setup()
    db = settings.DATABASES["default"]
    media_root = Path(settings.MEDIA_ROOT)
    if len(argv) >= 1 and argv[0] == "backup":
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = Path(argv[1]) if len(argv) > 1 else Path(settings.BASE_DIR) / "var" / "backups" / stamp
        backup(db, media_root, target)
        print(f"backup written to {target}")
        return 0
    if len(argv) == 2 and argv[0] == "restore":
        manifest = restore(db, media_root, Path(argv[1]))
        print(f"restored {len(manifest['tables'])} tables from {argv[1]} (row counts and checksums match)")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

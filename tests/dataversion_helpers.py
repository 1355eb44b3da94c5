"""The data version inside a test's transaction, which is never committed (portfolio.dataversion)."""

from __future__ import annotations

from django.db import connection


def settle_writes() -> None:
    """Do to the data version what a commit of the writes so far would do. On PostgreSQL the token changes
    at the commit (a deferred trigger) and a transaction that has written reads a pending version, under
    which nothing is cached: fire the deferred triggers now and forget the pending writes, as a commit
    would. On SQLite the triggers change the token at once: nothing to do."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('portfolio.data_version_bumped', '', true)")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SELECT set_config('portfolio.data_written', '', true)")

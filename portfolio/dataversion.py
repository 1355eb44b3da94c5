"""The data version, and dashboard figures cached by it (docs/architecture.md, "Cached figures").

The version is a random token in one row (``DataVersion``) that database triggers replace on every
statement that writes a table of the portfolio, funding, governance or follow-up apps: service writes,
the admin, the API, ``queryset.update()``, bulk writes, deletes, imports, raw SQL and data migrations alike,
since none of them can write a table without firing its trigger. ``install_triggers`` (run after every
``migrate``) puts a trigger on every table of those apps, new tables included, and replaces the token
itself, so a migration changes the version too.

Why triggers and a random token: signals miss ``update()``, bulk writes and raw SQL; a counter bumped by
the services misses every other path. A token written inside the writing transaction is seen by other
connections exactly when the data is (at the commit), and by the writing transaction at once; it is
random, so a rolled-back transaction's token is never reused for other data.

A cached figure's key is the token, the user's visibility scope (``figures_scope``: the SQL of
``Project.objects.visible_to(user)`` and the agreements the user works on, so ``visible_to`` stays the one
rule of who sees what), the language, the day the figures are as of, and the figure's own parameters."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.translation import get_language

from .access import agreement_ids_of
from .roles import is_superuser, sees_all_agreements, user_roles

if TYPE_CHECKING:
    from django.apps import AppConfig
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

T = TypeVar("T")

# The apps whose data the figures are made of.
DATA_APPS = ("portfolio", "funding", "governance", "followup")
# Tables of those apps that no figure reads, written on requests that change no data (a token's last use,
# a notification read, a security event): a trigger there would empty the cache for nothing.
NOT_FIGURE_DATA = frozenset({
    "portfolio.dataversion", "portfolio.apitoken", "portfolio.notification", "portfolio.securityevent",
    "portfolio.savedview", "portfolio.requestidhistory", "governance.notificationoutbox",
})
TRIGGER = "portfolio_data_version"
_TABLE = "portfolio_dataversion"
_BUMPED = "portfolio.data_version_bumped"
_WRITTEN = "portfolio.data_written"
# A version read inside a transaction that has written data but not committed it: never cached under.
PENDING = "pending:"

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {TRIGGER}_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once per transaction, at its commit (a deferred constraint trigger): the version row is locked only
    -- while the writing transaction commits, never while it goes on to lock other rows.
    IF current_setting('{_BUMPED}', true) IS DISTINCT FROM txid_current()::text THEN
        PERFORM set_config('{_BUMPED}', txid_current()::text, true);
        UPDATE {_TABLE} SET token = md5(random()::text || clock_timestamp()::text || txid_current()::text);
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION {TRIGGER}_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- At once, per statement: the writing transaction's own reads see its uncommitted writes, and count them.
    PERFORM set_config('{_WRITTEN}', (coalesce(nullif(current_setting('{_WRITTEN}', true), ''), '0')::int + 1)::text,
                       true);
    RETURN NULL;
END $$;
"""  # nosec B608 - SQL of constant names, no input
# Transaction-local settings of the PostgreSQL triggers: the bump done at commit, the writes not yet committed.
def data_tables() -> list[str]:
    """The tables whose every write changes the data version (m2m tables and history tables included)."""
    from django.apps import apps

    tables = []
    for label in DATA_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in NOT_FIGURE_DATA:
                tables.append(model._meta.db_table)
    return sorted(set(tables))


def install_triggers(using: str = DEFAULT_DB_ALIAS) -> int:
    """Put the data-version trigger on every data table (idempotent), then change the version. Returns the
    number of tables. Tables that do not exist yet (a partial ``migrate``) are skipped."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if _TABLE not in existing:
        return 0
    tables = [table for table in data_tables() if table in existing]
    quote = connection.ops.quote_name
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
            for table in tables:
                for name in (TRIGGER, f"{TRIGGER}_mark", f"{TRIGGER}_truncate"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {quote(table)}")
                # The token changes at the commit (deferred, once per transaction: see _PG_FUNCTION); each
                # statement marks its transaction at once; TRUNCATE (no constraint trigger) bumps at once.
                cursor.execute(f"CREATE CONSTRAINT TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON "
                               f"{quote(table)} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                               f"EXECUTE FUNCTION {TRIGGER}_bump()")
                cursor.execute(f"CREATE TRIGGER {TRIGGER}_mark AFTER INSERT OR UPDATE OR DELETE ON "
                               f"{quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}_mark()")
                cursor.execute(f"CREATE TRIGGER {TRIGGER}_truncate AFTER TRUNCATE ON {quote(table)} "
                               f"FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}_bump()")
        elif connection.vendor == "sqlite":
            for table in tables:
                for operation in ("INSERT", "UPDATE", "DELETE"):
                    name = quote(f"{TRIGGER}_{table}_{operation.lower()}")
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(f"CREATE TRIGGER {name} AFTER {operation} ON {quote(table)} BEGIN "  # nosec B608 - constant names
                                   f"UPDATE {_TABLE} SET token = lower(hex(randomblob(16))); END")
        else:  # pragma: no cover - the project runs on PostgreSQL and SQLite only
            raise NotImplementedError(f"no data-version triggers for {connection.vendor}")
    data_version_bump(using=using)
    return len(tables)


def install_triggers_after_migrate(sender: AppConfig, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """post_migrate receiver: once per ``migrate`` (on the portfolio app's signal, after every migration)."""
    if sender.label == "portfolio":
        install_triggers(using)


def data_version_bump(using: str = DEFAULT_DB_ALIAS) -> None:
    """Change the version by hand (the triggers do it on every write; a migration calls this)."""
    from .models import DataVersion

    token = secrets.token_hex(16)
    if not DataVersion.objects.using(using).filter(pk=1).update(token=token):
        DataVersion.objects.using(using).get_or_create(pk=1, defaults={"token": token})


def data_version() -> str:
    """The current data version (one primary-key read). On PostgreSQL the token changes when a writing
    transaction commits; inside a transaction that has written data and not yet committed it, the version
    is ``PENDING`` with the transaction and its number of writes (a new one after every write), under which
    nothing is cached: no other transaction sees those writes yet."""
    from .models import DataVersion

    connection = connections[DEFAULT_DB_ALIAS]
    token: str | None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # one query, as the plain read below
            cursor.execute(f"SELECT current_setting(%s, true), txid_current_if_assigned(), "  # nosec B608 - constant
                           f"(SELECT token FROM {_TABLE} WHERE id = 1)", [_WRITTEN])
            written, txid, token = cursor.fetchone()
        if written:
            return f"{PENDING}{txid}:{written}"
    else:
        token = DataVersion.objects.filter(pk=1).values_list("token", flat=True).first()

    if token is None:
        try:
            with transaction.atomic():
                token = DataVersion.objects.get_or_create(pk=1, defaults={"token": secrets.token_hex(16)})[0].token
        except IntegrityError:  # created meanwhile by another request
            token = DataVersion.objects.get(pk=1).token
    return token


def figures_scope(user: AbstractBaseUser | AnonymousUser | None) -> str:
    """Who the figures are for, as far as they differ: users with the same visible projects and the same
    agreements worked on see the same figures. Derived from ``visible_to`` itself (its SQL)."""
    from .models import Project

    if user is None:
        return "everything"
    if not user.is_authenticated:
        return "anonymous"
    try:
        projects = str(Project.objects.visible_to(user).query)
    except EmptyResultSet:
        projects = "none"
    works_on = "all" if sees_all_agreements(user) else ",".join(str(pk) for pk in agreement_ids_of(user))
    # The roles too: the blocks keyed by the user hold permission-dependent parts (the "new project" button,
    # the compile form), and a role is a Django group, whose table the data version does not follow.
    roles = ",".join(sorted(user_roles(user))) + ("|superuser" if is_superuser(user) else "")
    return hashlib.sha256(f"{projects}|{works_on}|{roles}".encode()).hexdigest()[:32]


class FigureCache:
    """Figures of one request from Django's cache: the data version is read once, at the start.

    ``get(name, compute, **params)`` returns the cached value for this version, scope, language and day,
    or computes, stores and returns it."""

    def __init__(self, *, user: AbstractBaseUser | AnonymousUser | None, as_of: dt.date | None = None) -> None:
        self.version = data_version()
        self.scope = figures_scope(user)
        self.as_of = as_of or timezone.localdate()

    def key(self, name: str, **params: Any) -> str:
        parts = [self.version, self.scope, get_language() or "", self.as_of.isoformat(), name,
                 *(f"{key}={params[key]}" for key in sorted(params))]
        return "figures:" + hashlib.sha256("|".join(parts).encode()).hexdigest()

    def get(self, name: str, compute: Callable[[], T], **params: Any) -> T:
        key = self.key(name, **params)
        missing = object()
        value = cache.get(key, missing)
        if value is missing:
            value = compute()
            if not self.version.startswith(PENDING):
                cache.set(key, value, timeout=settings.FIGURES_CACHE_SECONDS)
        return value  # type: ignore[return-value]

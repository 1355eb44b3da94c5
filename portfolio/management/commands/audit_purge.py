"""Delete security-log entries older than the retention period (AUDIT_RETENTION_DAYS, or --days)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from portfolio.audit import security_events_purge


class Command(BaseCommand):
    help = "Delete security events older than AUDIT_RETENTION_DAYS (or --days)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Retention in days (default: the setting).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] is not None and options["days"] < 0:
            self.stderr.write("--days cannot be negative.")
            raise SystemExit(2)
        deleted = security_events_purge(older_than_days=options["days"])
        self.stdout.write(f"{deleted} security events deleted.")

"""Export everything the portal holds about one person as JSON (GDPR Art. 15/20)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portfolio.personal_data import personal_data_export


class Command(BaseCommand):
    help = "Export one person's data as JSON (by username or numeric id)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", help="username, or the numeric id of an anonymised account")
        parser.add_argument("--output", "-o", help="write to this file instead of standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        key = options["user"]
        user = user_model.objects.filter(username=key).first()
        if user is None and key.isdigit():
            user = user_model.objects.filter(pk=int(key)).first()
        if user is None:
            raise CommandError(f"No user {key!r}.")
        text = json.dumps(personal_data_export(user=user), ensure_ascii=False, indent=2, sort_keys=True)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        else:
            self.stdout.write(text)

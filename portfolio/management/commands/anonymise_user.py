"""Anonymise a departed (deactivated) person: name, e-mail and username removed, records kept by role."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portfolio.personal_data import user_anonymise, user_deactivate


class Command(BaseCommand):
    help = "Anonymise a departed user (irreversible). --deactivate deactivates an active account first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--deactivate", action="store_true", help="deactivate the account first")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        if not options["yes"]:
            answer = input(f"Anonymise {user.username} irreversibly? Type yes: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Not anonymised.")
        if options["deactivate"]:
            user_deactivate(user=user)
        try:
            anonymised = user_anonymise(user=user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Anonymised as {anonymised.username}: {anonymised.get_full_name()}")

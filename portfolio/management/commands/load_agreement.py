from django.core.management.base import BaseCommand

from portfolio.services import agreement_load


class Command(BaseCommand):
    help = "Create or update the Helsinki–Espoo–Vantaa agreement and its reference data (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        result = agreement_load()
        if result.changed:
            self.stdout.write(f"{result.agreement.code}: {len(result.changed)} changes: " + ", ".join(result.changed))
        else:
            self.stdout.write(f"{result.agreement.code}: up to date, nothing changed.")

from django.core.management.base import BaseCommand

from reporting.demo_seed import demo_seed


class Command(BaseCommand):
    help = "Create the demo users and an example portfolio (idempotent). Never run in production."

    def handle(self, *args: object, **options: object) -> None:
        result = demo_seed()
        self.stdout.write(f"Demo portfolio ready: {result['projects']} projects.")

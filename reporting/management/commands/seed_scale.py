import time

from django.core.management.base import BaseCommand, CommandParser

from portfolio.services import agreement_load
from reporting.scale_seed import scale_seed


class Command(BaseCommand):
    help = "Synthetic data at scale for benchmarks (deterministic seed). Replaces earlier synthetic projects."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agreements", type=int, default=3)
        parser.add_argument("--projects", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=2027)

    def handle(self, *args: object, **options: int) -> None:
        started = time.perf_counter()
        agreement_load()
        result = scale_seed(agreements=max(1, options["agreements"]), projects=max(0, options["projects"]),
                            seed=options["seed"])
        self.stdout.write(
            f"Seeded {result['projects']} projects, {result['funding_lines']} funding lines in "
            f"{result['agreements']} agreements in {time.perf_counter() - started:.1f} s.")

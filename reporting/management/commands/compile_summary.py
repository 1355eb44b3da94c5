"""`compile_summary --audience steering|national --period 2026-Q3 [--agreement CODE] [--language fi]
[--rerun]`: compile one summary now, synchronously, with the same services the Celery task uses."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portfolio.models import Agreement
from reporting.choices import Audience, ReportStatus
from reporting.services import TRANSIENT_ERRORS, SummaryInProgress, summary_compile, summary_get_or_create


class Command(BaseCommand):
    help = "Compile one summary report now (the same work as the scheduled Celery task)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--audience", required=True, choices=Audience.values)
        parser.add_argument("--period", required=True, help="YYYY, YYYY-Qn or YYYY-Hn, e.g. 2026-Q3")
        parser.add_argument("--agreement", help="agreement code (steering summaries; default: the only agreement)")
        parser.add_argument("--language", default="fi", choices=["fi", "sv", "en"])
        parser.add_argument("--rerun", action="store_true", help="compile a new version even if nothing changed")

    def handle(self, *args: Any, **options: Any) -> None:
        agreement = None
        if options["audience"] == Audience.STEERING:
            if options["agreement"]:
                agreement = Agreement.objects.filter(code=options["agreement"]).first()
                if agreement is None:
                    raise CommandError(f"No agreement with the code {options['agreement']!r}.")
            else:
                agreements = list(Agreement.objects.all()[:2])
                if len(agreements) != 1:
                    raise CommandError("Name the agreement with --agreement CODE.")
                agreement = agreements[0]
        elif options["agreement"]:
            raise CommandError("The national summary covers every agreement; leave out --agreement.")
        try:
            report, created = summary_get_or_create(
                audience=options["audience"], period=options["period"], agreement=agreement,
                language=options["language"], user=None, rerun=options["rerun"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if not created and report.status == ReportStatus.DONE:
            self.stdout.write(f"Unchanged since summary {report.pk} ({report}); nothing to compile.")
        else:
            try:
                summary_compile(report_id=report.pk)
            except SummaryInProgress as exc:
                raise CommandError(str(exc)) from exc
            except TRANSIENT_ERRORS as exc:
                raise CommandError(f"Summary {report.pk} failed: {exc}") from exc
            report.refresh_from_db()
        if report.status == ReportStatus.FAILED:
            raise CommandError(f"Summary {report.pk} failed: {report.error}")
        if report.status != ReportStatus.DONE:
            raise CommandError(f"Summary {report.pk} is {report.status} (being compiled elsewhere).")
        self.stdout.write(self.style.SUCCESS(f"Summary {report.pk} done: {report}"))
        for fmt in ("pdf", "xlsx", "csv", "json"):
            field = report.file_for(fmt)
            if field is not None:
                self.stdout.write(f"  {fmt}: {field.name}")  # the storage name: S3 has no local path

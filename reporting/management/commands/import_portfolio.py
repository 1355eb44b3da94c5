"""`import_portfolio FILE --agreement CODE [--commit] [--user USERNAME] [--language fi]`: import organisations,
projects and funding lines from an XLSX or CSV file. Without `--commit` a dry run: the row-by-row validation
report and what would be created, updated or left as it is; nothing is written. `--template OUT.xlsx` writes
the template (with `--agreement`, filled with that agreement's portfolio) instead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from portfolio.models import Agreement
from reporting.imports import COLUMNS, ImportFileError, ImportReport, portfolio_import, read_tables, template_xlsx


def report_lines(report: ImportReport) -> list[str]:
    """The report as text: one line per problem, then the counts per table."""
    lines = []
    for problem in sorted(report.problems, key=lambda p: (p.table, p.row)):
        heading = COLUMNS[problem.table].get(problem.column, ("", "", problem.column))
        lines.append(_("%(table)s, row %(row)s, column “%(column)s”: %(message)s") % {
            "table": problem.table, "row": problem.row, "column": heading[0] or problem.column,
            "message": problem.message})
    for table, counts in report.counts().items():
        lines.append(_("%(table)s: %(create)s to create, %(update)s to update, %(unchanged)s unchanged") % {
            "table": table, **counts})
    return lines


class Command(BaseCommand):
    help = "Import organisations, projects and funding lines from XLSX or CSV (a dry run without --commit)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?", help="the .xlsx or .csv file")
        parser.add_argument("--agreement", required=True, help="agreement code, e.g. HEV")
        parser.add_argument("--commit", action="store_true", help="write the import (default: dry run)")
        parser.add_argument("--user", help="username the changes are attributed to in the history")
        parser.add_argument("--language", default="fi", choices=["fi", "sv", "en"])
        parser.add_argument("--template", metavar="OUT", help="write the template workbook to OUT and stop")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(options["language"])
        agreement = Agreement.objects.filter(code=options["agreement"]).first()
        if agreement is None:
            raise CommandError(f"Unknown agreement {options['agreement']!r}.")
        if options["template"]:
            Path(options["template"]).write_bytes(template_xlsx(agreement=agreement, language=options["language"]))
            self.stdout.write(f"Template written to {options['template']}.")
            return
        if not options["file"]:
            raise CommandError("Name the file to import.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Unknown user {options['user']!r}.")
        path = Path(options["file"])
        try:
            tables = read_tables(name=path.name, content=path.read_bytes())
        except (OSError, ImportFileError) as exc:
            raise CommandError(str(exc)) from exc
        report = portfolio_import(agreement=agreement, tables=tables, user=user, commit=options["commit"])
        for line in report_lines(report):
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(_("%(count)s problems: nothing was written.") % {"count": len(report.problems)})
        self.stdout.write(_("Imported.") if report.committed else _("Dry run: nothing was written. Run again "
                                                                     "with --commit to import."))

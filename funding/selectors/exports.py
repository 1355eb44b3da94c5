"""List exports of the funding app: the funding lines the user may see, with the list's filters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from ..models import FundingLine
from .counting import with_counted_flag


def funding_line_export_rows(*, queryset: QuerySet[FundingLine]) -> tuple[list[str], Iterable[list[Any]]]:
    """Column headings and rows of a funding-line export (every matching line, not a page)."""
    from django.utils.translation import gettext as _

    headings = [_("Agreement"), _("Project code"), _("Project"), _("Instrument"), _("Year"), _("Kind"),
                _("Planned (€)"), _("Granted (€)"), _("Spent (€)"), _("Counted in the summaries")]
    lines = with_counted_flag(queryset).select_related("project__agreement", "instrument")

    def rows() -> Iterable[list[Any]]:
        for line in lines.iterator(chunk_size=2000):
            yield [line.project.agreement.name, line.project.code, line.project.title, line.instrument.code,
                   line.year, line.get_kind_display(), line.planned_amount, line.granted_amount, line.spent_amount,
                   _("yes") if getattr(line, "counted", False) else _("no")]

    return headings, rows()

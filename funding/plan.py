"""Funding's side of `portfolio.plan.FinancingPlan`: what the project pages, forms, filters and services of
portfolio ask about a project's financing plan (registered in `FundingConfig.ready()`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from portfolio.history import Entry, entries_of

from .asof import LineRows, line_source
from .choices import InstrumentCode
from .models import FundingInstrument, FundingLine

if TYPE_CHECKING:
    import datetime as dt

    from django.contrib.auth.models import User

    from portfolio.models import Agreement, Project


class FundingPlan:
    def lines(self, *, as_of: dt.date | None = None) -> LineRows:
        return line_source(as_of)

    def instrument_choices(self) -> list[tuple[str, str]]:
        return [(code, str(label)) for code, label in InstrumentCode.choices]

    def instrument_codes(self) -> list[str]:
        return list(FundingInstrument.objects.order_by("sort_order").values_list("code", flat=True))

    def instrument_short_names(self) -> list[tuple[str, str]]:
        return [(i.code, i.short_name) for i in FundingInstrument.objects.order_by("sort_order", "code")]

    def lines_validate(self, *, agreement: Agreement, lines: list[dict[str, Any]]) -> None:
        from .services import funding_lines_validate

        funding_lines_validate(agreement=agreement, lines=lines)

    def lines_replace(self, *, project: Project, lines: list[dict[str, Any]],
                      user: User | None, expected_fingerprint: str | None
                      ) -> list[str]:
        from .services import funding_frame_warnings, funding_lines_replace

        funding_lines_replace(project=project, lines=lines, user=user, expected_fingerprint=expected_fingerprint)
        return funding_frame_warnings(agreement=project.agreement, lines=lines, project=project)

    def lines_fingerprint(self, *, project: Project) -> str:
        from .selectors import lines_fingerprint

        return lines_fingerprint(project=project)


def project_line_history(project: Project) -> list[Entry]:
    """The project's funding lines in its change history (registered in portfolio.history)."""
    instruments = {i.pk: i.short_name for i in FundingInstrument.objects.all()}  # "EAKR", in the reader's language

    def subject(record: Any) -> str:
        return str(_("Funding line %(instrument)s %(year)s") % {
            "instrument": instruments.get(record.instrument_id, "?"), "year": record.year})

    records = list(FundingLine.history.filter(project_id=project.pk).select_related("history_user"))
    return entries_of(records, FundingLine, subject)

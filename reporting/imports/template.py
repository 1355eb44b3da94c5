"""The import template: empty, or an agreement's portfolio in the import format (re-imports unchanged)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from funding.models import FundingInstrument, FundingLine
from portfolio.models import Agreement, Organisation, Project

from .tables import COLUMNS, LINES, ORGANISATIONS, PROJECTS, SHEET_TITLES

if TYPE_CHECKING:

    pass


# --- the template -------------------------------------------------------------------------------------------

def template_xlsx(*, agreement: Agreement | None, language: str) -> bytes:
    """A workbook with the three sheets and their headings in ``language``; with an agreement, filled with its
    portfolio in the import format (so an export re-imports without changes)."""
    from openpyxl import Workbook

    column = {"fi": 0, "sv": 1, "en": 2}.get(language, 0)
    workbook = Workbook()
    workbook.remove(workbook.active)
    rows: dict[str, list[list[Any]]] = {ORGANISATIONS: [], PROJECTS: [], LINES: []}
    if agreement is not None:
        projects = list(Project.objects.filter(agreement=agreement).exclude(status__in=["rejected", "withdrawn"])
                        .select_related("priority", "lead_organisation").prefetch_related("methods",
                                                                                          "partnerships__organisation")
                        .order_by("code"))
        used: dict[int, Organisation] = {}
        for p in projects:
            used[p.lead_organisation_id] = p.lead_organisation
            for partner in p.partnerships.all():
                used[partner.organisation_id] = partner.organisation

        def text_of(obj: Organisation | Project, name: str, lang: str) -> str:
            return str(getattr(obj, f"{name}_{lang}", "") or "")

        def ref(o: Organisation) -> str:
            return o.business_id or text_of(o, "name", "fi") or o.name

        for o in sorted(used.values(), key=lambda o: o.name):
            rows[ORGANISATIONS].append([o.business_id, text_of(o, "name", "fi") or o.name, text_of(o, "name", "sv"),
                                        text_of(o, "name", "en"), o.short_name, o.kind, o.municipality])
        for p in projects:
            rows[PROJECTS].append([p.code, text_of(p, "title", "fi") or p.title, text_of(p, "title", "sv"),
                                   text_of(p, "title", "en"), p.priority.code,
                                   ", ".join(str(m.code) for m in sorted(p.methods.all(), key=lambda m: m.code)),
                                   ref(p.lead_organisation),
                                   "; ".join(ref(x.organisation) for x in p.partnerships.all()),
                                   p.start_date, p.end_date, p.eura_code, text_of(p, "summary", "fi")])
        instruments = dict(FundingInstrument.objects.values_list("pk", "code"))
        for line in FundingLine.objects.regular().filter(project__in=projects).order_by("project__code", "year",
                                                                                          "instrument__sort_order"):
            rows[LINES].append([line.project.code, instruments[line.instrument_id], line.year, line.planned_amount])
    for table in (ORGANISATIONS, PROJECTS, LINES):
        sheet = workbook.create_sheet(str(SHEET_TITLES[table])[:31])
        sheet.append([headings[column] for headings in COLUMNS[table].values()])
        for row in rows[table]:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()



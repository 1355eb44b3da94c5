"""EURA reconciliation: read an export of EURA 2021 (TEM's official ledger of funded projects), compare it per
project with the portal's ledger and show where they differ. Nothing in the portfolio changes until a
coordinator accepts a difference of the paid support, which then becomes a dated spending entry with EURA as
its source (``spending_entry_record``). A difference of the approved total or of the granted support is
shown with the way to settle it: the funding authority's amending decision (``funding_decision_record``).

Columns are recognised by their Finnish or English names (``HEADERS``); CSV (comma or semicolon separated,
UTF-8) and XLSX are read. Amounts are read by the one money parser (``money.parse_amount``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from portfolio.models import Agreement, Project
from portfolio.money import parse_amount
from portfolio.permissions import can_change_project, can_edit_agreement_portfolio

from .choices import ShareGroup
from .models import EuraImport, FundingLine, SpendingEntry
from .selectors import SEPARATE_INSTRUMENTS, frame_lines

ZERO = Decimal("0.00")
MAX_ROWS = 20_000

# The export's columns, by the names EURA's Finnish and English exports give them (case and spaces ignored).
HEADERS = {
    "code": ("hanketunnus", "project code", "projektkod", "eura code", "eura-tunnus"),
    "approved_total": ("hyväksytty kokonaisbudjetti", "approved total", "kokonaiskustannukset", "total cost"),
    "support": ("myönnetty tuki", "eu- ja valtion tuki", "eu and state support", "granted support"),
    "paid": ("maksettu tuki", "paid to date", "maksettu", "paid support"),
}
FIGURES = ("approved_total", "support", "paid")


def _key(text: Any) -> str:
    return " ".join(str(text or "").replace("\ufeff", "").strip().lower().split())


def _read_table(upload: Any) -> list[list[Any]]:
    from portfolio.services import attachment_check

    ext, _content_type = attachment_check(upload=upload)
    if ext == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(upload, read_only=True, data_only=True).active
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    if ext == "csv":
        text = upload.read().decode("utf-8-sig")
        delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    raise ValidationError(_("A EURA export is a CSV or an XLSX file."), code="type")


def eura_export_parse(upload: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows ``{"row": n, "code": ..., "approved_total": Decimal, "support": Decimal, "paid": Decimal}`` and
    the problems found, one sentence per problem with its row number and column (nothing is kept when any)."""
    table = [row for row in _read_table(upload) if any(str(cell or "").strip() for cell in row)]
    if not table:
        raise ValidationError(_("The file has no rows."), code="empty")
    header = [_key(cell) for cell in table[0]]
    columns: dict[str, int] = {}
    for field, names in HEADERS.items():
        found = [index for index, name in enumerate(header) if name in names]
        if found:
            columns[field] = found[0]
    missing = [HEADERS[field][0] for field in HEADERS if field not in columns]
    if missing:
        raise ValidationError(_("Columns missing from the export: %(columns)s.") % {"columns": ", ".join(missing)},
                              code="columns")
    if len(table) - 1 > MAX_ROWS:
        raise ValidationError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS}, code="too_many")
    rows, problems, seen = [], [], set()
    for number, cells in enumerate(table[1:], start=2):
        def cell(field: str, cells: list[Any] = cells) -> Any:
            index = columns[field]
            return cells[index] if index < len(cells) else None

        code = str(cell("code") or "").strip()
        row: dict[str, Any] = {"row": number, "code": code}
        if not code:
            problems.append(_("Row %(row)s: the project code is empty.") % {"row": number})
        elif code in seen:
            problems.append(_("Row %(row)s: the project code %(code)s is in the file twice.")
                            % {"row": number, "code": code})
        seen.add(code)
        for field in FIGURES:
            raw = cell(field)
            try:
                row[field] = parse_amount(raw if not isinstance(raw, float) else f"{raw:.2f}")
            except ValidationError as exc:
                problems.append(_("Row %(row)s, column “%(column)s”: %(problem)s")
                                % {"row": number, "column": HEADERS[field][0], "problem": " ".join(exc.messages)})
        rows.append(row)
    return rows, problems


def eura_import_record(*, agreement: Agreement, upload: Any, exported_on: dt.date, user: Any) -> EuraImport:
    """Read and keep an export (all or nothing: a file with problems is refused with every problem listed)."""
    if user is not None and not can_edit_agreement_portfolio(user, agreement):
        raise PermissionDenied
    if not isinstance(exported_on, dt.date):
        raise ValidationError({"exported_on": [_("Enter the date of the export.")]})
    try:
        rows, problems = eura_export_parse(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    if problems:
        raise ValidationError({"file": problems})
    for row in rows:
        for field in FIGURES:
            row[field] = str(row[field])
    return EuraImport.objects.create(agreement=agreement, exported_on=exported_on, rows=rows, uploaded_by=user,
                                     file_name=str(getattr(upload, "name", ""))[:200])


def _eu_state_q() -> Q:
    """EU and state money, as the frames count it (``selectors.frame_lines``): RRF is used separately."""
    return Q(instrument__share_group=ShareGroup.EU_STATE) & ~Q(instrument__code__in=SEPARATE_INSTRUMENTS)


def portal_figures(projects: Any) -> dict[int, dict[str, Decimal]]:
    """Per project: the approved total (granted money of every instrument), the granted EU and state support
    and the spent EU and state money, as the portal's ledger has them."""
    figures: dict[int, dict[str, Decimal]] = {}
    for row in (FundingLine.objects.filter(project__in=projects).order_by().values("project_id")
                .annotate(approved_total=Sum("granted_amount"),
                          support=Sum("granted_amount", filter=_eu_state_q()),
                          paid=Sum("spent_amount", filter=_eu_state_q()))):
        figures[row["project_id"]] = {"approved_total": row["approved_total"] or ZERO,
                                      "support": row["support"] or ZERO, "paid": row["paid"] or ZERO}
    return figures


def eura_reconciliation(*, eura_import: EuraImport) -> dict[str, Any]:
    """Where the export and the portal differ: per project of the agreement with a EURA code, each figure
    of both and the difference (EURA − portal); codes of the export the portal does not know; projects with a
    EURA code that the export leaves out. Matching projects are counted, not listed."""
    projects = {project.eura_code: project for project in Project.objects.filter(
        agreement=eura_import.agreement).exclude(eura_code="").select_related("lead_organisation")}
    figures = portal_figures([project.pk for project in projects.values()])
    differences, unknown, matching = [], [], 0
    for row in eura_import.rows:
        project = projects.get(row["code"])
        if project is None:
            unknown.append(row)
            continue
        portal = figures.get(project.pk, dict.fromkeys(FIGURES, ZERO))
        diffs = {field: Decimal(row[field]) - portal[field] for field in FIGURES}
        if any(diffs.values()):
            differences.append({"project": project, "row": row["row"], "eura": {f: Decimal(row[f]) for f in FIGURES},
                                "portal": portal, "difference": diffs})
        else:
            matching += 1
    in_export = {row["code"] for row in eura_import.rows}
    missing = [project for code, project in sorted(projects.items()) if code not in in_export]
    return {"differences": differences, "unknown": unknown, "missing": missing, "matching": matching}


def eura_paid_accept(*, eura_import: EuraImport, project: Project, user: Any) -> SpendingEntry:
    """Accept EURA's paid support of a project: the difference becomes a spending entry dated at the export,
    with EURA as its source (a correction entry, referring to the export, when EURA's figure is lower), on the
    project's EU or state instrument and year with the most granted money."""
    from .services import spending_entry_record

    if user is not None and not can_change_project(user, project):
        raise PermissionDenied
    row = next((row for row in eura_import.rows if row["code"] == project.eura_code and project.eura_code), None)
    if row is None or project.agreement_id != eura_import.agreement_id:
        raise ValidationError(_("The export has no row for this project."), code="not_in_export")
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        difference = Decimal(row["paid"]) - portal_figures([project.pk]).get(project.pk, {}).get("paid", ZERO)
        if not difference:
            raise ValidationError(_("The paid support agrees with EURA already."), code="no_difference")
        line = (frame_lines(FundingLine.objects.regular().filter(project=project))
                .order_by("-granted_amount", "-year").select_related("instrument").first())
        if line is None:
            raise ValidationError(_("The project has no EU or state funding line to record the payment on."),
                                  code="no_line")
        reference = _("EURA export %(date)s, row %(row)s") % {"date": eura_import.exported_on.isoformat(),
                                                               "row": row["row"]}
        return spending_entry_record(
            project=project, instrument_code=line.instrument.code, year=line.year,
            entry_date=eura_import.exported_on, reference=reference, amount=difference, user=user,
            source=SpendingEntry.Source.EURA if difference > 0 else SpendingEntry.Source.CORRECTION)

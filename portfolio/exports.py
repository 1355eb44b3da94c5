"""CSV and XLSX writers for list exports, with spreadsheet formula injection neutralised (checklist #23)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

# A spreadsheet treats text starting with these as a formula (tab and CR also start DDE payloads).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return f"'{value}"
    return value


# The decimal separator of each portal language in a CSV cell (no thousands separator, so that a
# spreadsheet reads the cell as a number). Dates stay ISO 8601 (yyyy-mm-dd), which every spreadsheet
# reads as a date whatever its locale, unlike d.m.yyyy or mm/dd/yyyy.
DECIMAL_SEPARATORS = {"fi": ",", "sv": ","}


def _csv_value(value: Any, decimal_separator: str = ".") -> Any:
    if value is None:
        return ""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", decimal_separator)
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", decimal_separator)
    return neutralise(value)


def csv_bytes(headings: list[str], rows: Iterable[list[Any]], *, language: str | None = None) -> bytes:
    """UTF-8 with a byte-order mark and semicolons, which Excel in Finnish opens without an import dialog.
    Decimals use the language's separator (the active language when none is named): 1234,50 in Finnish
    and Swedish, 1234.50 in English."""
    lang = (language or translation.get_language() or "fi").split("-")[0]
    separator = DECIMAL_SEPARATORS.get(lang, ".")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([neutralise(h) for h in headings])
    for row in rows:
        writer.writerow([_csv_value(v, separator) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(headings: list[str], rows: Iterable[list[Any]], *, title: str = "Export") -> bytes:
    """An XLSX workbook; every text cell is typed as a string so that nothing is evaluated as a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])

    def cell(value: Any) -> Any:
        if isinstance(value, Decimal):
            c = WriteOnlyCell(sheet, value=value)
            c.number_format = "#,##0.00"
            return c
        if isinstance(value, dt.date):
            c = WriteOnlyCell(sheet, value=value)
            c.number_format = "yyyy-mm-dd"
            return c
        if isinstance(value, str):
            c = WriteOnlyCell(sheet, value=value)
            c.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
            return c
        return WriteOnlyCell(sheet, value=value)

    sheet.append([cell(h) for h in headings])
    for row in rows:
        sheet.append([cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_response(request: HttpRequest, *, what: str, fmt: str, headings: list[str], rows: Iterable[list[Any]],
                    title: str) -> HttpResponse:
    """A list export as a download (CSV or XLSX), never cached, logged and recorded in the security log:
    who exported which list with which filters. Every list of the portal exports through this."""
    from django.http import HttpResponse
    from django.utils import timezone

    from .audit import security_event_record
    from .choices import SecurityEventKind

    if fmt not in ("csv", "xlsx"):
        raise ValueError(fmt)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = HttpResponse(csv_bytes(headings, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(xlsx_bytes(headings, rows, title=title), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{what}-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    query = request.GET.urlencode()
    logger.info("%s export", what, extra={"user": request.user.pk, "format": fmt, "query": query})
    security_event_record(kind=SecurityEventKind.EXPORT, request=request,
                          detail={"what": what, "format": fmt, "query": query})
    return response

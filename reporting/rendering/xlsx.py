"""The summary as an XLSX workbook, byte for byte the same for the same snapshot."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from .common import compiled_at, coordinator_narrative, correction_note, narrative, tables, title_of

# --- XLSX ---------------------------------------------------------------------------------------------------

FIXED_ZIP_TIME = (2021, 1, 1, 0, 0, 0)


def render_xlsx(snapshot: dict[str, Any], language: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    stamp = compiled_at(snapshot).astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "Ecosystem portfolio"
    wb.properties.lastModifiedBy = "Ecosystem portfolio"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.title = title_of(snapshot, language)
    wb.properties.language = language
    bold = Font(bold=True)
    used: set[str] = set()
    with translation.override(language):
        info = wb.create_sheet(_sheet_title(_("Summary"), used))
        _text(info.cell(row=1, column=1), title_of(snapshot, language)).font = Font(bold=True, size=14)
        meta = [(_("Period"), snapshot["data"]["period"]["code"]),
                (_("Compiled"), formats.date_format(timezone.localtime(compiled_at(snapshot)), "DATETIME_FORMAT")),
                (_("Version"), snapshot["report"]["version"]), (_("Data version"), snapshot["data_version"])]
        for i, (label, value) in enumerate(meta, start=3):
            _text(info.cell(row=i, column=1), label).font = bold
            cell = info.cell(row=i, column=2)
            if isinstance(value, int):
                cell.value = value
            else:
                _text(cell, str(value))
        row = len(meta) + 4
        correction = correction_note(snapshot, language)
        if correction:
            _text(info.cell(row=row, column=1), correction).font = bold
            row += 2
        for part in coordinator_narrative(snapshot, language):
            _text(info.cell(row=row, column=1), part["heading"]).font = bold
            text_cell = _text(info.cell(row=row, column=2), part["text"])
            text_cell.alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
        if row > len(meta) + 4:
            row += 1
        for i, sentence in enumerate(narrative(snapshot, language), start=row):
            _text(info.cell(row=i, column=1), sentence)
        info.column_dimensions["A"].width = 40
        info.column_dimensions["B"].width = 70
        for table in tables(snapshot, language):
            ws = wb.create_sheet(_sheet_title(table["title"], used))
            for col, heading in enumerate(table["columns"], start=1):
                _text(ws.cell(row=1, column=col), heading).font = bold
                ws.column_dimensions[get_column_letter(col)].width = max(12, min(40, len(heading) + 2))
            for r, row in enumerate(table["rows"], start=2):
                for col, value in enumerate(row, start=1):
                    cell = ws.cell(row=r, column=col)
                    if isinstance(value, bool):
                        _text(cell, _("yes") if value else _("no"))
                    elif isinstance(value, Decimal):
                        cell.value = value
                        cell.number_format = "#,##0.00"
                    elif isinstance(value, int):
                        cell.value = value
                    elif value is not None:
                        _text(cell, str(value))
            ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    # openpyxl stamps "modified" with the clock while saving; put the snapshot's time back.
    from openpyxl.xml.functions import tostring

    wb.properties.modified = stamp
    core = tostring(wb.properties.to_tree())
    return _normalise_zip(buffer.getvalue(), replace={"docProps/core.xml": core})


def _text(cell: Any, value: str) -> Any:
    """A text cell that is never a formula, whatever the text starts with."""
    cell.value = value
    cell.data_type = "s"
    return cell


def _sheet_title(title: str, used: set[str]) -> str:
    base = "".join(ch for ch in title if ch not in '[]:*?/\\')[:31]
    name, n = base, 2
    while name.lower() in used:
        suffix = f" {n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _normalise_zip(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """Rewrite the ZIP with fixed entry times and order, so equal content gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            content = (replace or {}).get(info.filename)
            target.writestr(entry, content if content is not None else source.read(info.filename))
    return out.getvalue()



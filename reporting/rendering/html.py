"""The summary as an accessible HTML page: the same tables, charts and narrative as the files, from the same
snapshot (nothing here reads the portfolio), with the figures that changed since the previous summary marked.
The detail page renders it inside an element whose `lang` is the summary's language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from .common import (
    change_rows,
    compiled_at,
    coordinator_narrative,
    correction_note,
    narrative,
    tables,
    title_of,
)
from .pdf import _is_number, _pdf_cell, agreement_labels, charts

# Which column of the key-figures table shows which indicator of the changes (selectors.key_indicators).
OVERVIEW_COLUMN = {"projects": 1, "running": 2, "granted": 4, "planned": 5, "spent": 6, "local_percent": 7,
                   "priority4_ok": 9, "late": 11}


def _direction(before: Any, after: Any) -> str:
    try:
        b, a = Decimal(str(before)), Decimal(str(after))
    except (ArithmeticError, ValueError):
        return _("changed")
    if a > b:
        return _("increased")
    if a < b:
        return _("decreased")
    return _("changed")


def summary_html(snapshot: dict[str, Any], language: str) -> dict[str, Any]:
    """Everything the HTML view of a summary shows, in `language` (the summary's): the tables of the files
    (rendering.common.tables, so the same figures), cells formatted like the PDF's."""
    labels = agreement_labels(snapshot)
    with translation.override(language):
        changes = snapshot.get("changes") or {}
        changed = {(item["agreement"], OVERVIEW_COLUMN[item["indicator"]])
                   for item in changes.get("items", []) if item["indicator"] in OVERVIEW_COLUMN}
        # A steering-group summary has one agreement, named in its title: its tables leave out the agreement
        # column that the files keep (it would repeat one name on every row of a phone screen).
        single = len(snapshot["data"]["agreements"]) == 1
        first = 1 if single else 0
        html_tables = []
        for table in tables(snapshot, language):
            rows = []
            for row in table["rows"]:
                code = row[0]
                rows.append([{"text": labels.get(code, code) if i == 0 else _pdf_cell(value),
                              "num": i > 0 and _is_number(value),
                              "changed": table["key"] == "overview" and (code, i) in changed}
                             for i, value in enumerate(row)][first:])
            columns = table["columns"][first:]
            numeric = [any(row[i]["num"] for row in rows) for i in range(len(columns))]
            for row in rows:  # an empty figure ("–") sits where the figures of its column do
                for i, cell in enumerate(row):
                    cell["num"] = numeric[i]
            html_tables.append({**table, "rows": rows, "wide": len(columns) > 8,
                                "columns": list(zip(columns, numeric, strict=True)),
                                # The first column names the row unless it is a figure (the key figures).
                                "row_header": bool(columns) and not numeric[0]})
        shown_changes = [{"agreement": labels.get(row["agreement"], row["agreement"]), "label": row["label"],
                          "before": row["before_text"], "after": row["after_text"],
                          "direction": _direction(row["raw_before"], row["raw_after"])}
                         for row in change_rows(snapshot, language) if row["indicator"] != "new_agreement"]
        period = snapshot["data"]["period"]
        return {
            "title": title_of(snapshot, language),
            "correction": correction_note(snapshot, language),
            "coordinator_narrative": coordinator_narrative(snapshot, language),
            "narrative": narrative(snapshot, language),
            "previous": changes.get("previous"),
            "change_rows": shown_changes,
            "charts": charts(snapshot, language),
            "tables": html_tables,
            "compiled": formats.date_format(timezone.localtime(compiled_at(snapshot)), "DATETIME_FORMAT"),
            "period_code": period["code"],
            "period_start": formats.date_format(dt.date.fromisoformat(period["start"]), "SHORT_DATE_FORMAT"),
            "period_end": formats.date_format(dt.date.fromisoformat(period["end"]), "SHORT_DATE_FORMAT"),
            "language": language,
        }

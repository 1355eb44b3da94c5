"""The summary as JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from .common import coordinator_narrative, correction_note, safe_text, tables

# --- JSON and CSV -------------------------------------------------------------------------------------------

def render_json(snapshot: dict[str, Any], language: str) -> bytes:
    """The whole snapshot: the figures with their meta data (Decimals are strings)."""
    return (json.dumps(snapshot, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int):
        return str(value)
    return safe_text(str(value))


def render_csv(snapshot: dict[str, Any], language: str) -> bytes:
    """Every table in long form: table, agreement, row key, column, value (one figure a line)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["table", "agreement", "row", "column", "value"])
    # The coordinator's narrative first (text, one part a line), then the figures.
    correction = correction_note(snapshot, language)
    if correction:
        writer.writerow(["correction", "", "", "", safe_text(correction)])
    for part in coordinator_narrative(snapshot, language):
        writer.writerow(["narrative", "", part["key"], safe_text(part["heading"]), safe_text(part["text"])])
    for table in tables(snapshot, language):
        columns = table["columns"]
        for row in table["rows"]:
            # The first columns up to the first figure identify the row.
            key_cols = _key_columns(table["key"])
            row_key = " / ".join(str(v) for v in row[1:key_cols])
            for column, value in zip(columns[key_cols:], row[key_cols:], strict=True):
                writer.writerow([table["key"], _csv_cell(row[0]), _csv_cell(row_key), _csv_cell(column),
                                 _csv_cell(value)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _key_columns(key: str) -> int:
    return {"priority": 3, "method": 3, "funding": 3, "funding_totals": 2, "split": 2, "priority4": 2,
            "late": 3, "coordination": 4, "changes": 2,
            "followup_trouble": 3, "followup_indicators": 6, "followup_milestones": 3,
            "followup_decommitment": 4}.get(key, 1)



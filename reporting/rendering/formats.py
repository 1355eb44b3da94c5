"""Every format of a summary from its snapshot."""

from __future__ import annotations

from typing import Any

from .pdf import render_pdf
from .text import render_csv, render_json
from .xlsx import render_xlsx

RENDERERS = {"json": render_json, "csv": render_csv, "xlsx": render_xlsx, "pdf": render_pdf}


def render_all(snapshot: dict[str, Any], language: str) -> dict[str, bytes]:
    return {fmt: RENDERERS[fmt](snapshot, language) for fmt in ("json", "csv", "xlsx", "pdf")}

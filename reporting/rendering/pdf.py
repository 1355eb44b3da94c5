"""The summary as a tagged PDF (WeasyPrint), byte for byte the same for the same snapshot."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .common import _name, compiled_at, coordinator_narrative, correction_note, narrative, tables, title_of

# --- PDF ----------------------------------------------------------------------------------------------------

class LocalStaticFetcher:
    """WeasyPrint URL fetcher that serves only files under the project's static directories (no network,
    no arbitrary local files): a server-side request forgery guard."""

    def __init__(self) -> None:
        roots = [Path(p).resolve() for p in getattr(settings, "STATICFILES_DIRS", [])]
        if getattr(settings, "STATIC_ROOT", None):
            roots.append(Path(settings.STATIC_ROOT).resolve())
        self.roots = roots

    def __call__(self, url: str, *args: Any, **kwargs: Any) -> Any:
        from weasyprint.urls import URLFetcherResponse

        parts = urlsplit(url)
        if parts.scheme != "file":
            raise ValueError(f"refused to fetch {url!r}: only local static files")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            raise ValueError(f"refused to fetch {url!r}: not a static file")
        return URLFetcherResponse(url, body=path.read_bytes())

    fetch = __call__


def _bars(items: list[tuple[str, Decimal]]) -> list[dict[str, Any]]:
    top = max((value for _, value in items), default=Decimal(0))
    return [{"label": label, "value": _pdf_cell(value),
             "width": str((value * 100 / top).quantize(Decimal("0.1"))) if top else "0"} for label, value in items]


def charts(snapshot: dict[str, Any], language: str) -> list[dict[str, Any]]:
    """Bar charts for the PDF (each has a table with the same figures after it)."""
    data = snapshot["data"]
    labels = agreement_labels(snapshot)
    with translation.override(language):
        if len(data["agreements"]) > 1:
            return [
                {"title": _("Granted funding by agreement (€)"),
                 "bars": _bars([(labels[a["code"]], Decimal(a["split"]["granted"]["total"]))
                                for a in data["agreements"]])},
                {"title": _("Local share of granted funding by agreement (%)"),
                 "bars": _bars([(labels[a["code"]], Decimal(a["split"]["granted"]["local_percent"] or 0))
                                for a in data["agreements"]])},
            ]
        a = data["agreements"][0]
        return [
            {"title": _("Granted funding by priority (€)"),
             "bars": _bars([(f'{p["code"]}. {_name(a["priorities"].get(str(p["code"]), {}), language)}',
                             Decimal(p["granted"])) for p in a["projects"]["by_priority"]])},
            {"title": _("Funding by basis (€)"),
             "bars": _bars([(_("Frames"), Decimal(a["funding"]["all_years"]["frame"])),
                            (_("Planned"), Decimal(a["funding"]["all_years"]["planned"])),
                            (_("Granted"), Decimal(a["funding"]["all_years"]["granted"])),
                            (_("Spent"), Decimal(a["funding"]["all_years"]["spent"]))])},
        ]


def column_widths(columns: list[str], rows: list[list[Any]], sample: int = 100) -> list[str]:
    """Column widths in percent: each column's share of the page follows the length of its text (its
    heading's longest word and its cells' text in the first ``sample`` rows, bounded), so names get room and
    figures no more than they need. The PDF's tables use a fixed layout with these widths, so the layout
    engine never measures every cell of a long table to size its columns (it was most of a summary's PDF
    time)."""
    if len(columns) <= 1:
        return ["100"] * len(columns)
    weights = []
    for index, heading in enumerate(columns):
        longest_word = max((len(word) for word in str(heading).split()), default=1)
        cells = max((len(str(row[index])) for row in rows[:sample] if index < len(row)), default=1)
        weights.append(Decimal(max(6, longest_word, min(cells, 40)) + 2))
    total = sum(weights)
    return [str((weight * 100 / total).quantize(Decimal("0.01"), rounding=ROUND_DOWN)) for weight in weights]


def _css_string(text: str) -> str:
    """Text for a CSS string literal in double quotes."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3C ")


def agreement_labels(snapshot: dict[str, Any]) -> dict[str, str]:
    """Short human labels of the agreements (their city region) for the reading formats."""
    return {a["code"]: a.get("region") or a["code"] for a in snapshot["data"]["agreements"]}


def render_pdf(snapshot: dict[str, Any], language: str) -> bytes:
    from weasyprint import HTML

    # WeasyPrint logs every layout step at INFO; a worker log needs only its warnings.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

    labels = agreement_labels(snapshot)
    with translation.override(language):
        stamp = compiled_at(snapshot)
        html = render_to_string("reporting/summary_pdf.html", {
            "snapshot": snapshot,
            "data": snapshot["data"],
            "title": title_of(snapshot, language),
            "narrative": narrative(snapshot, language),
            "coordinator_narrative": coordinator_narrative(snapshot, language),
            "correction": correction_note(snapshot, language),
            "tables": [dict(t, widths=column_widths(t["columns"], t["rows"]),
                            rows=[[{"text": labels.get(row[0], row[0]) if i == 0 else _pdf_cell(v),
                                    "num": i > 0 and _is_number(v)} for i, v in enumerate(row)]
                                  for row in t["rows"]]) for t in tables(snapshot, language, compact=True)],
            "compiled": formats.date_format(timezone.localtime(stamp), "DATETIME_FORMAT"),
            "created_iso": stamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "language": language,
            "charts": charts(snapshot, language),
            "footer_title": _css_string(title_of(snapshot, language)),
            "page_label": _css_string(pgettext("pdf footer", "Page")),
            "of_label": _css_string(pgettext("pdf footer", "of")),
            "period_start": formats.date_format(dt.date.fromisoformat(snapshot["data"]["period"]["start"]),
                                                "SHORT_DATE_FORMAT"),
            "period_end": formats.date_format(dt.date.fromisoformat(snapshot["data"]["period"]["end"]),
                                              "SHORT_DATE_FORMAT"),
        })
    static_root = Path(settings.STATICFILES_DIRS[0]).resolve() if settings.STATICFILES_DIRS else Path.cwd()
    document = HTML(string=html, base_url=static_root.as_uri() + "/", url_fetcher=LocalStaticFetcher())
    # Tagged PDF: headings, tables and reading order for screen readers (the portal is accessible first).
    with _font_clock(stamp):
        return document.write_pdf(uncompressed_pdf=False, pdf_tags=True)


@contextmanager
def _font_clock(stamp: dt.datetime) -> Iterator[None]:
    """fontTools stamps every embedded font subset's `head.modified` with the clock, so two renderings of one
    snapshot a second apart differed; it honours SOURCE_DATE_EPOCH (reproducible builds), set here to the
    snapshot's compile time while the PDF is written."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(stamp.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def _pdf_cell(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, Decimal | int) and not isinstance(value, bool)



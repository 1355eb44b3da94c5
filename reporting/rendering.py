"""Files of a summary, rendered only from its snapshot, so the same snapshot always gives the same bytes.

Nothing here reads the portfolio or the clock: timestamps come from the snapshot (`compiled_at`), XLSX
document properties and ZIP entry times are fixed, and the PDF carries the snapshot's time as its
creation date. The PDF language is the summary's (translation.override).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portfolio.choices import ProjectStatus

from .choices import Audience

PDF_NATIONAL_LIST_LIMIT = 5  # projects per agreement and situation in the national PDF; XLSX/CSV/JSON list more
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


# --- helpers --------------------------------------------------------------------------------------------------

def safe_text(value: str) -> str:
    """Neutralise spreadsheet formulas in user text (a leading apostrophe, as OWASP recommends for CSV)."""
    return f"'{value}" if value and value.startswith(FORMULA_PREFIXES) else value


def compiled_at(snapshot: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(snapshot["compiled_at"])


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _name(names: dict[str, str], language: str) -> str:
    return names.get(language) or names.get("fi") or ""


def status_label(code: str) -> str:
    try:
        return str(ProjectStatus(code).label)
    except ValueError:
        return code


def outcome_label(code: str) -> str:
    from governance.choices import DecisionOutcome

    try:
        return str(DecisionOutcome(code).label)
    except ValueError:
        return code


def indicator_label(key: str) -> str:
    return {
        "projects": _("Projects"), "running": _("Running projects"), "approved": _("Approved projects"),
        "closed": _("Closed projects"), "ideas": _("Project ideas"), "proposals": _("Projects at proposal stage"),
        "granted": _("Granted funding (€)"), "planned": _("Planned funding (€)"), "spent": _("Spent funding (€)"),
        "local_percent": _("Local share (%)"), "priority4_ok": _("Priority-4 rule holds"),
        "late": _("Projects past their end date"), "new_agreement": _("New agreement in the summary"),
    }.get(key, key)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except ArithmeticError:
            return value
    if isinstance(value, Decimal):
        return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def narrative(snapshot: dict[str, Any], language: str) -> list[str]:
    """A few sentences on the main changes since the previous summary, in the summary's language."""
    with translation.override(language):
        changes = snapshot.get("changes") or {}
        previous = changes.get("previous")
        if not previous:
            return [_("This is the first summary of this series: there is no earlier summary to compare with.")]
        codes = {a["code"]: _name(a["name"], language) for a in snapshot["data"]["agreements"]}
        lines = [_("Compared with the previous summary (%(period)s, version %(version)s):")
                 % {"period": previous["period"], "version": previous["version"]}]
        items = changes.get("items", [])
        if not items:
            lines.append(_("The key figures have not changed."))
        for item in items:
            agreement = codes.get(item["agreement"], item["agreement"])
            if item["indicator"] == "new_agreement":
                lines.append(_("%(agreement)s is included for the first time.") % {"agreement": agreement})
                continue
            lines.append(_("%(agreement)s: %(indicator)s %(before)s → %(after)s.") % {
                "agreement": agreement, "indicator": indicator_label(item["indicator"]).lower(),
                "before": _fmt(item["before"]), "after": _fmt(item["after"])})
        return lines


def title_of(snapshot: dict[str, Any], language: str) -> str:
    data = snapshot["data"]
    with translation.override(language):
        if data["audience"] == Audience.NATIONAL:
            return _("National summary of the innovation ecosystem agreements %(period)s") % {
                "period": data["period"]["code"]}
        agreement = _name(data["agreements"][0]["name"], language)
        return _("Steering-group summary %(period)s: %(agreement)s") % {"period": data["period"]["code"],
                                                                        "agreement": agreement}


# --- tables: one definition feeds the XLSX sheets, the CSV and the PDF -----------------------------------------

def _sum_by_instrument(rows: list[dict[str, Any]]) -> list[tuple[str, list[Decimal | None]]]:
    keys = ("frame", "committed", "pending", "planned", "granted", "spent")
    sums: dict[str, list[Decimal | None]] = {}
    for r in rows:
        acc = sums.setdefault(r["instrument"], [None] * len(keys))
        for i, key in enumerate(keys):
            if r[key] is not None:
                acc[i] = (acc[i] or Decimal("0.00")) + Decimal(r[key])
    return list(sums.items())


def tables(snapshot: dict[str, Any], language: str, *, compact: bool = False) -> list[dict[str, Any]]:
    """The summary's tables: {key, title, columns, rows}; cells are str, int, Decimal, bool or None.
    `compact` (the PDF) sums the national summary's years per instrument to keep it readable."""
    data = snapshot["data"]
    methods = data["methods"]
    result: list[dict[str, Any]] = []
    with translation.override(language):
        agreement_col = _("Agreement")

        def add(key: str, title: str, columns: list[str], rows: list[list[Any]]) -> None:
            result.append({"key": key, "title": title, "columns": columns, "rows": rows})

        rows = []
        for a in data["agreements"]:
            sp, fu = a["split"], a["funding"]
            rows.append([a["code"], a["projects"]["total"], a["projects"]["by_status"].get("running", 0),
                         _dec(fu["all_years"]["frame"]), _dec(sp["granted"]["total"]), _dec(sp["planned"]["total"]),
                         _dec(fu["all_years"]["spent"]), _dec(sp["granted"]["local_percent"]),
                         _dec(sp["granted"]["eu_state_percent"]), a["priority4"]["granted_ok"],
                         a["internationalisation"]["with_internationalisation"], a["late"]["count"],
                         a["ending"]["count"]])
        add("overview", _("Key figures"),
            [agreement_col, _("Projects"), _("Running"), _("Frames (€)"), _("Granted (€)"), _("Planned (€)"),
             _("Spent (€)"), _("Local share (%)"), _("EU and state share (%)"), _("Priority-4 rule holds"),
             _("Internationalisation (projects)"), _("Past end date"), _("Ending within 90 days")], rows)

        statuses = list(ProjectStatus.values)
        add("status", _("Projects by status"), [agreement_col] + [status_label(s) for s in statuses] + [_("Total")],
            [[a["code"]] + [a["projects"]["by_status"].get(s, 0) for s in statuses] + [a["projects"]["total"]]
             for a in data["agreements"]])

        add("priority", _("Projects and funding by priority"),
            [agreement_col, _("Priority"), _("Name"), _("Projects"), _("Planned (€)"), _("Granted (€)"),
             _("Spent (€)")],
            [[a["code"], p["code"], _name(a["priorities"].get(str(p["code"]), {}), language), p["projects"],
              _dec(p["planned"]), _dec(p["granted"]), _dec(p["spent"])]
             for a in data["agreements"] for p in a["projects"]["by_priority"]])

        method_rows = []
        for a in data["agreements"]:
            method_rows += [[a["code"], m["code"], _name(methods.get(str(m["code"]), {}), language), m["projects"],
                             _dec(m["granted"])] for m in a["projects"]["by_method"]]
            if "method_total" in a["projects"]:
                total = a["projects"]["method_total"]
                method_rows.append([a["code"], _("Total"), _("Each project once"), total["projects"],
                                    _dec(total["granted"])])
        add("method", _("Projects by method category (a project in several categories is listed under each; "
                        "the total counts it once)"),
            [agreement_col, _("Method category"), _("Name"), _("Projects"), _("Granted (€)")], method_rows)

        add("activity", _("Activity in the period"),
            [agreement_col, _("New project ideas"), _("Proposals submitted"), _("Decisions"), _("Approved"),
             _("Approved with conditions"), _("Returned"), _("Rejected"), _("Projects started"),
             _("Projects ended")],
            [[a["code"], a["activity"]["new_ideas"], a["activity"]["new_proposals"], a["activity"]["decisions"]]
             + [a["activity"]["decisions_by_outcome"].get(o, 0)
                for o in ("approved", "conditional", "returned", "rejected")]
             + [a["activity"]["started"], a["activity"]["ended"]] for a in data["agreements"]])

        if compact and len(data["agreements"]) > 1:
            # Reading format of the national summary: years summed per agreement and instrument (the
            # machine formats keep every year).
            add("funding", _("Frames, committed, planned and spent by instrument, all years"),
                [agreement_col, _("Instrument"), _("Frame (€)"), _("Committed (€)"), _("Pending proposals (€)"),
                 _("Planned (€)"), _("Granted (€)"), _("Spent (€)")],
                [[a["code"], code] + sums for a in data["agreements"]
                 for code, sums in _sum_by_instrument(a["funding"]["rows"])])
        else:
            add("funding", _("Frames, committed, planned and spent by instrument and year"),
                [agreement_col, _("Instrument"), _("Year"), _("Frame (€)"), _("Committed (€)"),
                 _("Pending proposals (€)"), _("Planned (€)"), _("Granted (€)"), _("Spent (€)")],
                [[a["code"], r["instrument"], r["year"], _dec(r["frame"]), _dec(r["committed"]), _dec(r["pending"]),
                  _dec(r["planned"]), _dec(r["granted"]), _dec(r["spent"])]
                 for a in data["agreements"] for r in a["funding"]["rows"]])

        totals_rows = []
        for a in data["agreements"]:
            for key, label in (("period", _("Period")), ("cumulative", _("Cumulative since 2021")),
                               ("all_years", _("Whole agreement period"))):
                t = a["funding"][key]
                totals_rows.append([a["code"], label, _dec(t["frame"]), _dec(t["planned"]), _dec(t["granted"]),
                                    _dec(t["spent"])])
        add("funding_totals", _("Funding totals"),
            [agreement_col, _("Scope"), _("Frame (€)"), _("Planned (€)"), _("Granted (€)"), _("Spent (€)")],
            totals_rows)

        split_rows = []
        for a in data["agreements"]:
            for key, label in (("granted", _("Granted")), ("planned", _("Planned")),
                               ("akke_granted", _("AKKE, granted")), ("akke_planned", _("AKKE, planned"))):
                s = a["split"][key]
                split_rows.append([a["code"], label, _dec(s["total"]), _dec(s["local"]), _dec(s["eu_state"]),
                                   _dec(s["private"]), _dec(s["local_percent"]), _dec(s["eu_state_percent"]),
                                   s["split_ok"]])
        add("split", _("40/60 split and AKKE split"),
            [agreement_col, _("Basis"), _("Total (€)"), _("Local (€)"), _("EU and state (€)"), _("Private (€)"),
             _("Local share (%)"), _("EU and state share (%)"), _("Within the indicative split")], split_rows)

        add("priority4", _("Priority-4 rule"),
            [agreement_col, _("Basis"), _("Priority 1 (€)"), _("Priority 2 (€)"), _("Priority 3 (€)"),
             _("Priority 4 (€)"), _("Rule holds")],
            [[a["code"], label] + [_dec(a["priority4"][basis].get(str(c))) for c in (1, 2, 3, 4)]
             + [a["priority4"][f"{basis}_ok"]]
             for a in data["agreements"] for basis, label in (("granted", _("Granted")), ("planned", _("Planned")))])

        add("internationalisation", _("Internationalisation"),
            [agreement_col, _("Approved and running projects"), _("With internationalisation"), _("Share (%)")],
            [[a["code"], a["internationalisation"]["active_projects"],
              a["internationalisation"]["with_internationalisation"], _dec(a["internationalisation"]["percent"])]
             for a in data["agreements"]])

        late_rows = []
        for a in data["agreements"]:
            for key, label in (("late", _("Past its end date")), ("ending", _("Ending within 90 days"))):
                listed = a[key]["projects"][:PDF_NATIONAL_LIST_LIMIT] if compact and len(data["agreements"]) > 1 \
                    else a[key]["projects"]
                for p in listed:
                    late_rows.append([a["code"], label, p["code"], p["title"], status_label(p["status"]),
                                      p["end_date"]])
        add("late", _("Projects late or ending"),
            [agreement_col, _("Situation"), _("Project code"), _("Title"), _("Status"), _("End date")], late_rows)

        add("coordination", _("Coordination project funding"),
            [agreement_col, _("Project code"), _("Instrument"), _("Year"), _("Planned (€)"), _("Granted (€)"),
             _("Spent (€)")],
            [[a["code"], c["code"], line["instrument"], line["year"], _dec(line["planned"]), _dec(line["granted"]),
              _dec(line["spent"])] for a in data["agreements"] for c in a["coordination"] for line in c["lines"]])

        changes = (snapshot.get("changes") or {}).get("items", [])
        add("changes", _("Changes since the previous summary"),
            [agreement_col, _("Figure"), _("Before"), _("After")],
            [[c["agreement"], indicator_label(c["indicator"]), _cell_value(c["before"]), _cell_value(c["after"])]
             for c in changes])
    return result


def _cell_value(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


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
            "late": 3, "coordination": 4, "changes": 2}.get(key, 1)


# --- XLSX ---------------------------------------------------------------------------------------------------

FIXED_ZIP_TIME = (2021, 1, 1, 0, 0, 0)


def render_xlsx(snapshot: dict[str, Any], language: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
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
        for i, sentence in enumerate(narrative(snapshot, language), start=len(meta) + 4):
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
            "tables": [dict(t, rows=[[{"text": labels.get(row[0], row[0]) if i == 0 else _pdf_cell(v),
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


RENDERERS = {"json": render_json, "csv": render_csv, "xlsx": render_xlsx, "pdf": render_pdf}


def render_all(snapshot: dict[str, Any], language: str) -> dict[str, bytes]:
    return {fmt: RENDERERS[fmt](snapshot, language) for fmt in ("json", "csv", "xlsx", "pdf")}

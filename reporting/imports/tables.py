"""The spreadsheet side of an import: the tables and their columns in three languages, reading XLSX and
CSV, the values people type, and the report's shape."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding.choices import InstrumentCode
from portfolio.choices import OrganisationKind

if TYPE_CHECKING:

    pass


ORGANISATIONS, PROJECTS, LINES = "organisations", "projects", "funding_lines"

# Column key -> its heading in fi, sv, en. Any of the three is accepted when reading.
COLUMNS: dict[str, dict[str, tuple[str, str, str]]] = {
    ORGANISATIONS: {
        "business_id": ("Y-tunnus", "FO-nummer", "Business ID"),
        "name_fi": ("Nimi suomeksi", "Namn på finska", "Name in Finnish"),
        "name_sv": ("Nimi ruotsiksi", "Namn på svenska", "Name in Swedish"),
        "name_en": ("Nimi englanniksi", "Namn på engelska", "Name in English"),
        "short_name": ("Lyhenne", "Förkortning", "Short name"),
        "kind": ("Tyyppi", "Typ", "Kind"),
        "municipality": ("Kunta", "Kommun", "Municipality"),
    },
    PROJECTS: {
        "code": ("Hanketunnus", "Projektkod", "Project code"),
        "title_fi": ("Nimi suomeksi", "Namn på finska", "Title in Finnish"),
        "title_sv": ("Nimi ruotsiksi", "Namn på svenska", "Title in Swedish"),
        "title_en": ("Nimi englanniksi", "Namn på engelska", "Title in English"),
        "priority": ("Painopiste", "Prioritet", "Priority"),
        "methods": ("Toimintatavat", "Arbetssätt", "Method categories"),
        "lead": ("Päätoteuttaja", "Huvudgenomförare", "Lead implementer"),
        "co_implementers": ("Osatoteuttajat", "Delgenomförare", "Co-implementers"),
        "start_date": ("Alkaa", "Börjar", "Start date"),
        "end_date": ("Päättyy", "Slutar", "End date"),
        "eura_code": ("EURA-tunnus", "EURA-kod", "EURA code"),
        "summary_fi": ("Tiivistelmä suomeksi", "Sammanfattning på finska", "Summary in Finnish"),
    },
    LINES: {
        "project": ("Hanketunnus", "Projektkod", "Project code"),
        "instrument": ("Rahoitusväline", "Finansieringsinstrument", "Instrument"),
        "year": ("Vuosi", "År", "Year"),
        "planned": ("Suunniteltu (€)", "Planerat (€)", "Planned (€)"),
    },
}
REQUIRED = {ORGANISATIONS: ("name_fi",), PROJECTS: ("code", "title_fi", "priority", "lead"),
            LINES: ("project", "instrument", "year", "planned")}
# What tells the tables apart: a column no other table has.
SIGNATURE = {ORGANISATIONS: "business_id", PROJECTS: "title_fi", LINES: "instrument"}
SHEET_TITLES = {ORGANISATIONS: gettext_lazy("Organisations"), PROJECTS: gettext_lazy("Projects"),
                LINES: gettext_lazy("Funding lines")}
# Finnish and Swedish abbreviations people type for the instruments.
INSTRUMENT_ALIASES = {"EAKR": "ERDF", "ERUF": "ERDF", "ESR": "ESF", "ESR+": "ESF", "ESF+": "ESF", "OKR": "JTF",
                      "FRO": "JTF", "KAUPUNKI": "CITY", "STAD": "CITY", "JULKINEN": "PUBLIC", "OFFENTLIG": "PUBLIC",
                      "YKSITYINEN": "PRIVATE", "PRIVAT": "PRIVATE", "RRF": "RRF"}
MAX_ROWS = 20000
# Files up to this many rows are checked and imported while the user waits; larger ones by a Celery task,
# with a progress bar on the import's page.
SYNC_ROWS = 500
PROGRESS_EVERY = 250
LANGUAGES = ("fi", "sv", "en")
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y")


class ImportFileError(Exception):
    """The file cannot be read as a portfolio table at all (wrong type, no known columns)."""


@dataclass
class Problem:
    table: str
    row: int
    column: str
    message: str


@dataclass
class RowPlan:
    table: str
    row: int
    key: str
    action: str  # "create", "update", "unchanged"
    changes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        for plan in self.rows:
            table = result.setdefault(plan.table, {"create": 0, "update": 0, "unchanged": 0})
            table[plan.action] += 1
        return result

    def problem(self, table: str, row: int, column: str, message: str) -> None:
        self.problems.append(Problem(table=table, row=row, column=column, message=message))


Table = list[tuple[int, dict[str, Any]]]


# --- reading ------------------------------------------------------------------------------------------------

def _heading_keys(table: str) -> dict[str, str]:
    keys: dict[str, str] = {}
    for key, headings in COLUMNS[table].items():
        keys[key.casefold()] = key
        for heading in headings:
            keys[heading.casefold()] = key
    return keys


def _recognise(headings: list[Any]) -> tuple[str, dict[int, str]] | None:
    """The table whose signature column is among the headings, and column index -> key."""
    texts = [str(h).strip().casefold() if h is not None else "" for h in headings]
    for table, signature in SIGNATURE.items():
        keys = _heading_keys(table)
        mapping = {i: keys[t] for i, t in enumerate(texts) if t in keys}
        if signature in mapping.values():
            return table, mapping
    return None


def _rows_to_table(rows: Iterable[Iterable[Any]]) -> tuple[str, Table] | None:
    iterator = iter(rows)
    for headings in iterator:
        found = _recognise(list(headings))
        if found is None:
            return None
        table, mapping = found
        result: Table = []
        for number, row in enumerate(iterator, start=2):
            values = list(row)
            record = {key: values[i] if i < len(values) else None for i, key in mapping.items()}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in record.values()):
                continue
            if len(result) >= MAX_ROWS:
                raise ImportFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
            result.append((number, record))
        return table, result
    return None


def read_tables(*, name: str, content: bytes) -> dict[str, Table]:
    """The portfolio tables of an XLSX workbook (every sheet) or a CSV file (one table)."""
    tables: dict[str, Table] = {}
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a file that is no workbook
            raise ImportFileError(_("The file is not an Excel workbook (.xlsx).")) from exc
        for sheet in workbook.worksheets:
            found = _rows_to_table(sheet.iter_rows(values_only=True))
            if found is not None:
                tables[found[0]] = found[1]
        workbook.close()
    elif name.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("The CSV file is not UTF-8 text.")) from exc
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") >= first.count(",") else ","
        found = _rows_to_table(csv.reader(io.StringIO(text), delimiter=delimiter))
        if found is not None:
            tables[found[0]] = found[1]
    else:
        raise ImportFileError(_("Import an .xlsx or a .csv file."))
    if not tables:
        raise ImportFileError(_("No table of organisations, projects or funding lines was found: check the "
                                "column headings against the template."))
    return tables


# --- values -------------------------------------------------------------------------------------------------

def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(_text(value), fmt).date()
        except ValueError:
            pass
    raise ValueError(value)


def _codes(value: Any) -> list[str]:
    return [part.strip() for part in _text(value).replace(";", ",").split(",") if part.strip()]


def _closest(name: str, candidates: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _instrument_code(value: Any) -> str | None:
    code = _text(value).upper()
    code = INSTRUMENT_ALIASES.get(code, code)
    return code if code in InstrumentCode.values else None


def _kind(value: Any) -> str | None:
    text = _text(value)
    if not text:
        return OrganisationKind.OTHER
    for code, label in OrganisationKind.choices:
        if text.casefold() in (code.casefold(), str(label).casefold()):
            return code
    return None



"""Importing an existing portfolio from a spreadsheet: organisations, projects and funding lines.

A file is read into tables (an XLSX workbook with up to three sheets, or one CSV table), each recognised by
its columns, whose headings may be in Finnish, Swedish or English (`COLUMNS`; the template downloadable
from the import page and `import_portfolio --template` lists them). Every import is first a dry run:
`portfolio_import(..., commit=False)` validates every row and says what it would create, update or leave
as it is, and writes nothing. With `commit=True` and no problem, the same plan is written in one
transaction through the apps' own services (the rules of the project form and the financing plan hold);
importing the same file again changes nothing. Planned money only: granted and spent money come from
recorded decisions and spending entries, never from a spreadsheet.

It writes portfolio's and funding's rows, so it sits in the top layer, beside the other data going in
and out (the open-data list of operations).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding.choices import InstrumentCode
from funding.models import FundingInstrument, FundingLine
from funding.services import funding_lines_replace, funding_lines_validate
from portfolio.choices import OrganisationKind
from portfolio.models import Agreement, MethodCategory, Organisation, Priority, Project
from portfolio.money import parse_amount
from portfolio.services import organisation_save, project_create, project_update
from portfolio.validators import normalise_business_id, validate_business_id

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from .models import PortfolioImport

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


# --- the plan -----------------------------------------------------------------------------------------------

@dataclass
class _Organisations:
    """Organisations known by business ID and by name: the database's and the file's."""

    by_id: dict[str, Organisation | dict[str, Any]] = field(default_factory=dict)
    by_name: dict[str, Organisation | dict[str, Any]] = field(default_factory=dict)
    labels: set[str] = field(default_factory=set)
    # the agreement's priorities and the method categories by code (read once per import)
    priorities: dict[str, Priority] = field(default_factory=dict)
    methods: dict[str, MethodCategory] = field(default_factory=dict)

    def add(self, key_id: str, names: Iterable[str], item: Organisation | dict[str, Any]) -> None:
        if key_id:
            self.by_id[key_id] = item
        for name in names:
            if name:
                self.by_name[name.casefold()] = item
                self.labels.add(name)

    def find(self, text: str) -> Organisation | dict[str, Any] | None:
        business_id = normalise_business_id(text)
        return self.by_id.get(business_id) or self.by_name.get(text.casefold())

    def names(self) -> list[str]:
        return sorted(self.labels)


def _organisation_rows(report: ImportReport, table: Table, known: _Organisations) -> list[tuple[
        int, Organisation | None, dict[str, Any]]]:
    planned: list[tuple[int, Organisation | None, dict[str, Any]]] = []
    seen: set[str] = set()
    for number, record in table:
        data = {key: _text(record.get(key)) for key in COLUMNS[ORGANISATIONS]}
        business_id = normalise_business_id(data["business_id"])
        data["business_id"] = business_id
        if not data["name_fi"]:
            report.problem(ORGANISATIONS, number, "name_fi", _("The Finnish name is missing."))
            continue
        if business_id:
            try:
                validate_business_id(business_id)
            except ValidationError as exc:
                report.problem(ORGANISATIONS, number, "business_id", exc.messages[0])
                continue
        kind = _kind(record.get("kind"))
        if kind is None:
            report.problem(ORGANISATIONS, number, "kind", _("Unknown kind “%(value)s”; use one of: %(kinds)s.") % {
                "value": data["kind"], "kinds": ", ".join(str(label) for _c, label in OrganisationKind.choices)})
            continue
        data["kind"] = kind
        key = business_id or data["name_fi"].casefold()
        if key in seen:
            report.problem(ORGANISATIONS, number, "business_id" if business_id else "name_fi",
                           _("This organisation appears twice in the file."))
            continue
        seen.add(key)
        existing = (Organisation.objects.filter(business_id=business_id).first() if business_id else
                    Organisation.objects.filter(name_fi__iexact=data["name_fi"]).first())
        if existing is None:
            report.rows.append(RowPlan(ORGANISATIONS, number, data["name_fi"], "create"))
            known.add(business_id, [data["name_fi"], data["short_name"]], data)
            planned.append((number, None, data))
            continue
        changes = [k for k, v in data.items() if v and str(getattr(existing, k) or "") != v]
        report.rows.append(RowPlan(ORGANISATIONS, number, data["name_fi"], "update" if changes else "unchanged",
                                   changes))
        known.add(business_id, [data["name_fi"]], existing)
        if changes:
            planned.append((number, existing, {k: data[k] for k in changes}))
    return planned


def _project_data(report: ImportReport, agreement: Agreement, number: int, record: dict[str, Any],
                  known: _Organisations) -> dict[str, Any] | None:
    data: dict[str, Any] = {key: _text(record.get(key)) for key in ("code", "title_fi", "title_sv", "title_en",
                                                                     "eura_code", "summary_fi")}
    ok = True
    for key in REQUIRED[PROJECTS]:
        if not _text(record.get(key)):
            report.problem(PROJECTS, number, key, _("This column is required."))
            ok = False
    priority = known.priorities.get(_text(record.get("priority")))
    if _text(record.get("priority")) and priority is None:
        report.problem(PROJECTS, number, "priority", _("Unknown priority “%(value)s”: the agreement's priorities "
                                                       "are 1–4.") % {"value": _text(record.get("priority"))})
        ok = False
    data["priority"] = priority
    methods = []
    for code in _codes(record.get("methods")):
        method = known.methods.get(code)
        if method is None:
            report.problem(PROJECTS, number, "methods", _("Unknown method category “%(value)s”: use 1, 2 or 3.")
                           % {"value": code})
            ok = False
        else:
            methods.append(method)
    if not methods and not any(p.row == number and p.column == "methods" for p in report.problems):
        report.problem(PROJECTS, number, "methods", _("Choose at least one method category."))
        ok = False
    data["methods"] = methods

    def organisation(text: str, column: str) -> Organisation | dict[str, Any] | None:
        found = known.find(text)
        if found is None:
            suggestion = _closest(text, known.names())
            message = _("Unknown organisation “%(value)s”.") % {"value": text}
            if suggestion:
                message += " " + _("Did you mean “%(name)s”?") % {"name": suggestion}
            report.problem(PROJECTS, number, column, message)
        return found

    lead_text = _text(record.get("lead"))
    data["lead_organisation"] = organisation(lead_text, "lead") if lead_text else None
    partners = [organisation(text, "co_implementers") for text in _codes(record.get("co_implementers"))]
    if data["lead_organisation"] is None or any(p is None for p in partners):
        ok = False
    data["partners"] = partners
    for key in ("start_date", "end_date"):
        try:
            data[key] = _date(record.get(key))
        except ValueError:
            report.problem(PROJECTS, number, key, _("“%(value)s” is not a date (write 31.12.2026 or 2026-12-31).")
                           % {"value": _text(record.get(key))})
            ok = False
    if ok and data["start_date"] and data["end_date"] and data["end_date"] < data["start_date"]:
        report.problem(PROJECTS, number, "end_date", _("The end date cannot be before the start date."))
        ok = False
    return data if ok else None


def _project_changes(project: Project, data: dict[str, Any]) -> list[str]:
    changes = [key for key in ("title_fi", "title_sv", "title_en", "eura_code", "summary_fi", "start_date",
                               "end_date") if data.get(key) not in (None, "") and getattr(project, key) != data[key]]
    if data["priority"].pk != project.priority_id:
        changes.append("priority")
    if {m.pk for m in data["methods"]} != set(project.methods.values_list("pk", flat=True)):
        changes.append("methods")
    lead = data["lead_organisation"]
    if not isinstance(lead, Organisation) or lead.pk != project.lead_organisation_id:
        changes.append("lead")
    partners = data["partners"]
    if any(not isinstance(p, Organisation) for p in partners) or \
            {p.pk for p in partners} != set(project.partnerships.values_list("organisation_id", flat=True)):
        changes.append("co_implementers")
    return changes


def _line_rows(report: ImportReport, agreement: Agreement, table: Table, project_codes: set[str]
               ) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    by_project: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    seen: set[tuple[str, str, int]] = set()
    existing_codes = set(Project.objects.filter(agreement=agreement).values_list("code", flat=True))
    for number, record in table:
        code = _text(record.get("project"))
        ok = True
        if not code:
            report.problem(LINES, number, "project", _("This column is required."))
            ok = False
        elif code not in project_codes and code not in existing_codes:
            report.problem(LINES, number, "project", _("Unknown project “%(value)s” in this agreement.")
                           % {"value": code})
            ok = False
        instrument = _instrument_code(record.get("instrument"))
        if instrument is None:
            report.problem(LINES, number, "instrument", _("Unknown funding instrument “%(value)s”; use one of: "
                                                          "%(codes)s.") % {"value": _text(record.get("instrument")),
                                                                           "codes": ", ".join(InstrumentCode.values)})
            ok = False
        year_text = _text(record.get("year"))
        if not year_text.isdigit():
            report.problem(LINES, number, "year", _("“%(value)s” is not a year.") % {"value": year_text})
            ok = False
        try:
            raw = record.get("planned")
            planned = parse_amount(Decimal(str(raw)) if isinstance(raw, int | float) else raw)
        except ValidationError as exc:
            report.problem(LINES, number, "planned", exc.messages[0])
            ok = False
        if not ok or instrument is None:
            continue
        key = (code, instrument, int(year_text))
        if key in seen:
            report.problem(LINES, number, "year", _("%(code)s %(instrument)s %(year)s appears twice.") % {
                "code": code, "instrument": instrument, "year": year_text})
            continue
        seen.add(key)
        by_project.setdefault(code, []).append((number, {"instrument": instrument, "year": int(year_text),
                                                         "planned_amount": planned}))
    return by_project


def _merged_lines(project: Project | None, lines: list[tuple[int, dict[str, Any]]]) -> tuple[
        list[dict[str, Any]], list[int | None], dict[int, str]]:
    """The project's whole plan with the file's planned amounts in it (granted and spent left out: they keep
    their recorded values), the file row of each merged line (None: a line only in the portal), and what
    each file row does (create, update, unchanged)."""
    current: dict[tuple[str, int], dict[str, Any]] = {}
    rows: dict[tuple[str, int], int | None] = {}
    if project is not None:
        for saved in FundingLine.objects.regular().filter(project=project).select_related("instrument"):
            current[(saved.instrument.code, saved.year)] = {
                "instrument": saved.instrument.code, "year": saved.year, "planned_amount": saved.planned_amount}
            rows[(saved.instrument.code, saved.year)] = None
    actions: dict[int, str] = {}
    for number, line in lines:
        key = (line["instrument"], line["year"])
        old = current.get(key)
        actions[number] = ("create" if old is None else
                           "unchanged" if old["planned_amount"] == line["planned_amount"] else "update")
        current[key] = dict(line)
        rows[key] = number
    return list(current.values()), [rows[k] for k in current], actions


def portfolio_import(*, agreement: Agreement, tables: dict[str, Table], user: User | None,
                     commit: bool, progress: Callable[[int], None] | None = None) -> ImportReport:
    """Validate every row and plan the import; with ``commit`` and no problem, write it in one transaction.
    ``progress(percent)`` is told how far the work is (validation is most of it, writing the rest)."""
    report = ImportReport()
    known = _Organisations(priorities={str(p.code): p for p in Priority.objects.filter(agreement=agreement)},
                           methods={str(m.code): m for m in MethodCategory.objects.all()})
    total = max(1, sum(len(t) for t in tables.values()))
    share = 60 if commit else 100

    def tell(done: int) -> None:
        if progress is not None:
            progress(share * done // total)

    for organisation in Organisation.objects.all():
        known.add(organisation.business_id, [getattr(organisation, f"name_{lang}", "") or "" for lang in LANGUAGES]
                  + [organisation.short_name], organisation)
    organisations = _organisation_rows(report, tables.get(ORGANISATIONS, []), known)
    done = len(tables.get(ORGANISATIONS, []))
    tell(done)

    projects: list[tuple[int, Project | None, dict[str, Any]]] = []
    codes: set[str] = set()
    for number, record in tables.get(PROJECTS, []):
        done += 1
        if done % PROGRESS_EVERY == 0:
            tell(done)
        code = _text(record.get("code"))
        if code.casefold() in codes:
            report.problem(PROJECTS, number, "code", _("The project code %(code)s appears twice in the file.")
                           % {"code": code})
            continue
        codes.add(code.casefold())
        data = _project_data(report, agreement, number, record, known)
        if data is None:
            continue
        existing = Project.objects.filter(agreement=agreement, code__iexact=code).first()
        changes = ["new"] if existing is None else _project_changes(existing, data)
        action = "create" if existing is None else ("update" if changes else "unchanged")
        report.rows.append(RowPlan(PROJECTS, number, code, action, [] if existing is None else changes))
        if action != "unchanged":
            projects.append((number, existing, data))

    file_codes = {_text(r.get("code")) for _n, r in tables.get(PROJECTS, [])}
    lines = _line_rows(report, agreement, tables.get(LINES, []), file_codes)
    plans: dict[str, list[dict[str, Any]]] = {}
    for code, rows in lines.items():
        project = Project.objects.filter(agreement=agreement, code=code).first()
        merged, numbers, actions = _merged_lines(project, rows)
        for number, line in rows:
            report.rows.append(RowPlan(LINES, number, f"{code} {line['instrument']} {line['year']}", actions[number]))
        try:  # the plan's own rules: instrument available that year, years within the agreement
            funding_lines_validate(agreement=agreement, lines=merged)
        except ValidationError as exc:
            for error in exc.error_list:
                params = error.params or {}
                index = params.get("index")
                line_no = numbers[index] if isinstance(index, int) and index < len(numbers) else None
                report.problem(LINES, line_no if line_no is not None else rows[0][0], params.get("field") or "year",
                               error.messages[0])
        if any(action != "unchanged" for action in actions.values()):
            plans[code] = merged

    tell(total)
    if commit and report.ok:
        _write(agreement=agreement, organisations=organisations, projects=projects, plans=plans, user=user)
        report.committed = True
        if progress is not None:
            progress(100)
    return report


@transaction.atomic
def _write(*, agreement: Agreement, organisations: list[tuple[int, Organisation | None, dict[str, Any]]],
           projects: list[tuple[int, Project | None, dict[str, Any]]], plans: dict[str, list[dict[str, Any]]],
           user: User | None) -> None:
    saved: dict[int, Organisation] = {}
    for _number, existing, data in organisations:
        organisation = organisation_save(data={k: v for k, v in data.items() if v != "" or existing is None},
                                         user=user, organisation=existing)
        saved[id(data)] = organisation

    def resolve(item: Organisation | dict[str, Any]) -> Organisation:
        if isinstance(item, Organisation):
            return item
        found = saved.get(id(item)) or Organisation.objects.filter(**{"name_fi": item["name_fi"]}).first()
        if found is None:
            raise ValidationError(_("Organisation %(name)s was not saved.") % {"name": item["name_fi"]})
        return found

    for _row, project, project_data in projects:
        fields = {k: v for k, v in project_data.items()
                  if k not in ("partners", "lead_organisation") and v not in ("", None)}
        fields["lead_organisation"] = resolve(project_data["lead_organisation"])
        fields["partners"] = [resolve(p) for p in project_data["partners"]]
        if project is None:
            project_create(agreement=agreement, data=fields, user=user)
        else:
            project_update(project=project, data=fields, expected_version=project.version, user=user)
    for code, lines in plans.items():
        project = Project.objects.get(agreement=agreement, code=code)
        funding_lines_replace(project=project, lines=lines, user=user)


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


# --- an uploaded import: check, then import ------------------------------------------------------------------

def report_as_dict(report: ImportReport) -> dict[str, Any]:
    return {"problems": [vars(p) for p in sorted(report.problems, key=lambda p: (p.table, p.row))],
            "rows": [vars(r) for r in report.rows], "counts": report.counts(), "committed": report.committed}


def _progress_writer(import_id: int) -> Callable[[int], None]:
    from .models import PortfolioImport

    def write(percent: int) -> None:
        PortfolioImport.objects.filter(pk=import_id).update(progress=max(0, min(100, percent)))

    return write


def import_receive(*, agreement: Agreement, upload: Any, user: User | AnonymousUser) -> PortfolioImport:
    """Keep an uploaded file and check it: now for a small file, by a Celery task for a large one (the
    import's page shows the progress). Nothing of the portfolio is written. ImportFileError: not a table."""
    from django.core.exceptions import PermissionDenied

    from portfolio.permissions import can_edit_agreement_portfolio
    from portfolio.services import attachment_check

    from .models import PortfolioImport

    if not can_edit_agreement_portfolio(user, agreement) or user.pk is None:
        raise PermissionDenied
    # The uploads' one check (size, type, content matching the type), then only spreadsheets.
    ext, _content_type = attachment_check(upload=upload)
    if ext not in ("xlsx", "csv"):
        raise ImportFileError(_("Import an .xlsx or a .csv file."))
    tables = read_tables(name=upload.name, content=upload.read())
    upload.seek(0)
    rows = sum(len(t) for t in tables.values())
    batch = PortfolioImport.objects.create(agreement=agreement, file=upload, original_name=upload.name[:255],
                                           rows=rows, uploaded_by_id=user.pk)
    _start(batch, commit=False)
    batch.refresh_from_db()
    return batch


def import_request(*, batch: PortfolioImport, user: User | AnonymousUser) -> PortfolioImport:
    """Import a checked file that had no problems: validated again against the portfolio as it is now and
    written in one transaction (or refused with the new report: nothing written)."""
    from django.core.exceptions import PermissionDenied

    from portfolio.permissions import can_edit_agreement_portfolio

    from .models import PortfolioImport

    if not can_edit_agreement_portfolio(user, batch.agreement):
        raise PermissionDenied
    with transaction.atomic():
        locked = PortfolioImport.objects.select_for_update().get(pk=batch.pk)
        if locked.status == PortfolioImport.Status.IMPORTED:
            raise ValidationError(_("This file has already been imported."), code="imported")
        if locked.status != PortfolioImport.Status.CHECKED or locked.report.get("problems"):
            raise ValidationError(_("Only a checked file without problems can be imported."), code="not_checked")
        locked.status, locked.progress, locked.imported_by_id = PortfolioImport.Status.IMPORTING, 0, user.pk
        locked.save(update_fields=["status", "progress", "imported_by"])
    _start(locked, commit=True)
    locked.refresh_from_db()
    return locked


def _start(batch: PortfolioImport, *, commit: bool) -> None:
    if batch.rows <= SYNC_ROWS:
        import_run(import_id=batch.pk, commit=commit)
        return
    from config.jobs import job

    transaction.on_commit(lambda: job("reporting.portfolio_import_task").delay(batch.pk, commit))


def import_run(*, import_id: int, commit: bool) -> PortfolioImport | None:
    """The work of a check (``commit=False``) or an import: read the kept file, validate every row with
    progress, write when asked and there is no problem. The same work for the request and the task."""
    from django.utils import timezone

    from .models import PortfolioImport

    batch = PortfolioImport.objects.select_related("agreement", "uploaded_by").filter(pk=import_id).first()
    if batch is None:
        return None
    if batch.status not in (PortfolioImport.Status.QUEUED, PortfolioImport.Status.IMPORTING):
        return batch  # delivered twice: the work is done
    user = batch.imported_by if commit else batch.uploaded_by
    try:
        with batch.file.open("rb") as stream:
            tables = read_tables(name=batch.original_name, content=stream.read())
        report = portfolio_import(agreement=batch.agreement, tables=tables, user=user, commit=commit,
                                  progress=_progress_writer(batch.pk))
    except ImportFileError as exc:
        batch.status, batch.error = PortfolioImport.Status.FAILED, str(exc)
        batch.save(update_fields=["status", "error"])
        return batch
    batch.report = report_as_dict(report)
    batch.progress = 100
    if report.committed:
        batch.status, batch.imported_at = PortfolioImport.Status.IMPORTED, timezone.now()
    else:
        batch.status = PortfolioImport.Status.CHECKED
    batch.save(update_fields=["report", "progress", "status", "imported_at"])
    return batch

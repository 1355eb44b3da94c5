"""Validating every row against the portfolio, planning create / update / unchanged, and writing the plan in
one transaction through the apps' services."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from funding.choices import InstrumentCode
from funding.models import FundingLine
from funding.services import funding_lines_replace, funding_lines_validate
from portfolio.choices import OrganisationKind
from portfolio.models import Agreement, MethodCategory, Organisation, Priority, Project
from portfolio.money import parse_amount
from portfolio.services import organisation_save, project_create, project_update
from portfolio.validators import normalise_business_id, validate_business_id

from .tables import (
    COLUMNS,
    LANGUAGES,
    LINES,
    ORGANISATIONS,
    PROGRESS_EVERY,
    PROJECTS,
    REQUIRED,
    ImportReport,
    RowPlan,
    Table,
    _closest,
    _codes,
    _date,
    _instrument_code,
    _kind,
    _text,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User



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


def _renamed_to(agreement: Agreement, code: str) -> str | None:
    """The current code of the agreement's project that was known by ``code`` before (a provisional idea
    code replaced on approval, ``portfolio.services.project_admit``), from the project's history."""
    history = Project.history  # type: ignore[attr-defined]  # django-simple-history ships no types
    project_id = history.filter(agreement_id=agreement.pk, code__iexact=code).values_list("id", flat=True).first()
    if project_id is None:
        return None
    return Project.objects.filter(pk=project_id).values_list("code", flat=True).first()


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
        renamed = _renamed_to(agreement, code) if existing is None else None
        if renamed is not None:
            # An older export: the idea was approved since and got its code in the agreement's series. Its row
            # would otherwise create the project a second time.
            report.problem(PROJECTS, number, "code", _("%(old)s got the code %(new)s when it entered the "
                                                       "portfolio: use the new code (export the plan again).")
                           % {"old": code, "new": renamed})
            codes.add(renamed.casefold())
            continue
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



"""The public list of operations (Regulation (EU) 2021/1060, Article 49(3)): one row per operation the EU funds
support — a project the steering group selected (approved, running or closed) with money planned from an EU
fund (ERDF, ESF+, JTF) — never ideas, drafts, rejected or withdrawn projects, never a person's data.

Columns and formats follow the Commission's Kohesio data specification (its validator's field names; dates
dd/MM/yyyy; amounts with a point and two decimals; comma-separated CSV, RFC 4180). The list is published as
editions (``reporting.models.OperationsList``): ``operations_list_publish`` builds one from the ledger's
selectors, a beat task publishes monthly, and the page and the CSV/JSON files read the latest edition.
Licence: CC BY 4.0."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from funding.selectors import DECIDED_STATUSES, countable_lines
from portfolio.data import hev
from portfolio.exports import neutralise
from portfolio.models import Project

from .models import OperationsList

LICENSE_NAME = "CC BY 4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
# The Regulation's minimum: the list is updated at least every four months. The beat task runs monthly.
REFRESH_AT_LEAST_EVERY = dt.timedelta(days=120)
EU_FUNDS = ("ERDF", "ESF", "JTF")
CENT = Decimal("0.01")

# Kohesio field names, in the order of the files.
COLUMNS = [
    "Operation_Unique_Identifier",
    "Operation_Name_Programme_Language",
    "Operation_Name_English",
    "Operation_Summary_Programme_Language",
    "Operation_Summary_English",
    "Beneficiary_Name",
    "Beneficiary_Unique_Identifier",
    "Co_Beneficiary_Names",
    "Operation_Start_Date",
    "Operation_End_Date",
    "Total_Eligible_Expenditure_amount",
    "Total_Eligible_Expenditure_Currency",
    "Project_EU_Budget",
    "Cofinancing_Rate",
    "Fund_Code",
    "Specific_Objective",
    "Category_Of_Intervention",
    "Programme_Name",
    "Programme_Code",
    "Programming_Period",
    "Location_Indicator_Postcode",
    "Location_Indicator_NUTS_Code",
    "Country",
    "CountryID",
    "Date_Of_Last_Update",
]


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _amount(value: Decimal) -> str:
    return str(value.quantize(CENT))


def operation_rows(*, today: dt.date | None = None) -> list[dict[str, str]]:
    """The list's rows as of now, from the live portfolio and the ledger's counting rules (the planned money
    of counted lines, as in every other figure of the portal)."""
    facts: dict[str, Any] = hev.OPEN_DATA
    projects = (Project.objects.filter(status__in=DECIDED_STATUSES)
                .select_related("lead_organisation", "agreement")
                .prefetch_related("partners", "methods").order_by("agreement__code", "code"))
    money: dict[int, dict[str, Decimal]] = {}
    for row in (countable_lines(projects=projects).order_by().values("project_id", "instrument__code")
                .annotate(total=Sum("planned_amount"))):
        money.setdefault(row["project_id"], {})[row["instrument__code"]] = row["total"] or Decimal("0")
    rows = []
    for project in projects:
        by_instrument = money.get(project.pk, {})
        funds = [code for code in EU_FUNDS if by_instrument.get(code, Decimal("0")) > 0]
        if not funds:
            continue  # no EU fund money: not an operation of the list
        total = sum(by_instrument.values(), Decimal("0"))
        eu = sum((by_instrument[code] for code in funds), Decimal("0"))
        methods = sorted(method.code for method in project.methods.all())
        intervention = facts["intervention_field_by_method"].get(methods[0]) if methods else None
        lead = project.lead_organisation
        rows.append({
            "Operation_Unique_Identifier": project.eura_code or f"{project.agreement.code}:{project.code}",
            "Operation_Name_Programme_Language": getattr(project, "title_fi", "") or "",
            "Operation_Name_English": getattr(project, "title_en", "") or "",
            "Operation_Summary_Programme_Language": getattr(project, "summary_fi", "") or "",
            "Operation_Summary_English": getattr(project, "summary_en", "") or "",
            "Beneficiary_Name": getattr(lead, "name_fi", "") or "",
            "Beneficiary_Unique_Identifier": lead.business_id or "",
            "Co_Beneficiary_Names": "; ".join(sorted(getattr(partner, "name_fi", "") or ""
                                                     for partner in project.partners.all())),
            "Operation_Start_Date": _date(project.start_date),
            "Operation_End_Date": _date(project.end_date),
            "Total_Eligible_Expenditure_amount": _amount(total),
            "Total_Eligible_Expenditure_Currency": "EUR",
            "Project_EU_Budget": _amount(eu),
            "Cofinancing_Rate": str((eu * 100 / total).quantize(CENT)) if total else "",
            "Fund_Code": "; ".join(facts["fund_code"][code] for code in funds),
            "Specific_Objective": "; ".join(facts["specific_objective_by_fund"][code] for code in funds),
            "Category_Of_Intervention": intervention or facts["default_intervention_field"],
            "Programme_Name": facts["programme"],
            "Programme_Code": facts["programme_cci"],
            "Programming_Period": "2021-2027",
            "Location_Indicator_Postcode": "",
            "Location_Indicator_NUTS_Code": facts["nuts_code"],
            "Country": facts["country"],
            "CountryID": facts["country_id"],
            "Date_Of_Last_Update": _date(timezone.localtime(project.updated_at).date() if project.updated_at
                                         else today or timezone.localdate()),
        })
    return rows


def operations_list_publish() -> OperationsList:
    """Publish a new edition of the list (the beat task calls this; so does the first visit when none exists)."""
    rows = operation_rows()
    with transaction.atomic():
        return OperationsList.objects.create(rows=rows, row_count=len(rows))


def operations_list_latest() -> OperationsList:
    """The edition the page and the files show: the latest, or a first one published now."""
    return OperationsList.objects.order_by("-published_at", "-pk").first() or operations_list_publish()


def next_refresh_due(edition: OperationsList) -> dt.date:
    """The day by which the Regulation wants the next edition at the latest."""
    return (timezone.localtime(edition.published_at) + REFRESH_AT_LEAST_EVERY).date()


def operations_csv(edition: OperationsList) -> str:
    """The edition as RFC 4180 CSV with the Kohesio header row (comma separated, CRLF line ends)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in edition.rows:
        writer.writerow({column: neutralise(row.get(column, "")) for column in COLUMNS})
    return out.getvalue()


def operations_json(edition: OperationsList) -> dict[str, Any]:
    return {
        "title": "List of operations (Regulation (EU) 2021/1060, Article 49(3))",
        "license": {"name": LICENSE_NAME, "url": LICENSE_URL},
        "published": timezone.localtime(edition.published_at).isoformat(),
        "next_update_due_by": next_refresh_due(edition).isoformat(),
        "columns": COLUMNS,
        "operations": [{column: row.get(column, "") for column in COLUMNS} for row in edition.rows],
    }


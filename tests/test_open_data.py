"""The public list of operations (Regulation (EU) 2021/1060, Article 49(3); issue 14): public without sign-in,
only operations the EU funds support, the Kohesio specification's columns and rules, no personal data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from portfolio.models import Project
from reporting.models import OperationsList
from reporting.open_data import COLUMNS, operations_list_publish
from tests.factories import FundingLineFactory, OrganisationFactory, ProjectFactory, instrument

pytestmark = pytest.mark.django_db

# The Kohesio validator's rules that apply to these files (https://kohesio.ec.europa.eu, "Kohesio validator").
REQUIRED = ("Operation_Name_Programme_Language", "Country", "Operation_Start_Date", "Beneficiary_Name",
            "Total_Eligible_Expenditure_amount", "Total_Eligible_Expenditure_Currency", "Fund_Code")
LOCATION = ("Location_Indicator_Postcode", "Location_Indicator_NUTS_Code")
DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
AMOUNT = re.compile(r"^\d+\.\d{2}$")


def _project(agreement, code, status, *, eu="600000.00", city="400000.00", partner=None):  # type: ignore[no-untyped-def]
    project = ProjectFactory(agreement=agreement, code=code, title_fi=f"Hanke {code}", title_en=f"Project {code}",
                             summary_fi="Kokeiluympäristö kaupunkien yhteiseen käyttöön.", status=status,
                             start_date=dt.date(2024, 3, 1), end_date=dt.date(2026, 12, 31))
    FundingLineFactory(project=project, instrument=instrument("ERDF"), year=2025, planned_amount=Decimal(eu))
    FundingLineFactory(project=project, instrument=instrument("CITY"), year=2025, planned_amount=Decimal(city))
    if partner is not None:
        project.partnerships.create(organisation=partner, budget_share=Decimal("1000.00"))
    return project


@pytest.fixture
def portfolio_states(agreement):  # type: ignore[no-untyped-def]
    partner = OrganisationFactory(name_fi="Aalto-korkeakoulusäätiö", business_id="2228357-4")
    projects = {status: _project(agreement, f"OD-{status.upper()}", status, partner=partner)
                for status in ("idea", "proposal", "approved", "running", "closed", "rejected", "withdrawn")}
    national_only = ProjectFactory(agreement=agreement, code="OD-CITYONLY", title_fi="Vain kaupungin rahaa",
                                   status="running", start_date=dt.date(2024, 1, 1), end_date=dt.date(2025, 1, 1))
    FundingLineFactory(project=national_only, instrument=instrument("CITY"), year=2024,
                       planned_amount=Decimal("1000.00"))
    return projects


def _csv_rows(client: Client) -> tuple[list[str], list[dict[str, str]]]:
    response = client.get("/open-data/operations.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert not text.startswith("\ufeff") and "\r\n" in text  # RFC 4180: CRLF, no byte-order mark
    reader = csv.reader(io.StringIO(text))
    header, *records = list(reader)
    assert all(len(record) == len(header) for record in records)  # the same number of fields throughout
    return header, [dict(zip(header, record, strict=True)) for record in records]


def test_only_decided_operations_with_eu_money_are_listed(portfolio_states):  # type: ignore[no-untyped-def]
    operations_list_publish()
    _, rows = _csv_rows(Client())
    listed = {row["Operation_Name_Programme_Language"] for row in rows}
    assert {"Hanke OD-APPROVED", "Hanke OD-RUNNING", "Hanke OD-CLOSED"} <= listed
    for status in ("idea", "proposal", "rejected", "withdrawn"):
        assert f"Hanke OD-{status.upper()}" not in listed
    assert "Vain kaupungin rahaa" not in listed
    decided = set(Project.objects.filter(status__in=("approved", "running", "closed"))
                  .exclude(code="OD-CITYONLY").values_list("title_fi", flat=True))
    assert listed <= decided


def test_the_files_follow_the_kohesio_rules(portfolio_states):  # type: ignore[no-untyped-def]
    operations_list_publish()
    header, rows = _csv_rows(Client())
    assert header == COLUMNS and len(set(header)) == len(header)
    assert rows
    for row in rows:
        for field in REQUIRED:
            assert row[field], (field, row)
        assert any(row[field] for field in LOCATION), row
        assert DATE.match(row["Operation_Start_Date"]) and (not row["Operation_End_Date"]
                                                            or DATE.match(row["Operation_End_Date"]))
        if row["Operation_End_Date"]:
            start, end = (dt.datetime.strptime(row[f], "%d/%m/%Y") for f in ("Operation_Start_Date",
                                                                             "Operation_End_Date"))
            assert start <= end, row
        assert row["Total_Eligible_Expenditure_Currency"] == "EUR"  # else an exchange rate would be required
        assert AMOUNT.match(row["Total_Eligible_Expenditure_amount"]) and AMOUNT.match(row["Project_EU_Budget"])
        assert Decimal(row["Project_EU_Budget"]) <= Decimal(row["Total_Eligible_Expenditure_amount"])
    running = next(row for row in rows if row["Operation_Name_Programme_Language"] == "Hanke OD-RUNNING")
    assert running["Total_Eligible_Expenditure_amount"] == "1000000.00"
    assert running["Project_EU_Budget"] == "600000.00" and running["Cofinancing_Rate"] == "60.00"
    assert running["Fund_Code"] == "ERDF" and running["Specific_Objective"] == "RSO1.1"
    assert running["Operation_Start_Date"] == "01/03/2024" and running["Operation_End_Date"] == "31/12/2026"
    assert running["Co_Beneficiary_Names"] == "Aalto-korkeakoulusäätiö"
    assert len({row["Operation_Unique_Identifier"] for row in rows}) == len(rows)  # unique codes


def test_no_personal_data_in_the_list(portfolio_states, agreement):  # type: ignore[no-untyped-def]
    """The columns are enumerated and hold organisations and projects only; the people behind the projects
    (coordinators, contacts) appear nowhere in the files."""
    from conftest import _role_user

    coordinator = _role_user("coordinator", agreement, username="maija.virtanen")
    coordinator.first_name, coordinator.last_name, coordinator.email = "Maija", "Virtanen", "maija.v@espoo.invalid"
    coordinator.save()
    Project.objects.filter(code="OD-RUNNING").update(coordinator=coordinator)
    operations_list_publish()
    header, rows = _csv_rows(Client())
    assert header == COLUMNS
    assert not [c for c in header if re.search(r"mail|phone|person|contact|user|coordinator", c, re.I)]
    body = Client().get("/open-data/operations.json").content.decode()
    for value in (coordinator.username, coordinator.email, coordinator.get_full_name()):
        assert value and value not in body
        assert all(value not in cell for row in rows for cell in row.values())


def test_public_without_sign_in_with_licence_and_dates(portfolio_states):  # type: ignore[no-untyped-def]
    client = Client()
    page = client.get("/open-data/operations/", HTTP_ACCEPT_LANGUAGE="fi")
    assert page.status_code == 200
    html = page.content.decode()
    assert "CC BY 4.0" in html and 'rel="license"' in html and "Hanke OD-RUNNING" in html
    edition = OperationsList.objects.get()  # the first visit published the first edition
    published = edition.published_at.astimezone(dt.timezone(dt.timedelta(hours=2))).date()
    assert f"{published.day}.{published.month}.{published.year}" in html  # the day it was published, in Finnish
    assert "Hanke OD-IDEA" not in html and "Hanke OD-REJECTED" not in html
    document = client.get("/open-data/operations.json").json()
    assert document["license"]["name"] == "CC BY 4.0" and document["columns"] == COLUMNS
    assert len(document["operations"]) == edition.row_count
    assert 'rel="license"' in client.get("/open-data/operations.csv")["Link"]


def test_the_list_is_an_edition_refreshed_by_the_beat_task(portfolio_states):  # type: ignore[no-untyped-def]
    from reporting.tasks import operations_list_publish_task

    operations_list_publish()
    Project.objects.filter(code="OD-RUNNING").update(title_fi="Uusi nimi")
    assert "Uusi nimi" not in Client().get("/open-data/operations.json").content.decode()  # until the next edition
    assert operations_list_publish_task.delay().get() >= 3
    assert "Uusi nimi" in Client().get("/open-data/operations.json").content.decode()
    schedule = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values()
                if entry["task"] == "reporting.operations_list_publish_task"]
    assert len(schedule) == 1  # monthly, within the Regulation's four months

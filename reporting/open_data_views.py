"""The public list of operations (no sign-in): the page, and the same edition as CSV and JSON."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .open_data import (
    COLUMNS,
    LICENSE_NAME,
    LICENSE_URL,
    next_refresh_due,
    operations_csv,
    operations_json,
    operations_list_latest,
)


def _display(row: dict[str, str]) -> dict[str, object]:
    """A row for the page: dates and amounts as values, so the page shows them in the reader's locale."""
    def day(text: str) -> dt.date | None:
        return dt.datetime.strptime(text, "%d/%m/%Y").date() if text else None

    def money(text: str) -> Decimal | None:
        return Decimal(text) if text else None

    return {**row, "start": day(row["Operation_Start_Date"]), "end": day(row["Operation_End_Date"]),
            "total": money(row["Total_Eligible_Expenditure_amount"]), "eu": money(row["Project_EU_Budget"]),
            "rate": money(row["Cofinancing_Rate"])}


def _licensed(response: HttpResponse) -> HttpResponse:
    response["Link"] = f'<{LICENSE_URL}>; rel="license"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def operations_page(request: HttpRequest) -> HttpResponse:
    edition = operations_list_latest()
    return _licensed(render(request, "reporting/operations.html", {
        "edition": edition, "rows": [_display(row) for row in edition.rows],
        "published": timezone.localtime(edition.published_at),
        "next_due": next_refresh_due(edition), "license_name": LICENSE_NAME, "license_url": LICENSE_URL,
        "columns": COLUMNS,
    }))


@require_GET
def operations_csv_file(request: HttpRequest) -> HttpResponse:
    edition = operations_list_latest()
    response = HttpResponse(operations_csv(edition), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="operations.csv"'
    return _licensed(response)


@require_GET
def operations_json_file(request: HttpRequest) -> HttpResponse:
    edition = operations_list_latest()
    response = HttpResponse(json.dumps(operations_json(edition), ensure_ascii=False, indent=1),
                            content_type="application/json; charset=utf-8")
    return _licensed(response)

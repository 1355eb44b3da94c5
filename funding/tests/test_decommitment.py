"""The N+3 forecast (issue 13) on hand-computed cases: granted money per EU fund and year, spent by the day,
the linear rate since the year began (or since the first spending, if later) and the money at risk."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine

from funding.models import FundingInstrument, SpendingEntry
from funding.selectors import decommitment_forecast

from .conftest import add_line, make_project

pytestmark = pytest.mark.django_db
TODAY = "2026-12-02 12:00:00+02:00"


def spend(project, code: str, year: int, day: dt.date, amount: str) -> None:  # type: ignore[no-untyped-def]
    SpendingEntry.objects.create(project=project, instrument=FundingInstrument.objects.get(code=code), year=year,
                                 date=day, source="claim", reference="MT-1", amount=D(amount))


@time_machine.travel(TODAY, tick=False)
def test_the_forecast_on_hand_computed_cases(clean_agreement):
    project = make_project(clean_agreement)
    add_line(project, "ERDF", 2025, granted="120000")
    spend(project, "ERDF", 2025, dt.date(2025, 12, 2), "30000")
    add_line(project, "ESF", 2026, granted="50000")            # nothing spent yet
    add_line(project, "ERDF", 2022, granted="10000")           # deadline 31.12.2025 has passed
    spend(project, "ERDF", 2022, dt.date(2023, 3, 1), "4000")
    add_line(project, "CITY", 2025, granted="80000")           # local money: no N+3
    add_line(project, "AKKE", 2023, granted="10000")           # national money: no N+3
    idea = make_project(clean_agreement, status="idea")
    add_line(idea, "ERDF", 2025, granted="999999")             # an idea never counts

    rows = {(r.code, r.year): r for r in decommitment_forecast(agreement=clean_agreement)}
    assert set(rows) == {("ERDF", 2022), ("ERDF", 2025), ("ESF", 2026)}

    erdf = rows[("ERDF", 2025)]
    # From the first spending (2.12.2025) to today: 365 days; from today to 31.12.2028: 760 days.
    assert erdf.deadline == dt.date(2028, 12, 31) and erdf.spent == D("30000.00")
    assert erdf.forecast == (D(30000) + D(30000) * 760 / 365).quantize(D("0.01"))  # 92 465,75
    assert erdf.at_risk == D("120000") - erdf.forecast == D("27534.25")

    esf = rows[("ESF", 2026)]
    assert not esf.started and esf.forecast == 0 and esf.at_risk == 0

    late = rows[("ERDF", 2022)]
    assert late.forecast == D("4000.00") and late.at_risk == D("6000.00")  # past its deadline: lost


@time_machine.travel(TODAY, tick=False)
def test_spending_after_the_day_and_a_full_forecast(clean_agreement):
    project = make_project(clean_agreement)
    add_line(project, "ERDF", 2026, granted="10000")
    spend(project, "ERDF", 2026, dt.date(2026, 1, 1), "9000")   # fast: the forecast is capped at the grant
    spend(project, "ERDF", 2026, dt.date(2026, 12, 20), "500")  # dated after the day: not spent yet
    rows = decommitment_forecast(agreement=clean_agreement)
    assert rows[0].spent == D("9000.00")
    assert rows[0].forecast == D("10000.00") and rows[0].at_risk == 0


@time_machine.travel(TODAY, tick=False)
def test_the_forecast_on_the_funding_page_and_in_the_api(clean_agreement, coordinator_client):
    project = make_project(clean_agreement)
    add_line(project, "ERDF", 2025, granted="120000")
    spend(project, "ERDF", 2025, dt.date(2025, 12, 2), "30000")
    page = coordinator_client.get("/funding/", {"agreement": clean_agreement.pk}).content.decode()
    assert "N+3" in page and "27534" in page.replace("\xa0", "").replace(" ", "").replace(",", "")
    # 30 000 € over the 365 days since the first spending, in 30.4375-day months, computed here.
    rate = str((D(30000) * D("30.4375") / 365).quantize(D("0.01")))
    body = coordinator_client.get(f"/api/v1/agreements/{clean_agreement.pk}/decommitment-forecast/").json()
    assert body == [{"code": "ERDF", "year": 2025, "deadline": "2028-12-31", "granted": "120000.00",
                     "spent": "30000.00", "monthly_rate": rate, "forecast": "92465.75",
                     "at_risk": "27534.25", "started": True}]

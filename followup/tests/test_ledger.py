"""An accepted report's spending to date feeds the ledger: only the missing difference, once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from followup.models import ProgressReport
from followup.services import (
    progress_report_accept,
    progress_report_ledger_feed,
    progress_report_submit,
    progress_report_update,
    progress_reports_generate,
)
from funding.models import FundingLine, SpendingEntry
from funding.services import spending_entry_record

pytestmark = pytest.mark.django_db


def _report(project, start):  # type: ignore[no-untyped-def]
    return ProgressReport.objects.get(project=project, kind="periodic", period_start=start)


def _accept(report, contact, coordinator, spending):  # type: ignore[no-untyped-def]
    progress_report_update(report=report, user=contact, data={"status": "on_track", "done": "x"}, spending=spending)
    progress_report_submit(report=report, user=contact)
    return progress_report_accept(report=report, user=coordinator)


def _spent(project, code, year):  # type: ignore[no-untyped-def]
    return SpendingEntry.objects.filter(project=project, instrument__code=code, year=year).aggregate(
        s=Sum("amount"))["s"] or Decimal("0")


def test_accepting_records_the_difference_dated_at_the_period_end(project, contact, coordinator):
    progress_reports_generate(project=project)
    # A payment claim already holds 4 000 of ERDF in 2024.
    spending_entry_record(project=project, instrument_code="ERDF", year=2024, entry_date=dt.date(2024, 12, 31),
                          source="claim", reference="MH-1", amount="4000", user=coordinator)
    report = _report(project, dt.date(2024, 7, 1))
    _accept(report, contact, coordinator, [{"instrument": "ERDF", "amount": "10000"},
                                           {"instrument": "CITY", "amount": "2500,50"}])
    entries = SpendingEntry.objects.filter(source="report").order_by("instrument__code")
    assert [(e.instrument.code, e.year, e.date, e.amount, e.reference) for e in entries] == [
        ("CITY", 2024, dt.date(2024, 12, 31), Decimal("2500.50"), f"PR-{report.pk}"),
        ("ERDF", 2024, dt.date(2024, 12, 31), Decimal("6000.00"), f"PR-{report.pk}"),  # 10 000 − 4 000
    ]
    line = FundingLine.objects.regular().get(project=project, instrument__code="ERDF", year=2024)
    assert line.spent_amount == Decimal("10000.00")


def test_feeding_again_records_nothing(project, contact, coordinator):
    progress_reports_generate(project=project)
    report = _accept(_report(project, dt.date(2024, 7, 1)), contact, coordinator,
                     [{"instrument": "ERDF", "amount": "10000"}])
    assert progress_report_ledger_feed(report=report, user=coordinator) == []
    assert SpendingEntry.objects.filter(project=project).count() == 1


def test_a_later_report_records_only_the_growth_in_its_own_year(project, contact, coordinator):
    progress_reports_generate(project=project)
    _accept(_report(project, dt.date(2024, 7, 1)), contact, coordinator, [{"instrument": "ERDF", "amount": "10000"}])
    _accept(_report(project, dt.date(2025, 1, 1)), contact, coordinator, [{"instrument": "ERDF", "amount": "16000"}])
    assert _spent(project, "ERDF", 2024) == Decimal("10000")
    assert _spent(project, "ERDF", 2025) == Decimal("6000")  # cumulative 16 000 − 10 000 already held


def test_a_report_below_what_the_ledger_holds_records_nothing(project, contact, coordinator):
    progress_reports_generate(project=project)
    spending_entry_record(project=project, instrument_code="ERDF", year=2024, entry_date=dt.date(2024, 12, 31),
                          source="claim", reference="MH-1", amount="9000", user=coordinator)
    _accept(_report(project, dt.date(2024, 7, 1)), contact, coordinator, [{"instrument": "ERDF", "amount": "8000"}])
    assert not SpendingEntry.objects.filter(source="report").exists()
    assert _spent(project, "ERDF", 2024) == Decimal("9000")


def test_a_failed_ledger_write_leaves_the_report_submitted(project, contact, coordinator, monkeypatch):
    from django.core.exceptions import ValidationError

    import followup.services.reports as module

    progress_reports_generate(project=project)
    report = _report(project, dt.date(2024, 7, 1))
    progress_report_update(report=report, user=contact, data={"status": "on_track", "done": "x"},
                           spending=[{"instrument": "ERDF", "amount": "100"}])
    progress_report_submit(report=report, user=contact)

    def refuse(**kwargs):  # type: ignore[no-untyped-def]
        raise ValidationError({"year": ["no"]})

    monkeypatch.setattr(module, "spending_entry_record", refuse)
    with pytest.raises(ValidationError):
        progress_report_accept(report=report, user=coordinator)
    report.refresh_from_db()
    assert report.review_state == "submitted" and not report.transitions.filter(to_state="accepted").exists()

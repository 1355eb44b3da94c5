"""The report's lifecycle and who may take each step; bad input saves nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from followup.errors import ReportStateError
from followup.models import ProgressReport, ProgressReportSpending, ProgressReportTransition
from followup.services import (
    progress_report_accept,
    progress_report_return,
    progress_report_submit,
    progress_report_update,
    progress_reports_generate,
)

from .factories import make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(project):  # type: ignore[no-untyped-def]
    progress_reports_generate(project=project)
    return ProgressReport.objects.get(project=project, kind="periodic", period_start=dt.date(2025, 1, 1))


def _fill(report, user):  # type: ignore[no-untyped-def]
    return progress_report_update(report=report, user=user, data={
        "status": "at_risk", "status_reason": "Rekrytointi viivästyi.", "done": "Kaksi pilottia.",
        "next_steps": "Kolmas pilotti.", "risks": "Henkilöstö."},
        spending=[{"instrument": "ERDF", "amount": "12 500,50"}, {"instrument": "city", "amount": "3000"}])


def test_contact_writes_submits_and_coordinator_returns_then_accepts(report, contact, coordinator):
    _fill(report, contact)
    assert sorted(ProgressReportSpending.objects.filter(report=report).values_list("instrument__code", "amount")) \
        == [("CITY", Decimal("3000.00")), ("ERDF", Decimal("12500.50"))]
    progress_report_submit(report=report, user=contact)
    progress_report_return(report=report, user=coordinator, comment="Tarkenna riskit.")
    report.refresh_from_db()
    assert report.review_state == "returned" and report.review_comment == "Tarkenna riskit."
    progress_report_update(report=report, user=contact, data={"risks": "Henkilöstö ja aikataulu."})
    progress_report_submit(report=report, user=contact, comment="Korjattu.")
    progress_report_accept(report=report, user=coordinator)
    report.refresh_from_db()
    assert report.review_state == "accepted" and report.reviewed_by == coordinator
    steps = list(ProgressReportTransition.objects.filter(report=report).order_by("pk").values_list(
        "from_state", "to_state", "by__username", "comment"))
    assert steps == [("draft", "submitted", "contact", ""), ("submitted", "returned", "coord", "Tarkenna riskit."),
                     ("returned", "submitted", "contact", "Korjattu."), ("submitted", "accepted", "coord", "")]
    assert report.history.count() >= 5


def test_submitting_twice_is_refused(report, contact):
    _fill(report, contact)
    progress_report_submit(report=report, user=contact)
    with pytest.raises(ReportStateError):
        progress_report_submit(report=report, user=contact)
    assert ProgressReportTransition.objects.filter(report=report).count() == 1


def test_a_draft_cannot_be_reviewed(report, coordinator):
    with pytest.raises(ReportStateError):
        progress_report_accept(report=report, user=coordinator)
    with pytest.raises(ReportStateError):
        progress_report_return(report=report, user=coordinator, comment="x")
    assert not ProgressReportTransition.objects.filter(report=report).exists()


def test_returning_needs_a_comment(report, contact, coordinator):
    _fill(report, contact)
    progress_report_submit(report=report, user=contact)
    with pytest.raises(ValidationError) as exc:
        progress_report_return(report=report, user=coordinator, comment="  ")
    assert "comment" in exc.value.message_dict
    report.refresh_from_db()
    assert report.review_state == "submitted"


def test_a_contact_cannot_write_or_submit_for_another_project(report, other_project):
    stranger = make_contact(other_project, username="stranger")
    with pytest.raises(PermissionDenied):
        progress_report_update(report=report, user=stranger, data={"done": "x"})
    ProgressReport.objects.filter(pk=report.pk).update(status="on_track", done="x")
    with pytest.raises(PermissionDenied):
        progress_report_submit(report=report, user=stranger)
    report.refresh_from_db()
    assert report.review_state == "draft" and report.done == "x"


def test_a_contact_cannot_review_even_their_own_report(report, contact):
    _fill(report, contact)
    progress_report_submit(report=report, user=contact)
    with pytest.raises(PermissionDenied):
        progress_report_accept(report=report, user=contact)


def test_others_cannot_review(report, contact, steering_member, ministry_user, other_coordinator):
    _fill(report, contact)
    progress_report_submit(report=report, user=contact)
    draft = ProgressReport.objects.get(project=report.project, kind="periodic", period_start=dt.date(2024, 7, 1))
    ProgressReport.objects.filter(pk=draft.pk).update(status="on_track", done="x")
    for user in (steering_member, ministry_user, other_coordinator):
        with pytest.raises(PermissionDenied):
            progress_report_accept(report=report, user=user)
        with pytest.raises(PermissionDenied):
            progress_report_submit(report=draft, user=user)


def test_a_coordinator_of_the_agreement_may_write_and_submit(report, coordinator):
    _fill(report, coordinator)
    progress_report_submit(report=report, user=coordinator)
    report.refresh_from_db()
    assert report.review_state == "submitted"


@pytest.mark.parametrize("amount", ["-100", "12,345", "1e5", "abc", "10.001"])
def test_spending_that_is_not_a_euro_amount_saves_nothing(report, contact, amount):
    with pytest.raises(ValidationError) as exc:
        progress_report_update(report=report, user=contact, data={"done": "Uusi teksti"},
                               spending=[{"instrument": "ERDF", "amount": amount}])
    assert "spending" in exc.value.message_dict
    report.refresh_from_db()
    assert report.done == "" and not report.spending.exists()


def test_unknown_instrument_is_refused(report, contact):
    with pytest.raises(ValidationError) as exc:
        progress_report_update(report=report, user=contact, data={},
                               spending=[{"instrument": "XYZ", "amount": "1"}])
    assert "spending" in exc.value.message_dict


def test_submit_needs_status_reason_when_not_on_track_and_what_was_done(report, contact):
    with pytest.raises(ValidationError) as exc:
        progress_report_submit(report=report, user=contact)
    assert set(exc.value.message_dict) == {"status", "done"}
    with pytest.raises(ValidationError) as exc:
        progress_report_update(report=report, user=contact, data={"status": "late", "done": "x"})
    assert set(exc.value.message_dict) == {"status_reason"}
    report.refresh_from_db()
    assert report.status == "" and report.review_state == "draft"


def test_an_accepted_report_cannot_be_edited(report, contact, coordinator):
    _fill(report, contact)
    progress_report_submit(report=report, user=contact)
    progress_report_accept(report=report, user=coordinator)
    with pytest.raises(ReportStateError):
        progress_report_update(report=report, user=coordinator, data={"done": "muutos"})

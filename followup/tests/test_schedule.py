"""Due-date generation: periods by frequency, clipped to the project, and the final report."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from followup.models import ProgressReport, ReportingSchedule
from followup.selectors import expected_reports, reporting_periods
from followup.services import progress_report_update, progress_reports_generate, reporting_schedule_set

pytestmark = pytest.mark.django_db

D = dt.date


def _rows(project):  # type: ignore[no-untyped-def]
    return list(ProgressReport.objects.filter(project=project).order_by("kind", "period_start").values_list(
        "kind", "period_start", "period_end", "due_date"))


def test_half_yearly_periods_are_clipped_to_the_project():
    assert reporting_periods(frequency="half", start=D(2024, 3, 15), end=D(2025, 9, 30)) == [
        (D(2024, 3, 15), D(2024, 6, 30)), (D(2024, 7, 1), D(2024, 12, 31)),
        (D(2025, 1, 1), D(2025, 6, 30)), (D(2025, 7, 1), D(2025, 9, 30)),
    ]


def test_quarterly_and_yearly_periods():
    assert reporting_periods(frequency="quarter", start=D(2025, 2, 1), end=D(2025, 8, 15)) == [
        (D(2025, 2, 1), D(2025, 3, 31)), (D(2025, 4, 1), D(2025, 6, 30)), (D(2025, 7, 1), D(2025, 8, 15))]
    assert reporting_periods(frequency="year", start=D(2024, 11, 1), end=D(2025, 1, 31)) == [
        (D(2024, 11, 1), D(2024, 12, 31)), (D(2025, 1, 1), D(2025, 1, 31))]


def test_a_project_within_one_half_year_has_one_period():
    assert reporting_periods(frequency="half", start=D(2025, 7, 1), end=D(2025, 7, 1)) == [
        (D(2025, 7, 1), D(2025, 7, 1))]


def test_generated_reports_are_due_60_days_after_each_period_and_the_final_90_days_after_the_end(project):
    progress_reports_generate(project=project)
    # 30.6.2024 + 60 d = 29.8.2024; 31.12.2024 + 60 d = 1.3.2025 (2025 is not a leap year: 31 Jan + 28 Feb = 59)
    assert _rows(project) == [
        ("final", D(2024, 3, 15), D(2025, 9, 30), D(2025, 12, 29)),  # 30.9. + 90 d: 31 + 30 + 29 = 90
        ("periodic", D(2024, 3, 15), D(2024, 6, 30), D(2024, 8, 29)),
        ("periodic", D(2024, 7, 1), D(2024, 12, 31), D(2025, 3, 1)),
        ("periodic", D(2025, 1, 1), D(2025, 6, 30), D(2025, 8, 29)),
        ("periodic", D(2025, 7, 1), D(2025, 9, 30), D(2025, 11, 29)),
    ]


def test_generation_is_idempotent(project):
    progress_reports_generate(project=project)
    first = _rows(project)
    progress_reports_generate(project=project)
    assert _rows(project) == first and ProgressReport.objects.filter(project=project).count() == 5


def test_a_project_without_dates_owes_no_reports(agreement):
    from tests.factories import ProjectFactory

    project = ProjectFactory(agreement=agreement, start_date=None, end_date=None)
    assert expected_reports(project=project) == []
    assert progress_reports_generate(project=project) == []


def test_changing_the_schedule_replaces_untouched_drafts_and_keeps_written_reports(project, coordinator):
    progress_reports_generate(project=project)
    written = ProgressReport.objects.get(project=project, kind="periodic", period_start=D(2024, 7, 1))
    progress_report_update(report=written, data={"done": "Kirjoitettu."}, user=coordinator)
    reporting_schedule_set(project=project, frequency="year", due_days="30", final_window_days=120,
                           user=coordinator)
    assert _rows(project) == [
        ("final", D(2024, 3, 15), D(2025, 9, 30), D(2026, 1, 28)),  # 30.9.2025 + 120 d
        ("periodic", D(2024, 3, 15), D(2024, 12, 31), D(2025, 1, 30)),
        ("periodic", D(2024, 7, 1), D(2024, 12, 31), D(2025, 3, 1)),  # written: kept as it was
        ("periodic", D(2025, 1, 1), D(2025, 9, 30), D(2025, 10, 30)),
    ]
    assert ReportingSchedule.objects.get(project=project).frequency == "year"


def test_schedule_refuses_bad_input_and_saves_nothing(project, coordinator):
    with pytest.raises(ValidationError) as exc:
        reporting_schedule_set(project=project, frequency="monthly", due_days="sixty", final_window_days=400,
                               user=coordinator)
    assert set(exc.value.message_dict) == {"frequency", "due_days", "final_window_days"}
    assert not ReportingSchedule.objects.filter(project=project).exists()


def test_only_coordinators_of_the_agreement_set_the_schedule(project, contact, other_coordinator):
    from django.core.exceptions import PermissionDenied

    for user in (contact, other_coordinator):
        with pytest.raises(PermissionDenied):
            reporting_schedule_set(project=project, frequency="year", due_days=60, final_window_days=90, user=user)

"""What a summary request must name (audience, agreement, language), that the same summary is not compiled
twice, and that the soft time limit ends the job as failed with its reason (issue 19)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from reporting import rendering
from reporting.choices import ReportStatus
from reporting.models import SummaryReport
from reporting.services import summary_compile, summary_get_or_create

pytestmark = pytest.mark.django_db


def test_national_summary_with_an_agreement_is_refused(agreement):
    with pytest.raises(ValidationError) as exc:
        summary_get_or_create(audience="national", period="2026-H1", agreement=agreement, user=None)
    assert exc.value.message_dict == {
        "agreement": ["The national summary covers every agreement; leave the agreement empty."]}
    assert not SummaryReport.objects.exists()


def test_steering_summary_without_its_agreement_is_refused(agreement):
    with pytest.raises(ValidationError) as exc:
        summary_get_or_create(audience="steering", period="2026-H1", agreement=None, user=None)
    assert exc.value.message_dict == {"agreement": ["A steering-group summary needs its agreement."]}
    assert not SummaryReport.objects.exists()


@pytest.mark.parametrize("language", ["de", "", "FI", "fi-x"])
def test_a_language_the_portal_does_not_speak_is_refused(agreement, language):
    with pytest.raises(ValidationError) as exc:
        summary_get_or_create(audience="steering", period="2026-Q3", agreement=agreement, language=language,
                              user=None)
    assert exc.value.message_dict == {"language": ["Choose Finnish, Swedish or English."]}
    assert not SummaryReport.objects.exists()


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_each_portal_language_is_accepted(agreement, language):
    report, created = summary_get_or_create(audience="steering", period="2026-Q3", agreement=agreement,
                                            language=language, user=None)
    assert created and report.language == language


def test_a_second_request_while_the_first_is_queued_returns_the_same_job(agreement):
    first, created = summary_get_or_create(audience="steering", period="2026-Q3", agreement=agreement, user=None)
    assert created
    second, created_again = summary_get_or_create(audience="steering", period="2026-Q3", agreement=agreement,
                                                  user=None)
    assert (second.pk, created_again) == (first.pk, False)
    assert SummaryReport.objects.count() == 1


@pytest.mark.usefixtures("fast_pdf")
def test_a_duplicate_of_a_compiled_summary_fails_naming_the_version_it_repeats(agreement):
    """Two jobs for the same data (the second made as a deliberate re-run, then turned into a normal request,
    as a race between two requests could leave them): compiling the second is refused, not a second copy."""
    first, _ = summary_get_or_create(audience="steering", period="2026-Q3", agreement=agreement, user=None)
    summary_compile(report_id=first.pk)
    first.refresh_from_db()
    assert first.status == ReportStatus.DONE
    twin, created = summary_get_or_create(audience="steering", period="2026-Q3", agreement=agreement, user=None,
                                          rerun=True)
    assert created
    SummaryReport.objects.filter(pk=twin.pk).update(rerun=False)
    summary_compile(report_id=twin.pk)
    twin.refresh_from_db()
    assert twin.status == ReportStatus.FAILED
    assert twin.error == f"A summary of the same data exists already: version {first.version}."
    assert not twin.pdf_file and not twin.json_file


def test_the_soft_time_limit_ends_the_job_as_failed_with_its_reason(agreement, monkeypatch):
    """Without a worker: the renderer is interrupted as Celery interrupts it at the soft limit. (The same with a
    real prefork worker and real limits: reporting/tests/test_worker.py, in the PostgreSQL + Redis pass.)"""
    from celery.exceptions import SoftTimeLimitExceeded

    report, _ = summary_get_or_create(audience="steering", period="2026-Q3", agreement=agreement, user=None)

    def interrupted(snapshot, language):  # type: ignore[no-untyped-def]
        raise SoftTimeLimitExceeded()

    monkeypatch.setitem(rendering.RENDERERS, "pdf", interrupted)
    with pytest.raises(SoftTimeLimitExceeded):
        summary_compile(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.error == "The compilation took longer than its time limit."
    assert not report.pdf_file and not report.xlsx_file and not report.csv_file and not report.json_file
    assert report.completed_at is not None

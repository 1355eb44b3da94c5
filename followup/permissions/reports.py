"""Who may do what with a progress report. The project's contacts and its agreement's coordinators write and
submit; only the agreement's coordinators review; everyone who sees the project reads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portfolio.permissions import can_edit_agreement_portfolio, can_report_on_project

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from ..models.reports import ProgressReport

    AnyUser = AbstractBaseUser | AnonymousUser

OPEN_STATES = ("draft", "returned")


def can_view_progress_report(user: AnyUser, report: ProgressReport) -> bool:
    from ..models.reports import ProgressReport

    return ProgressReport.objects.visible_to(user).filter(pk=report.pk).exists()


def can_write_progress_reports(user: AnyUser, report: ProgressReport) -> bool:
    """Whether the user is one of the report's writers (whatever its state)."""
    return can_report_on_project(user, report.project)


def can_edit_progress_report(user: AnyUser, report: ProgressReport) -> bool:
    return report.review_state in OPEN_STATES and can_write_progress_reports(user, report)


def can_submit_progress_report(user: AnyUser, report: ProgressReport) -> bool:
    return can_edit_progress_report(user, report)


def can_review_progress_report(user: AnyUser, report: ProgressReport) -> bool:
    return can_edit_agreement_portfolio(user, report.project.agreement_id)

"""Writes about progress reports: the schedule, the expected reports, editing, the review workflow, the
ledger feed of accepted spending, attachments and reminders."""

from __future__ import annotations

import datetime as dt
import logging
import os
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from funding.models import FundingInstrument, SpendingEntry
from funding.services import spending_entry_record
from governance.notifications import outbox_add, outbox_send
from portfolio.models import Notification, Project, ProjectContact
from portfolio.money import parse_amount
from portfolio.notifications import notify
from portfolio.services import attachment_check

from ..errors import ReportStateError
from ..models.reports import (
    ProgressReport,
    ProgressReportAttachment,
    ProgressReportSpending,
    ProgressReportTransition,
    ReminderKind,
    ReportFrequency,
    ReportingSchedule,
    ReportReminder,
    ReportStatus,
    ReviewState,
)
from ..permissions.reports import (
    can_edit_progress_report,
    can_review_progress_report,
    can_write_progress_reports,
)
from ..quantities import parse_quantity
from ..selectors.indicators import report_indicators
from ..selectors.reports import expected_reports, projects_to_schedule, recorded_spending_to

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

RETURNED_NOTIFY_TASK = "followup.progress_report_returned_notify_task"
TEXT_FIELDS = ("status", "status_reason", "done", "next_steps", "risks")


# --- the schedule and the expected reports -------------------------------------------------------------

@transaction.atomic
def reporting_schedule_set(*, project: Project, frequency: str, due_days: Any, final_window_days: Any,
                           user: User | None) -> ReportingSchedule:
    """Set how often a project reports, then regenerate its expected reports."""
    from portfolio.permissions import can_change_project

    if user is not None and not can_change_project(user, project):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if frequency not in ReportFrequency.values:
        errors["frequency"] = [_("Choose how often the project reports.")]
    days: dict[str, int] = {}
    for name, raw in (("due_days", due_days), ("final_window_days", final_window_days)):
        try:
            days[name] = int(str(raw).strip())
        except ValueError:
            errors[name] = [_("Enter a whole number of days.")]
            continue
        if not 0 <= days[name] <= 365:
            errors[name] = [_("Enter a number of days between 0 and 365.")]
    if errors:
        raise ValidationError(errors)
    schedule = ReportingSchedule.objects.select_for_update().filter(project=project).first() or ReportingSchedule(
        project=project)
    schedule.frequency = frequency
    schedule.due_days = days["due_days"]
    schedule.final_window_days = days["final_window_days"]
    schedule._history_user = user  # type: ignore[attr-defined]
    schedule.save()
    progress_reports_generate(project=project)
    return schedule


def _untouched(report: ProgressReport) -> bool:
    return (report.review_state == ReviewState.DRAFT and not any(getattr(report, f) for f in TEXT_FIELDS)
            and not report.spending.exists() and not report.attachments.exists()
            and not report.indicator_values.exists()
            and not report.transitions.exists())


@transaction.atomic
def progress_reports_generate(*, project: Project) -> list[ProgressReport]:
    """Create the reports a project owes (idempotent): missing ones are added as drafts, the due dates of open
    ones follow the schedule, and untouched drafts of periods that no longer exist are removed. Reports
    already written are never removed. Returns the project's reports."""
    Project.objects.select_for_update().filter(pk=project.pk).first()
    expected = {(e.kind, e.period_start): e for e in expected_reports(project=project)}
    existing = {(r.kind, r.period_start): r for r in ProgressReport.objects.filter(project=project)}
    for key, report in existing.items():
        wanted = expected.get(key)
        if wanted is None:
            if _untouched(report):
                report.delete()
            continue
        if report.is_open and (report.period_end, report.due_date) != (wanted.period_end, wanted.due_date):
            report.period_end, report.due_date = wanted.period_end, wanted.due_date
            report.save(update_fields=["period_end", "due_date", "updated_at"])
    for key, wanted in expected.items():
        if key not in existing:
            ProgressReport.objects.create(project=project, kind=wanted.kind, period_start=wanted.period_start,
                                          period_end=wanted.period_end, due_date=wanted.due_date)
    return list(ProgressReport.objects.filter(project=project).order_by("period_start", "kind"))


def progress_reports_generate_all() -> int:
    """Generate the expected reports of every project that owes them; returns how many projects."""
    count = 0
    for project in projects_to_schedule().iterator():
        progress_reports_generate(project=project)
        count += 1
    return count


# --- writing a report ----------------------------------------------------------------------------------

def _lock(report: ProgressReport) -> ProgressReport:
    return ProgressReport.objects.select_for_update(of=("self",)).select_related("project").get(pk=report.pk)


def _state_label(state: str) -> str:
    return str(ReviewState(state).label)


def _parse_spending(rows: Iterable[Mapping[str, Any]]) -> list[tuple[FundingInstrument, Decimal]]:
    instruments = {i.code: i for i in FundingInstrument.objects.all()}
    parsed: list[tuple[FundingInstrument, Decimal]] = []
    messages: list[str] = []
    seen: set[str] = set()
    for row in rows:
        code = str(row.get("instrument") or "").strip().upper()
        raw = row.get("amount")
        if not code and raw in (None, ""):
            continue
        instrument = instruments.get(code)
        if instrument is None:
            messages.append(_("Unknown funding instrument “%(code)s”.") % {"code": code})
            continue
        if code in seen:
            messages.append(_("%(instrument)s is listed twice.") % {"instrument": instrument})
            continue
        seen.add(code)
        try:
            amount = parse_amount(raw)
        except ValidationError as exc:
            messages.extend(f"{instrument}: {m}" for m in exc.messages)
            continue
        parsed.append((instrument, amount))
    if messages:
        raise ValidationError({"spending": messages})
    return parsed


def indicator_field(code: str) -> str:
    """The name under which a report's value of an indicator is given and its errors are reported."""
    return f"indicator_{code}"


def _check_indicator_values(report: ProgressReport, values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every typed value parsed in its indicator's unit, before anything is written (all errors at once)."""
    errors: dict[str, list[str]] = {}
    asked = {row.indicator.code: row.indicator for row in report_indicators(report=report)}
    for code, raw in values.items():
        indicator = asked.get(code)
        if indicator is None:
            errors.setdefault("indicator_values", []).append(
                _("The report does not ask for indicator %(code)s.") % {"code": code})
        elif str(raw or "").strip():
            try:
                parse_quantity(raw, unit=indicator.unit)
            except ValidationError as exc:
                errors[indicator_field(code)] = exc.messages
    return errors


def _save_indicator_values(report: ProgressReport, values: Mapping[str, Any], user: User | None) -> None:
    """Write the report's values through the indicator-value service (the report as their source); an empty
    input removes the report's value. A refusal there (e.g. the project already has a value of that period
    recorded on its page) names the indicator's input."""
    from .indicators import indicator_value_save

    if user is None:
        raise PermissionDenied  # a value is recorded by a person (recorded_by, the history)
    rows = {row.indicator.code: row for row in report_indicators(report=report)}
    for code, raw in values.items():
        row = rows[code]
        if not str(raw or "").strip():
            if row.value is not None:
                row.value.delete()
            continue
        try:
            indicator_value_save(project=report.project, indicator=row.indicator, value=raw,
                                 period_start=report.period_start, period_end=report.period_end,
                                 source_note=_("Progress report %(period)s") % {"period": report.period_label},
                                 user=user, instance=row.value, report=report)
        except ValidationError as exc:
            raise ValidationError({indicator_field(code): exc.messages}) from exc


@transaction.atomic
def progress_report_update(*, report: ProgressReport, data: Mapping[str, Any], user: User | None,
                           spending: Iterable[Mapping[str, Any]] | None = None,
                           indicator_values: Mapping[str, Any] | None = None) -> ProgressReport:
    """Save a draft or returned report's content and, when given, its spending to date (replacing the rows)
    and its indicator values for the period (indicator code → typed value; empty removes the value).
    Nothing is saved when any part is invalid."""
    report = _lock(report)
    if user is not None and not can_write_progress_reports(user, report):
        raise PermissionDenied
    if not report.is_open:
        raise ReportStateError(_("The report is “%(state)s”: it can no longer be edited.")
                               % {"state": _state_label(report.review_state)})
    errors: dict[str, list[str]] = {}
    for name in TEXT_FIELDS:
        if name in data:
            setattr(report, name, str(data[name] or "").strip())
    if report.status and report.status not in ReportStatus.values:
        errors["status"] = [_("Choose the project's status.")]
    if report.status and report.status != ReportStatus.ON_TRACK and not report.status_reason:
        errors["status_reason"] = [_("Say why the project is not on track.")]
    parsed: list[tuple[FundingInstrument, Decimal]] | None = None
    if spending is not None:
        try:
            parsed = _parse_spending(spending)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if indicator_values is not None:
        errors.update(_check_indicator_values(report, indicator_values))
    if errors:
        raise ValidationError(errors)
    report._history_user = user  # type: ignore[attr-defined]
    report.save()
    if parsed is not None:
        report.spending.all().delete()
        ProgressReportSpending.objects.bulk_create(
            [ProgressReportSpending(report=report, instrument=i, amount=a) for i, a in parsed])
    if indicator_values:
        _save_indicator_values(report, indicator_values, user)
    return report


@transaction.atomic
def progress_report_open(*, project: Project, kind: str, period_start: dt.date, user: User | None
                         ) -> ProgressReport:
    """The expected report of a project's period (generating the project's reports first); ValidationError
    when the period is not one of the project's reporting periods."""
    from portfolio.permissions import can_report_on_project

    if user is not None and not can_report_on_project(user, project):
        raise PermissionDenied
    progress_reports_generate(project=project)
    report = ProgressReport.objects.filter(project=project, kind=kind, period_start=period_start).first()
    if report is None:
        raise ValidationError({"period_start": [_("This is not one of the project's reporting periods.")]})
    return report


def _transition(report: ProgressReport, to_state: str, *, user: User | None, comment: str = "") -> None:
    ProgressReportTransition.objects.create(report=report, from_state=report.review_state, to_state=to_state,
                                            by=user, comment=comment)
    report.review_state = to_state
    report._history_user = user  # type: ignore[attr-defined]


def _require_state(report: ProgressReport, allowed: tuple[str, ...], action: str) -> None:
    if report.review_state not in allowed:
        raise ReportStateError(
            _("Cannot %(action)s: the report is “%(state)s”; this is possible only when it is %(allowed)s.")
            % {"action": action, "state": _state_label(report.review_state),
               "allowed": " / ".join(_state_label(s) for s in allowed)},
            code="wrong_state")


@transaction.atomic
def progress_report_submit(*, report: ProgressReport, user: User | None, comment: str = "") -> ProgressReport:
    """Hand a draft or returned report to the coordinators for review (a returned one: resubmit)."""
    report = _lock(report)
    if user is not None and not can_write_progress_reports(user, report):
        raise PermissionDenied
    _require_state(report, (ReviewState.DRAFT, ReviewState.RETURNED), _("submit"))
    errors: dict[str, list[str]] = {}
    if not report.status:
        errors["status"] = [_("Choose the project's status.")]
    elif report.status != ReportStatus.ON_TRACK and not report.status_reason:
        errors["status_reason"] = [_("Say why the project is not on track.")]
    if not report.done:
        errors["done"] = [_("Describe what was done in the period.")]
    if errors:
        raise ValidationError(errors)
    _transition(report, ReviewState.SUBMITTED, user=user, comment=comment.strip())
    report.submitted_at, report.submitted_by = timezone.now(), user
    report.save()
    return report


def _require_reviewer(report: ProgressReport, user: User | None) -> None:
    if user is not None and not can_review_progress_report(user, report):
        raise PermissionDenied


@transaction.atomic
def progress_report_return(*, report: ProgressReport, user: User | None, comment: str) -> ProgressReport:
    """Send a submitted report back to its writers with the coordinator's comments."""
    report = _lock(report)
    _require_reviewer(report, user)
    _require_state(report, (ReviewState.SUBMITTED,), _("return"))
    if not comment.strip():
        raise ValidationError({"comment": [_("Say what must change before the report can be accepted.")]})
    _transition(report, ReviewState.RETURNED, user=user, comment=comment.strip())
    report.reviewed_at, report.reviewed_by, report.review_comment = timezone.now(), user, comment.strip()
    report.save()
    # The contacts are told by e-mail, through the outbox: committed with the return or not at all.
    entry_id = outbox_add(task_name=RETURNED_NOTIFY_TASK, object_id=report.pk)
    transaction.on_commit(lambda: outbox_send(entry_id=entry_id))
    return report


@transaction.atomic
def progress_report_accept(*, report: ProgressReport, user: User | None, comment: str = "") -> ProgressReport:
    """Accept a submitted report; its spending to date feeds the ledger (progress_report_ledger_feed)."""
    report = _lock(report)
    _require_reviewer(report, user)
    _require_state(report, (ReviewState.SUBMITTED,), _("accept"))
    _transition(report, ReviewState.ACCEPTED, user=user, comment=comment.strip())
    report.reviewed_at, report.reviewed_by, report.review_comment = timezone.now(), user, comment.strip()
    report.save()
    progress_report_ledger_feed(report=report, user=user)
    return report


def ledger_reference(report: ProgressReport) -> str:
    return f"PR-{report.pk}"


@transaction.atomic
def progress_report_ledger_feed(*, report: ProgressReport, user: User | None) -> list[SpendingEntry]:
    """Record an accepted report's spending to date in the ledger: per instrument, only what the ledger does
    not hold yet up to the period's year, dated at the period's end (today if it has not ended) and referencing
    the report. Idempotent: a second run finds nothing missing. Where the ledger already holds more (e.g. from
    a payment claim), nothing is recorded: a report does not overrule a claim."""
    report = _lock(report)
    if report.review_state != ReviewState.ACCEPTED:
        raise ValidationError(_("Only an accepted report feeds the ledger."))
    year = report.period_end.year
    entry_date = min(report.period_end, timezone.localdate())
    entries: list[SpendingEntry] = []
    for row in report.spending.select_related("instrument"):
        missing = row.amount - recorded_spending_to(project=report.project, instrument_id=row.instrument_id,
                                                    year=year)
        if missing <= 0:
            continue
        entries.append(spending_entry_record(
            project=report.project, instrument_code=row.instrument.code, year=year, entry_date=entry_date,
            source=SpendingEntry.Source.PROGRESS_REPORT, reference=ledger_reference(report), amount=missing,
            user=user))
    return entries


# --- attachments ---------------------------------------------------------------------------------------

@transaction.atomic
def progress_report_attachment_add(*, report: ProgressReport, upload: Any, user: User | None,
                                   description: str = "") -> ProgressReportAttachment:
    """Store an upload of an open report under a random name, checked like the project's attachments."""
    if user is not None and not can_edit_progress_report(user, report):
        raise PermissionDenied
    ext, content_type = attachment_check(upload=upload)
    original = os.path.basename((upload.name or "").replace("\\", "/"))[:255] or f"file.{ext}"
    attachment = ProgressReportAttachment(report=report, original_name=original, content_type=content_type,
                                          size=upload.size, description=description[:255], uploaded_by=user)
    attachment.file.save(f"{uuid.uuid4().hex}.{ext}", File(upload), save=False)
    attachment._history_user = user  # type: ignore[attr-defined]
    attachment.save()
    return attachment


@transaction.atomic
def progress_report_attachment_delete(*, attachment: ProgressReportAttachment, user: User | None) -> None:
    if user is not None and not can_edit_progress_report(user, attachment.report):
        raise PermissionDenied
    storage, name = attachment.file.storage, attachment.file.name or ""
    attachment._history_user = user  # type: ignore[attr-defined]
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- reminders -----------------------------------------------------------------------------------------

def _contact_users(project: Project) -> list[Any]:
    contacts = ProjectContact.objects.filter(project=project, user__is_active=True).select_related("user")
    return [c.user for c in contacts]


def _contact_addresses(project: Project) -> list[str]:
    return sorted({user.email for user in _contact_users(project) if user.email})


def _reminder_send(report: ProgressReport, kind: str, recipients: list[str], today: dt.date) -> int:
    context = {"report": report, "project": report.project, "kind": kind, "days_left": (report.due_date - today).days,
               "days_over": (today - report.due_date).days,
               "base_url": str(getattr(settings, "PORTAL_BASE_URL", "")).rstrip("/")}
    # The portal keeps no per-user language: reminders go in the default language (Finnish).
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("followup/email/report_reminder_subject.txt", context).strip().replace("\n", " ")
        body = render_to_string("followup/email/report_reminder.txt", context)
    return send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients])


def progress_report_returned_notify(*, report_id: int) -> int:
    """E-mail the project's contacts that their report was returned, with the coordinator's comments and a
    link to the report. Nothing when the report has since been resubmitted or accepted. Returns the count."""
    report = ProgressReport.objects.select_related("project", "reviewed_by").filter(pk=report_id).first()
    if report is None or report.review_state != ReviewState.RETURNED:
        return 0
    notify(users=_contact_users(report.project), kind=Notification.Kind.REPORT_RETURNED,
           url=report.get_absolute_url(), params={"project": report.project.code})
    recipients = _contact_addresses(report.project)
    if not recipients:
        return 0
    context = {"report": report, "project": report.project, "comment": report.review_comment,
               "reviewer": report.reviewed_by.get_full_name() if report.reviewed_by else "",
               "base_url": str(getattr(settings, "PORTAL_BASE_URL", "")).rstrip("/")}
    # The portal keeps no per-user language: the message goes in the default language (Finnish).
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("followup/email/report_returned_subject.txt", context).strip().replace("\n", " ")
        body = render_to_string("followup/email/report_returned.txt", context)
    return send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients])


def progress_report_reminders_send(*, today: dt.date | None = None) -> int:
    """E-mail the contacts of open reports `FOLLOWUP_REMINDER_DAYS_BEFORE` days before the due date, and once
    more when a report is overdue; each kind at most once per report (ReportReminder). A report first seen
    already overdue gets only the overdue reminder. Returns the number of messages sent."""
    today = today or timezone.localdate()
    days_before = int(getattr(settings, "FOLLOWUP_REMINDER_DAYS_BEFORE", 14))
    candidates = (ProgressReport.objects.open().filter(due_date__lte=today + dt.timedelta(days=days_before))
                  .select_related("project").order_by("due_date", "pk"))
    sent = 0
    for candidate in candidates:
        kind = ReminderKind.OVERDUE if candidate.due_date < today else ReminderKind.BEFORE
        if ReportReminder.objects.filter(report=candidate, kind=kind).exists():
            continue
        recipients = _contact_addresses(candidate.project)
        if not recipients:
            continue
        with transaction.atomic():
            report = _lock(candidate)
            if not report.is_open or ReportReminder.objects.filter(report=report, kind=kind).exists():
                continue
            notify(users=_contact_users(report.project), url=report.get_absolute_url(),
                   kind=Notification.Kind.REPORT_OVERDUE if kind == ReminderKind.OVERDUE
                   else Notification.Kind.REPORT_DUE,
                   params={"project": report.project.code, "due": report.due_date.isoformat()})
            count = _reminder_send(report, kind, recipients, today)
            ReportReminder.objects.create(report=report, kind=kind, recipients=count)
        sent += count
    return sent

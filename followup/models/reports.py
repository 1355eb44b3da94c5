"""Progress reports (väliraportit): a project's reporting schedule, its reports per period with their spending
to date, attachments and review transitions, and the reminders sent about them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from portfolio.models import RequestIDHistory
from portfolio.money import MONEY

from ..querysets.reports import ProgressReportQuerySet


class ReportFrequency(models.TextChoices):
    HALF_YEARLY = "half", _("Half-yearly")
    QUARTERLY = "quarter", _("Quarterly")
    YEARLY = "year", _("Yearly")


class ReportKind(models.TextChoices):
    PERIODIC = "periodic", _("Progress report")
    FINAL = "final", _("Final report")


class ReportStatus(models.TextChoices):
    """How the project itself is doing, as its contact reports it."""

    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    LATE = "late", pgettext_lazy("progress status", "Late")


class ReviewState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("report state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("report state", "Submitted")
    RETURNED = "returned", pgettext_lazy("report state", "Returned")
    ACCEPTED = "accepted", pgettext_lazy("report state", "Accepted")


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("Before the due date")
    OVERDUE = "overdue", _("Overdue")


class ReportingSchedule(models.Model):
    """How often a project reports and how long after a period it has: half-yearly by default, aligned with
    the payment-claim periods (1.1–30.6 and 1.7–31.12), due 60 days after the period; the final report 90 days
    after the project's end."""

    project = models.OneToOneField("portfolio.Project", on_delete=models.CASCADE, related_name="reporting_schedule",
                                   verbose_name=_("project"))
    frequency = models.CharField(_("reporting frequency"), max_length=8, choices=ReportFrequency.choices,
                                 default=ReportFrequency.HALF_YEARLY)
    due_days = models.PositiveSmallIntegerField(_("days after the period until due"), default=60)
    final_window_days = models.PositiveSmallIntegerField(_("days after the project's end for the final report"),
                                                         default=90)

    history = HistoricalRecords(bases=[RequestIDHistory])

    class Meta:
        verbose_name = _("reporting schedule")
        verbose_name_plural = _("reporting schedules")

    def __str__(self) -> str:
        return f"{self.project.code}: {self.get_frequency_display()}"


class ProgressReport(models.Model):
    """A project's report on one reporting period (or its final report), from draft to accepted."""

    project = models.ForeignKey("portfolio.Project", on_delete=models.PROTECT, related_name="progress_reports",
                                verbose_name=_("project"))
    kind = models.CharField(_("kind"), max_length=8, choices=ReportKind.choices, default=ReportKind.PERIODIC)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_date = models.DateField(_("due date"), db_index=True)
    review_state = models.CharField(_("review state"), max_length=10, choices=ReviewState.choices,
                                    default=ReviewState.DRAFT, db_index=True)
    status = models.CharField(pgettext_lazy("progress", "status"), max_length=10, choices=ReportStatus.choices,
                              blank=True)
    status_reason = models.TextField(_("reason for the status"), blank=True)
    done = models.TextField(_("what was done"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    risks = models.TextField(_("risks"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProgressReportQuerySet.as_manager()
    history = HistoricalRecords(bases=[RequestIDHistory])

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["project", "period_start", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind", "period_start"],
                                    name="%(app_label)s_%(class)s_unique_period",
                                    violation_error_message=_("The project already has a report for this period.")),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")),
                                   name="%(app_label)s_%(class)s_end_after_start",
                                   violation_error_message=_("The period cannot end before it starts.")),
            models.CheckConstraint(condition=Q(status__in=["", "on_track"]) | ~Q(status_reason=""),
                                   name="%(app_label)s_%(class)s_reason_unless_on_track",
                                   violation_error_message=_("Say why the project is not on track.")),
        ]
        indexes = [models.Index(fields=["review_state", "due_date"], name="progressreport_state_due_idx")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.period_label}"

    def get_absolute_url(self) -> str:
        return reverse("followup:report-detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        start, end = self.period_start, self.period_end
        label = f"{start.day}.{start.month}.{start.year}–{end.day}.{end.month}.{end.year}"
        return f"{self.get_kind_display()} {label}" if self.kind == ReportKind.FINAL else label

    @property
    def is_open(self) -> bool:
        return self.review_state in (ReviewState.DRAFT, ReviewState.RETURNED)


class ProgressReportSpending(models.Model):
    """Spending to date of one instrument, cumulative from the project's start to the period's end."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="spending",
                               verbose_name=_("progress report"))
    instrument = models.ForeignKey("funding.FundingInstrument", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("instrument"))
    amount = models.DecimalField(_("spent to date (€)"), max_digits=MONEY["max_digits"],
                                 decimal_places=MONEY["decimal_places"])

    history = HistoricalRecords(bases=[RequestIDHistory])

    class Meta:
        verbose_name = _("spending to date")
        verbose_name_plural = _("spending to date")
        ordering = ["report", "instrument__code"]
        constraints = [
            models.UniqueConstraint(fields=["report", "instrument"], name="%(app_label)s_%(class)s_unique",
                                    violation_error_message=_("This instrument is already listed.")),
            models.CheckConstraint(condition=Q(amount__gte=0), name="%(app_label)s_%(class)s_not_negative",
                                   violation_error_message=_("An amount cannot be negative.")),
        ]

    def __str__(self) -> str:
        return f"{self.report}: {self.instrument.code} {self.amount}"


class ProgressReportTransition(models.Model):
    """One step of a report's review: who moved it from which state to which, when, with what comment."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="transitions",
                               verbose_name=_("progress report"))
    from_state = models.CharField(_("from"), max_length=10, choices=ReviewState.choices)
    to_state = models.CharField(_("to"), max_length=10, choices=ReviewState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("time"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("report transition")
        verbose_name_plural = _("report transitions")
        ordering = ["report", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.report}: {self.from_state} → {self.to_state}"


def _report_attachment_upload_to(instance: ProgressReportAttachment, filename: str) -> str:
    # `filename` is server-generated (services.progress_report_attachment_add).
    return f"report-attachments/{instance.report_id}/{filename}"


class ProgressReportAttachment(models.Model):
    """A document attached to a progress report, stored like the project's attachments (a random name)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments",
                               verbose_name=_("progress report"))
    file = models.FileField(_("file"), upload_to=_report_attachment_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    description = models.CharField(_("description"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    history = HistoricalRecords(bases=[RequestIDHistory])

    class Meta:
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")
        ordering = ["report", "-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("followup:report-attachment", args=[self.report_id, self.pk])


class ReportReminder(models.Model):
    """A reminder sent about a report: at most one of each kind per report, so none is repeated."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="reminders",
                               verbose_name=_("progress report"))
    kind = models.CharField(_("kind"), max_length=8, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        constraints = [
            models.UniqueConstraint(fields=["report", "kind"], name="%(app_label)s_%(class)s_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.report}: {self.get_kind_display()}"

"""Summary reports (koosteet) for the steering group and TEM's national steering group."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import (
    AnnexAction,
    AnnexFailure,
    AnnexState,
    Audience,
    DeliveryStatus,
    ReportStatus,
    ReviewAction,
    ReviewStatus,
)
from .querysets import ActionPlanVersionQuerySet, FrozenRecordError, SummaryReportQuerySet

PERIOD_REGEX = r"^\d{4}(-Q[1-4]|-H[12])?$"
REPORT_FORMATS = ("pdf", "xlsx", "csv", "json")


class FilesNotReady(Exception):
    """The summary's files are being made again with a newer narrative, or making them failed: the files
    stored lack the narrative last saved, so they are not served (``args[0]``: the files' state)."""


class SummaryReport(models.Model):
    """One compiled summary of one period: its data snapshot and its files. A deliberate re-run is a new
    version; the old one is kept."""

    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    agreement = models.ForeignKey("portfolio.Agreement", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="summary_reports", verbose_name=_("agreement"))
    period = models.CharField(_("period"), max_length=7)
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES, default="fi")
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices,
                              default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.TextField(_("error"), blank=True)
    data_version = models.CharField(_("data version"), max_length=64, blank=True)
    snapshot = models.JSONField(_("data snapshot"), null=True, blank=True)
    pdf_file = models.FileField(_("PDF"), upload_to="reports/", blank=True)
    xlsx_file = models.FileField(_("XLSX"), upload_to="reports/", blank=True)
    csv_file = models.FileField(_("CSV"), upload_to="reports/", blank=True)
    json_file = models.FileField(_("JSON"), upload_to="reports/", blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))
    rerun = models.BooleanField(
        _("deliberate re-run"), default=False,
        help_text=_("A re-run is a new version even when the data has not changed."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True,
                                      help_text=_("When the current compilation attempt started."))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    enqueued_at = models.DateTimeField(
        _("handed to the queue"), null=True, blank=True,
        help_text=_("When the broker took the compile job; empty while it has not (the recovery sweep sends it)."),
    )
    # Review and delivery (issue 18): draft -> approved -> sent. The narrative is written by a coordinator in
    # the summary's language; it is copied into the snapshot (so every file carries it) and frozen on approval.
    review_status = models.CharField(_("review status"), max_length=10, choices=ReviewStatus.choices,
                                     default=ReviewStatus.DRAFT)
    key_messages = models.TextField(_("key messages"), blank=True)
    risks = models.TextField(_("risks"), blank=True)
    asks = models.TextField(_("for the group to note or decide"), blank=True)
    narrative_updated_at = models.DateTimeField(_("narrative saved"), null=True, blank=True)
    narrative_updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                             blank=True, related_name="+", verbose_name=_("narrative saved by"))
    # The files are made again from the snapshot after a narrative save, by a Celery task (it takes seconds):
    # they include the narrative saved at ``files_narrative_at``; until it equals ``narrative_updated_at`` the
    # files are being made, and the summary cannot be approved. A failure is kept here and shown on the page.
    files_narrative_at = models.DateTimeField(_("files made with the narrative saved"), null=True, blank=True)
    files_error = models.TextField(_("error making the files"), blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    correction_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="corrections", verbose_name=_("corrects version"))
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    review_reminded_at = models.DateTimeField(_("coordinators last told of the draft"), null=True, blank=True)
    # The information item on the group's meeting agenda. Approved while the group had no open meeting: the
    # item is added when the next meeting is created or moved ahead (agenda_pending), once.
    agenda_item = models.ForeignKey("governance.AgendaItem", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("agenda item"))
    agenda_pending = models.BooleanField(
        _("waits for the next meeting"), default=False,
        help_text=_("Approved when the steering group had no planned meeting: goes on the next one's agenda."))

    objects = SummaryReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("summary report")
        verbose_name_plural = _("summary reports")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["audience", "agreement", "period", "version"],
                                    condition=Q(agreement__isnull=False),
                                    name="%(app_label)s_%(class)s_unique_version",
                                    violation_error_message=_("This version of the summary exists already.")),
            models.UniqueConstraint(fields=["audience", "period", "version"],
                                    condition=Q(agreement__isnull=True),
                                    name="%(app_label)s_%(class)s_unique_national_version",
                                    violation_error_message=_("This version of the summary exists already.")),
            models.CheckConstraint(condition=Q(period__regex=PERIOD_REGEX),
                                   name="%(app_label)s_%(class)s_period_format",
                                   violation_error_message=_("A period is YYYY, YYYY-Qn or YYYY-Hn.")),
            models.CheckConstraint(
                condition=Q(audience=Audience.NATIONAL, agreement__isnull=True)
                | Q(audience=Audience.STEERING, agreement__isnull=False),
                name="%(app_label)s_%(class)s_audience_matches_agreement",
                violation_error_message=_("A steering-group summary names its agreement; a national one does not."),
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="%(app_label)s_%(class)s_progress_range"),
            models.CheckConstraint(
                condition=Q(review_status=ReviewStatus.DRAFT)
                | Q(approved_at__isnull=False, status=ReportStatus.DONE),
                name="%(app_label)s_%(class)s_approved_is_compiled",
                violation_error_message=_("Only a compiled summary can be approved, and it says when it was."),
            ),
            models.CheckConstraint(
                condition=Q(correction_of__isnull=True) | ~Q(correction_reason=""),
                name="%(app_label)s_%(class)s_correction_has_reason",
                violation_error_message=_("A correction says why it was made."),
            ),
            # Idempotency: one summary per audience, agreement, period, language and data version. Deliberate
            # re-runs and failed attempts are outside the key; a pending row (no data version yet) too.
            models.UniqueConstraint(
                fields=["audience", "agreement", "period", "language", "data_version"],
                condition=Q(agreement__isnull=False, rerun=False) & ~Q(data_version="")
                & ~Q(status=ReportStatus.FAILED),
                name="%(app_label)s_%(class)s_unique_data_version",
                violation_error_message=_("A summary of this period and data exists already."),
            ),
            models.UniqueConstraint(
                fields=["audience", "period", "language", "data_version"],
                condition=Q(agreement__isnull=True, rerun=False) & ~Q(data_version="") & ~Q(status=ReportStatus.FAILED),
                name="%(app_label)s_%(class)s_unique_national_data_version",
                violation_error_message=_("A summary of this period and data exists already."),
            ),
        ]
        indexes = [models.Index(fields=["audience", "period"], name="report_audience_period_idx")]

    def __str__(self) -> str:
        scope = self.agreement or _("all agreements")
        return f"{self.get_audience_display()} {self.period} v{self.version} ({scope})"

    def get_absolute_url(self) -> str:
        return reverse("reporting:detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)

    @property
    def is_frozen(self) -> bool:
        """Approved or sent: the narrative and the files no longer change (a correction is a new version)."""
        return self.review_status != ReviewStatus.DRAFT

    @property
    def files_current(self) -> bool:
        """The files include the narrative last saved (always, before a narrative is saved)."""
        return self.narrative_updated_at is None or self.files_narrative_at == self.narrative_updated_at

    @property
    def files_state(self) -> str:
        """"ready", "making" (the task is making them with the new narrative) or "failed" (files_error)."""
        if self.files_current:
            return "ready"
        return "failed" if self.files_error else "making"

    @property
    def is_settled(self) -> bool:
        """Nothing is being made any more: the summary is done or failed, and its files are not being made
        again (the page polls its state until then)."""
        return self.is_finished and self.files_state != "making"

    @property
    def has_narrative(self) -> bool:
        return bool(self.key_messages.strip() or self.risks.strip() or self.asks.strip())

    def file_for(self, file_format: str) -> models.fields.files.FieldFile | None:
        field = getattr(self, f"{file_format}_file", None) if file_format in REPORT_FORMATS else None
        return field if field else None

    def download_file(self, file_format: str) -> models.fields.files.FieldFile | None:
        """The file to serve in that format (None: the summary has none); FilesNotReady while the stored
        files lack the narrative last saved (being made again, or that failed)."""
        field = self.file_for(file_format)
        if field is not None and self.files_state != "ready":
            raise FilesNotReady(self.files_state)
        return field


class ReportDownload(models.Model):
    """Who downloaded which summary file and when."""

    report = models.ForeignKey(SummaryReport, on_delete=models.PROTECT, related_name="downloads",
                               verbose_name=_("summary report"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                             related_name="+", verbose_name=_("user"))
    file_format = models.CharField(_("format"), max_length=4)
    downloaded_at = models.DateTimeField(_("downloaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("download")
        verbose_name_plural = _("downloads")
        ordering = ["-downloaded_at"]

    def __str__(self) -> str:
        return f"{self.report} {self.file_format} {self.user}"


class SummaryReviewEvent(models.Model):
    """One step of a summary's review and delivery: who did what and when (the summary's history)."""

    report = models.ForeignKey(SummaryReport, on_delete=models.CASCADE, related_name="review_events",
                               verbose_name=_("summary report"))
    action = models.CharField(_("action"), max_length=10, choices=ReviewAction.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), db_index=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("summary review event")
        verbose_name_plural = _("summary review events")
        ordering = ["report", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.report}: {self.action}"


class SummaryDelivery(models.Model):
    """The e-mail of an approved summary to one recipient: queued, sent or failed with the reason."""

    report = models.ForeignKey(SummaryReport, on_delete=models.PROTECT, related_name="deliveries",
                               verbose_name=_("summary report"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("recipient"))
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES, default="fi")
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.QUEUED)
    error = models.TextField(_("reason"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attachments = models.BooleanField(
        _("files attached"), default=False,
        help_text=_("A named recipient whose list entry allows the files as attachments (and only while the "
                    "portal's setting allows it)."))

    class Meta:
        verbose_name = _("summary delivery")
        verbose_name_plural = _("summary deliveries")
        ordering = ["report", "email"]
        constraints = [
            models.UniqueConstraint(fields=["report", "email"], name="%(app_label)s_%(class)s_unique_recipient",
                                    violation_error_message=_("This summary goes to this address once.")),
        ]

    def __str__(self) -> str:
        return f"{self.report} → {self.email} ({self.status})"


class SummaryRecipient(models.Model):
    """An address outside the group's members that also receives the group's approved summaries (e.g. TEM's
    registry for the national summary), kept by the group's coordinators. Never deleted: a removal is dated
    and attributed, so the list keeps its history."""

    group = models.ForeignKey("governance.SteeringGroup", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("steering group"))
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name or organisation"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES, default="fi")
    attachments = models.BooleanField(
        _("may receive the files as attachments"), default=False,
        help_text=_("The summary's PDF is attached to this recipient's e-mail (when the portal's setting allows "
                    "it). Everyone else gets a link that requires sign-in."))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("added by"))
    added_at = models.DateTimeField(_("added"))
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("removed by"))
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("summary recipient")
        verbose_name_plural = _("summary recipients")
        ordering = ["group", "email", "-added_at"]
        constraints = [
            models.UniqueConstraint(fields=["group", "email"], condition=Q(removed_at__isnull=True),
                                    name="%(app_label)s_%(class)s_unique_active",
                                    violation_error_message=_("This address is on the list already.")),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.email}"


class RecipientChange(models.Model):
    """One change to how a group's summaries reach a recipient (the language of a member's or an additional
    recipient's e-mail, or whether the files are attached): who changed what from what to what, and when."""

    class Field(models.TextChoices):
        LANGUAGE = "language", _("Language")
        ATTACHMENTS = "attachments", _("Files as attachments")

    group = models.ForeignKey("governance.SteeringGroup", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("steering group"))
    recipient = models.ForeignKey(SummaryRecipient, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="changes", verbose_name=_("additional recipient"))
    membership = models.ForeignKey("governance.Membership", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("member"))
    email = models.CharField(_("e-mail address"), max_length=254)
    field = models.CharField(_("changed"), max_length=12, choices=Field.choices)
    old_value = models.CharField(_("before"), max_length=12, blank=True)
    new_value = models.CharField(_("after"), max_length=12, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("by"))
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("recipient change")
        verbose_name_plural = _("recipient changes")
        ordering = ["group", "-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.group}: {self.email} {self.field} {self.old_value} → {self.new_value}"

    def _label(self, value: str) -> str:
        if self.field == self.Field.ATTACHMENTS:
            return str(_("yes") if value == "1" else _("no"))
        return str(dict(settings.LANGUAGES).get(value) or _("not set (Finnish)"))

    @property
    def old_label(self) -> str:
        return self._label(self.old_value)

    @property
    def new_label(self) -> str:
        return self._label(self.new_value)


class OperationsList(models.Model):
    """A published edition of the public list of operations (Regulation (EU) 2021/1060, Article 49(3)): the
    rows as they were published, so that the page and the files say the same thing until the next edition.
    A beat task publishes a new edition monthly (the Regulation asks for at least every four months)."""

    published_at = models.DateTimeField(_("published"), auto_now_add=True, db_index=True)
    rows = models.JSONField(_("rows"), default=list)
    row_count = models.PositiveIntegerField(_("number of operations"), default=0)

    class Meta:
        verbose_name = _("list of operations")
        verbose_name_plural = _("lists of operations")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.published_at:%Y-%m-%d} ({self.row_count})"


class PortfolioImport(models.Model):
    """One spreadsheet uploaded for import (issue 14): the file as it was, its dry-run report and whether it
    was imported, by whom and when. The changes themselves are in the projects' and organisations' history,
    attributed to the same user."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be checked")
        CHECKED = "checked", _("Checked")
        IMPORTING = "importing", _("Being imported")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed")

    agreement = models.ForeignKey("portfolio.Agreement", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("agreement"))
    file = models.FileField(_("file"), upload_to="imports/")
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    report = models.JSONField(_("validation report"), default=dict)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.TextField(_("error"), blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                    blank=True, verbose_name=_("imported by"))

    class Meta:
        verbose_name = _("portfolio import")
        verbose_name_plural = _("portfolio imports")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.uploaded_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("reporting:import-detail", args=[self.pk])

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.IMPORTING)


ACTION_PLAN_LANGUAGES = ("fi", "sv", "en")


class ActionPlanVersion(models.Model):
    """One numbered version of an agreement's action-plan annex (toimenpidesuunnitelma), generated from the
    portfolio: the data as it stood (``snapshot``) and its PDF in each language. Its content is frozen once
    generated: a newer version is a new row, the older ones stay downloadable unchanged. The PDFs are made by a
    task after the version is generated (``state``: making → ready, or failed and made again on request); once
    ready they never change either."""

    agreement = models.ForeignKey("portfolio.Agreement", on_delete=models.PROTECT,
                                  related_name="action_plan_versions", verbose_name=_("agreement"))
    number = models.PositiveSmallIntegerField(_("version"))
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    reason = models.TextField(_("reason"), blank=True)
    snapshot = models.JSONField(_("data snapshot"))
    pdf_fi = models.FileField(_("PDF in Finnish"), upload_to="action-plan/", blank=True)
    pdf_sv = models.FileField(_("PDF in Swedish"), upload_to="action-plan/", blank=True)
    pdf_en = models.FileField(_("PDF in English"), upload_to="action-plan/", blank=True)
    state = models.CharField(_("state"), max_length=10, choices=AnnexState.choices, default=AnnexState.MAKING)
    failure = models.CharField(_("failure"), max_length=10, choices=AnnexFailure.choices, blank=True)
    failure_detail = models.TextField(_("failure detail"), blank=True)
    made_at = models.DateTimeField(_("PDFs made"), null=True, blank=True)

    objects = ActionPlanVersionQuerySet.as_manager()

    # What the task that makes the PDFs writes; everything else is frozen from the start.
    RENDER_FIELDS = frozenset({"pdf_fi", "pdf_sv", "pdf_en", "state", "failure", "failure_detail", "made_at"})

    class Meta:
        verbose_name = _("action-plan annex version")
        verbose_name_plural = _("action-plan annex versions")
        ordering = ["agreement", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="%(app_label)s_%(class)s_unique_number",
                                    violation_error_message=_("This agreement already has an annex version "
                                                              "with this number.")),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} – {self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        """A new version is saved once; afterwards only its PDFs and their state, named in ``update_fields``,
        and only until they are ready."""
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if not fields or not set(fields) <= self.RENDER_FIELDS:  # type: ignore[call-overload]
                raise FrozenRecordError("an annex version is frozen")
            if type(self).objects.filter(pk=self.pk, state=AnnexState.READY).exists():
                raise FrozenRecordError("an annex version's PDFs are frozen once made")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise FrozenRecordError("an annex version is frozen")

    def pdf(self, language: str) -> models.fields.files.FieldFile:
        return getattr(self, f"pdf_{language}")

    @property
    def is_ready(self) -> bool:
        return self.state == AnnexState.READY

    @property
    def is_making(self) -> bool:
        return self.state == AnnexState.MAKING

    @property
    def failure_reason(self) -> str:
        """Why making the PDFs failed, in the reader's language, with the technical detail after it."""
        if self.state != AnnexState.FAILED:
            return ""
        label = str(AnnexFailure(self.failure).label) if self.failure else str(AnnexFailure.ERROR.label)
        return f"{label}: {self.failure_detail}" if self.failure_detail else f"{label}."


class ActionPlanVersionEvent(models.Model):
    """Who did what to an annex version and when: generated it, its PDFs made or failed, asked to make them
    again (shown in the action plan's change history)."""

    version = models.ForeignKey(ActionPlanVersion, on_delete=models.PROTECT, related_name="events",
                                verbose_name=_("annex version"))
    action = models.CharField(_("action"), max_length=12, choices=AnnexAction.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("annex version event")
        verbose_name_plural = _("annex version events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.version} {self.action} {self.at:%Y-%m-%d %H:%M}"

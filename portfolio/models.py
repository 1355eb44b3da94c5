"""The agreement and its portfolio: parties, priorities, method categories, organisations and projects."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .choices import AgreementStatus, OrganisationKind, PartyRole, ProjectStatus, SecurityEventKind
from .i18n import SourceLanguageColumns
from .querysets import AgreementQuerySet, ApiTokenQuerySet, ProjectQuerySet, ThemeQuerySet
from .validators import validate_business_id


class RequestIDHistory(models.Model):
    """Base of every history model: the request (X-Request-ID) that made the change, so a history row can be
    matched with the security log and the server logs. Filled by portfolio.audit (pre_create_historical_record)."""

    request_id = models.CharField(_("request ID"), max_length=64, blank=True, default="")

    class Meta:
        abstract = True


class Agreement(SourceLanguageColumns, models.Model):
    """An innovation ecosystem agreement between the State and a city region; the tenant boundary."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    region = models.CharField(_("city region"), max_length=120)
    status = models.CharField(
        _("status"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    programme = models.CharField(
        _("structural-fund programme"), max_length=200, blank=True,
        default="Uudistuva ja osaava Suomi 2021–2027",
    )
    description = models.TextField(_("description"), blank=True)

    objects = AgreementQuerySet.as_manager()
    # History is registered in translation.py, after the per-language fields exist.

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")),
                name="%(app_label)s_%(class)s_valid_until_after_from",
                violation_error_message=_("The end of validity cannot be before its start."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def years(self) -> range:
        return range(self.valid_from.year, self.valid_until.year + 1)

    @property
    def project_code_prefix(self) -> str:
        """The prefix of the agreement's project codes: the initials of the words of its code
        ("helsinki-espoo-vantaa-2021-2027" → "HEV", as in HEV-KOORD and HEV-001)."""
        return "".join(word[0] for word in self.code.split("-") if word[:1].isalpha()).upper() or "P"


class AgreementRevision(models.Model):
    """A written revision of an agreement or of its action-plan annex."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="revisions",
                                  verbose_name=_("agreement"))
    number = models.PositiveSmallIntegerField(_("revision number"))
    signed_on = models.DateField(_("signed on"))
    description = models.TextField(_("what changed"))

    class Meta:
        verbose_name = _("agreement revision")
        verbose_name_plural = _("agreement revisions")
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "number"], name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("This agreement already has a revision with this number."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} – {self.number}"


class Organisation(SourceLanguageColumns, models.Model):
    """A city, university, research institute, company, public body or ministry."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=OrganisationKind.choices)
    business_id = models.CharField(
        _("business ID"), max_length=9, blank=True, validators=[validate_business_id],
        help_text=_("Finnish business ID (Y-tunnus), e.g. 0201256-6."),
    )
    municipality = models.CharField(_("municipality"), max_length=80, blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["business_id"], condition=~Q(business_id=""),
                name="%(app_label)s_%(class)s_unique_business_id",
                violation_error_message=_("An organisation with this business ID already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portfolio:organisation-detail", args=[self.pk])


class AgreementParty(models.Model):
    """An organisation's part in an agreement: contracting party or cooperating ministry."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties",
                                  verbose_name=_("agreement"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="agreement_parts",
                                     verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=12, choices=PartyRole.choices)

    class Meta:
        verbose_name = _("agreement party")
        verbose_name_plural = _("agreement parties")
        ordering = ["agreement", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "organisation"],
                                    name="%(app_label)s_%(class)s_unique_party"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class AgreementAccess(models.Model):
    """Which agreements a (non-ministry) user works on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="agreement_access", verbose_name=_("user"))
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="access",
                                  verbose_name=_("agreement"))

    class Meta:
        verbose_name = _("agreement access")
        verbose_name_plural = _("agreement access")
        constraints = [
            models.UniqueConstraint(fields=["user", "agreement"], name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.agreement}"


class Priority(SourceLanguageColumns, models.Model):
    """A strategic priority (painopiste) of an agreement, code 1–4."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="priorities",
                                  verbose_name=_("agreement"))
    code = models.PositiveSmallIntegerField(_("code"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(
        _("description"), blank=True,
        help_text=_("The priority's description in the action-plan annex (toimenpidesuunnitelma)."),
    )
    is_open = models.BooleanField(
        _("open priority"), default=False,
        help_text=_("The 'new openings' priority, which must receive less funding than each of the others."),
    )

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["agreement", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "code"], name="%(app_label)s_%(class)s_unique_code",
                                    violation_error_message=_("This agreement already has this priority.")),
            models.CheckConstraint(condition=Q(code__gte=1, code__lte=4),
                                   name="%(app_label)s_%(class)s_code_range",
                                   violation_error_message=_("A priority code is 1–4.")),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class MethodCategory(SourceLanguageColumns, models.Model):
    """A method category (menetelmällinen kategoria), code 1–3, shared by all agreements."""

    code = models.PositiveSmallIntegerField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("method category")
        verbose_name_plural = _("method categories")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__gte=1, code__lte=3),
                                   name="%(app_label)s_%(class)s_code_range",
                                   violation_error_message=_("A method category code is 1–3.")),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class Theme(SourceLanguageColumns, models.Model):
    """A theme of an agreement's action plan (e.g. 'mobility experiments'), listed under one of its
    priorities; projects are linked to the themes of their own agreement. A theme without a priority is
    still usable as a tag: it waits to be placed in the action plan."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="themes",
                                  verbose_name=_("agreement"))
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="themes", verbose_name=pgettext_lazy("strategic", "priority"))
    slug = models.SlugField(_("identifier"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("order"), default=0,
                                                help_text=_("Order of the theme under its priority."))
    # Optimistic concurrency, as for projects: theme_save refuses a save started from an older version.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["agreement", "priority__code", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "slug"], name="%(app_label)s_%(class)s_unique_slug",
                                    violation_error_message=_("This agreement already has a theme with this "
                                                              "identifier.")),
        ]

    def __str__(self) -> str:
        return self.name


class Project(SourceLanguageColumns, models.Model):
    """A development project of an agreement's portfolio, from idea to closure."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="projects",
                                  verbose_name=_("agreement"))
    code = models.CharField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=255)
    summary = models.TextField(_("summary"), blank=True)
    lead_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="led_projects",
                                          verbose_name=_("lead implementer"))
    partners = models.ManyToManyField(Organisation, through="ProjectPartner", related_name="partner_projects",
                                      blank=True, verbose_name=_("co-implementers"))
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="projects",
                                 verbose_name=pgettext_lazy("strategic", "priority"))
    methods = models.ManyToManyField(MethodCategory, related_name="projects",
                                     verbose_name=_("method categories"))
    themes = models.ManyToManyField(Theme, related_name="projects", blank=True, verbose_name=_("themes"))
    status = models.CharField(_("status"), max_length=12, choices=ProjectStatus.choices,
                              default=ProjectStatus.IDEA, db_index=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    internationalisation = models.TextField(_("internationalisation"), blank=True)
    is_coordination_project = models.BooleanField(_("coordination project"), default=False)
    is_supra_regional = models.BooleanField(
        _("supra-regional theme network"), default=False,
        help_text=_("Supra-regional theme-network projects may use their own funding split."),
    )
    eura_code = models.CharField(_("EURA project code"), max_length=20, blank=True)
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="coordinated_projects", verbose_name=_("responsible coordinator"))
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["agreement", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "code"], name="%(app_label)s_%(class)s_unique_code",
                                    violation_error_message=_("This agreement already has a project with this code.")),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]
        indexes = [
            models.Index(fields=["agreement", "status"], name="project_agreement_status_idx"),
            models.Index(fields=["end_date"], name="project_end_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("portfolio:project-detail", args=[self.pk])


class ProjectPartner(models.Model):
    """A co-implementer (osatoteuttaja) of a project with its own share of the budget."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partnerships",
                                verbose_name=_("project"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="partnerships",
                                     verbose_name=_("organisation"))
    budget_share = models.DecimalField(_("budget share (€)"), max_digits=14, decimal_places=2, default=0)

    history = HistoricalRecords(bases=[RequestIDHistory])

    class Meta:
        verbose_name = _("co-implementer")
        verbose_name_plural = _("co-implementers")
        ordering = ["project", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"], name="%(app_label)s_%(class)s_unique",
                                    violation_error_message=_("This organisation is already a co-implementer.")),
            models.CheckConstraint(condition=Q(budget_share__gte=0),
                                   name="%(app_label)s_%(class)s_share_not_negative",
                                   violation_error_message=_("A budget share cannot be negative.")),
        ]

    def __str__(self) -> str:
        return f"{self.project.code}: {self.organisation}"


class ProjectContact(models.Model):
    """A project contact (hankkeen yhteyshenkilö): a person who reports on one project, for its lead
    implementer or a co-implementer. A contact sees and reports on their own projects only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_contacts",
                             verbose_name=_("user"))
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="contacts",
                                verbose_name=_("project"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("organisation"),
                                     help_text=_("The lead implementer or the co-implementer the person reports for."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords(bases=[RequestIDHistory])

    class Meta:
        verbose_name = _("project contact")
        verbose_name_plural = _("project contacts")
        ordering = ["project", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "project"], name="%(app_label)s_%(class)s_unique",
                                    violation_error_message=_("This person is already a contact of the project.")),
        ]

    def __str__(self) -> str:
        return f"{self.project.code}: {self.user}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.organisation_id and self.project_id:
            allowed = {self.project.lead_organisation_id,
                       *self.project.partnerships.values_list("organisation_id", flat=True)}
            if self.organisation_id not in allowed:
                raise ValidationError({"organisation": _(
                    "Choose the project's lead implementer or one of its co-implementers.")})


def _attachment_upload_to(instance: ProjectAttachment, filename: str) -> str:
    # `filename` is already server-generated (services.attachment_add); the user's name is only metadata.
    return f"project-attachments/{instance.project_id}/{filename}"


class ProjectAttachment(models.Model):
    """A document of a project (plan, progress report, decision copy). Stored under a server-generated
    name; the original name is kept only for display and the download's file name."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="attachments",
                                verbose_name=_("project"))
    file = models.FileField(_("file"), upload_to=_attachment_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    description = models.CharField(_("description"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    history = HistoricalRecords(bases=[RequestIDHistory])

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["project", "-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("portfolio:attachment-download", args=[self.project_id, self.pk])


class SecurityEvent(models.Model):
    """One entry of the security audit log (sign-ins, lock-outs, denials, downloads, exports, imports).
    Append-only for the application: written only by ``portfolio.audit.security_event_record``, read-only in the
    admin, and purged only by ``audit_purge`` after ``AUDIT_RETENTION_DAYS``. Never holds a password or token."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=20, choices=SecurityEventKind.choices, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("user"))
    # The name as given (a failed sign-in has no user) or the user's name at the time.
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)
    method = models.CharField(_("method"), max_length=10, blank=True)
    path = models.CharField(_("path"), max_length=255, blank=True)
    request_id = models.CharField(_("request ID"), max_length=64, blank=True, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"], name="securityevent_user_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"


class Notification(models.Model):
    """A notification inside the portal for one user (besides e-mail): a decision recorded, an agenda
    published, a progress report due or returned. The text is rendered when it is read, in the reader's
    language, from ``kind`` and ``params`` (names and titles as they were); ``url`` opens the object."""

    class Kind(models.TextChoices):
        PROPOSAL_SUBMITTED = "proposal_submitted", _("Proposal submitted")
        AGENDA_PUBLISHED = "agenda_published", _("Agenda published")
        DECISION_RECORDED = "decision_recorded", _("Decision recorded")
        REPORT_DUE = "report_due", _("Progress report due")
        REPORT_OVERDUE = "report_overdue", _("Progress report overdue")
        REPORT_RETURNED = "report_returned", _("Progress report returned")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    params = models.JSONField(_("details"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_user_unread_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.created_at:%Y-%m-%d}"

    def message(self) -> str:
        """The text in the active language; a missing detail shows as empty rather than failing."""
        template = NOTIFICATION_TEXTS.get(self.kind, _("Notification"))
        params = {key: "" for key in ("title", "project", "meeting", "due")} | {
            k: str(v) for k, v in (self.params or {}).items()}
        try:  # a date is kept as ISO and shown in the reader's format
            params["due"] = formats.date_format(dt.date.fromisoformat(params["due"]), "SHORT_DATE_FORMAT")
        except ValueError:
            pass
        return str(template) % params


NOTIFICATION_TEXTS = {
    Notification.Kind.PROPOSAL_SUBMITTED: _("Proposal “%(title)s” of %(project)s was submitted to the steering group."),
    Notification.Kind.AGENDA_PUBLISHED: _("The agenda of “%(meeting)s” was published."),
    Notification.Kind.DECISION_RECORDED: _("A decision was recorded on “%(title)s” (%(project)s)."),
    Notification.Kind.REPORT_DUE: _("The progress report of %(project)s is due on %(due)s."),
    Notification.Kind.REPORT_OVERDUE: _("The progress report of %(project)s was due on %(due)s and is overdue."),
    Notification.Kind.REPORT_RETURNED: _("The progress report of %(project)s was returned for changes."),
}


class SavedView(models.Model):
    """A user's saved filters of a list (the project list's query string), by name: "my views"."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views",
                             verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="portfolio_savedview_name_per_user",
                                               violation_error_message=_("You already have a view with this name."))]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal API token of one user (`Authorization: Token <key>`), created and revoked by the user on
    their token page. Only the SHA-256 of the key is stored (the key is 256 random bits, so a fast hash is
    enough); the key itself is shown once, when it is created. Revoked tokens are kept for the record."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    # The first characters of the key, so the user can tell their tokens apart; not enough to use one.
    prefix = models.CharField(_("prefix"), max_length=16)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"], condition=Q(revoked_at__isnull=True),
                name="%(app_label)s_%(class)s_name_unique_per_user",
                violation_error_message=_("You already have a token with this name."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


class DataVersion(models.Model):
    """The one row whose token changes with every write to portfolio, funding, governance or follow-up data
    (database triggers, ``portfolio.dataversion``): cached dashboard figures are keyed by it."""

    token = models.CharField(_("token"), max_length=64)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return self.token


from .asof_models import AsOfProject, AsOfProjectMethod, AsOfProjectTheme  # noqa: E402,F401  (point-in-time views of the history)

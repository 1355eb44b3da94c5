"""Steering groups, their meetings, proposals and decisions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from funding.models import MONEY
from portfolio.i18n import SourceLanguageColumns

from .choices import (
    CriterionAnswer,
    DecisionMethod,
    DecisionOutcome,
    GroupKind,
    IdeaStage,
    MeetingStatus,
    MemberRole,
    ProposalStatus,
)
from .errors import PermanentRecordError as PermanentRecordError
from .querysets import (
    DecisionChildQuerySet,
    DecisionQuerySet,
    MeetingQuerySet,
    MembershipQuerySet,
    ProjectIdeaQuerySet,
    ProposalQuerySet,
    SteeringGroupQuerySet,
)


class SteeringGroup(SourceLanguageColumns, models.Model):
    """An agreement's steering group (johtoryhmä) or the national steering group (no agreement)."""

    kind = models.CharField(_("kind"), max_length=10, choices=GroupKind.choices)
    agreement = models.ForeignKey("portfolio.Agreement", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="steering_groups", verbose_name=_("agreement"))
    name = models.CharField(_("name"), max_length=200)
    quorum = models.PositiveSmallIntegerField(_("quorum"), default=3,
                                              help_text=_("Members present needed for a decision."))

    objects = SteeringGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("steering group")
        verbose_name_plural = _("steering groups")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=GroupKind.NATIONAL, agreement__isnull=True)
                | Q(kind=GroupKind.REGIONAL, agreement__isnull=False),
                name="%(app_label)s_%(class)s_kind_matches_agreement",
                violation_error_message=_("An agreement's group needs its agreement; the national group has none."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's seat in a steering group for a term, possibly as a substitute of another member."""

    group = models.ForeignKey(SteeringGroup, on_delete=models.CASCADE, related_name="memberships",
                              verbose_name=_("steering group"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships",
                             verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    organisation = models.ForeignKey("portfolio.Organisation", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("represents"))
    substitute_for = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="substitutes", verbose_name=_("substitute for"))
    term_start = models.DateField(_("term starts"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["group", "role", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="%(app_label)s_%(class)s_unique"),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_start__isnull=True) | Q(term_end__gte=F("term_start")),
                name="%(app_label)s_%(class)s_term_end_after_start",
                violation_error_message=_("A term cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.group} ({self.get_role_display()})"


class Meeting(models.Model):
    """A steering-group meeting: agenda, attendance and minutes."""

    group = models.ForeignKey(SteeringGroup, on_delete=models.PROTECT, related_name="meetings",
                              verbose_name=_("steering group"))
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus.choices,
                              default=MeetingStatus.PLANNED)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="attended_meetings",
                                       verbose_name=_("attendees"))
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_confirmed_at = models.DateTimeField(_("minutes confirmed"), null=True, blank=True)
    minutes_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                             blank=True, related_name="+", verbose_name=_("minutes confirmed by"))
    agenda_published_at = models.DateTimeField(_("agenda published"), null=True, blank=True)
    agenda_published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                            blank=True, related_name="+", verbose_name=_("agenda published by"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.group} {self.starts_at:%d.%m.%Y}"

    # Confirmed minutes are part of the permanent record (see Decision.save).
    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk and Meeting.objects.filter(pk=self.pk, status=MeetingStatus.MINUTES_CONFIRMED).exists():
            raise PermanentRecordError(_("The minutes of this meeting are confirmed; the meeting is a permanent "
                                         "record and cannot be changed."))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("governance:meeting-detail", args=[self.pk])

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.pk and Meeting.objects.filter(pk=self.pk, status=MeetingStatus.MINUTES_CONFIRMED).exists():
            raise PermanentRecordError(_("The minutes of this meeting are confirmed; the meeting is a permanent "
                                         "record and cannot be deleted."))
        return super().delete(*args, **kwargs)

    @property
    def is_confirmed(self) -> bool:
        return self.status == MeetingStatus.MINUTES_CONFIRMED


class Proposal(models.Model):
    """A project proposal (hanke-esitys) put to a steering group for decision."""

    project = models.ForeignKey("portfolio.Project", on_delete=models.PROTECT, related_name="proposals",
                                verbose_name=_("project"))
    title = models.CharField(_("title"), max_length=255)
    plan = models.TextField(_("project plan"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ProposalStatus.choices,
                              default=ProposalStatus.DRAFT, db_index=True)
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="proposals", verbose_name=_("meeting"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    criteria = models.ForeignKey("ApplicationCriteria", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="proposals", verbose_name=_("application criteria"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[ProposalStatus.ON_AGENDA, ProposalStatus.DECIDED], meeting__isnull=False)
                | ~Q(status__in=[ProposalStatus.ON_AGENDA, ProposalStatus.DECIDED]),
                name="%(app_label)s_%(class)s_agenda_has_meeting",
                violation_error_message=_("A proposal on an agenda or decided belongs to a meeting."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:proposal-detail", args=[self.pk])


class ProposalFundingLine(models.Model):
    """Funding requested by a proposal from one instrument in one year."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="funding_lines",
                                 verbose_name=_("proposal"))
    instrument = models.ForeignKey("funding.FundingInstrument", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("instrument"))
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (€)"), **MONEY)

    class Meta:
        verbose_name = _("requested funding")
        verbose_name_plural = _("requested funding")
        ordering = ["proposal", "year", "instrument__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "instrument", "year"],
                                    name="%(app_label)s_%(class)s_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="%(app_label)s_%(class)s_amount_not_negative",
                                   violation_error_message=_("Amounts cannot be negative.")),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} {self.instrument.code} {self.year}"


class Decision(models.Model):
    """A steering group's decision on a proposal. Permanent once the meeting's minutes are confirmed;
    a correction is a new decision that refers to the one it corrects."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="decisions",
                                 verbose_name=_("proposal"))
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions",
                                verbose_name=_("meeting"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=DecisionOutcome.choices)
    method = models.CharField(_("reached by"), max_length=10, choices=DecisionMethod.choices,
                              default=DecisionMethod.CONSENSUS)
    votes_for = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    rationale = models.TextField(_("rationale"), blank=True)
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="corrections", verbose_name=_("corrects"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    related_name="+", verbose_name=_("recorded by"))
    decided_at = models.DateTimeField(_("decided at"))
    # The decision's date is its meeting's date (not the moment it was typed in): periods count it there.
    decided_on = models.DateField(_("decision date"), db_index=True, blank=True,
                                  help_text=_("The date of the meeting that took the decision."))

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(method=DecisionMethod.CONSENSUS, votes_for__isnull=True, votes_against__isnull=True)
                | Q(method=DecisionMethod.VOTE, votes_for__isnull=False, votes_against__isnull=False),
                name="%(app_label)s_%(class)s_votes_match_method",
                violation_error_message=_("A vote records its counts; a consensus decision has none."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} – {self.get_outcome_display()}"

    # The permanent record is guarded here as well as in the services, so that no path (admin, shell,
    # API, a forgotten view) can rewrite a confirmed decision. It is integrity, not business logic.
    def save(self, *args: Any, **kwargs: Any) -> None:
        stored_meeting = (Decision.objects.filter(pk=self.pk).values_list("meeting_id", flat=True).first()
                          if self.pk else None)
        if Meeting.objects.filter(pk__in=[self.meeting_id, stored_meeting],
                                  status=MeetingStatus.MINUTES_CONFIRMED).exists():
            raise PermanentRecordError()
        if self.decided_on is None and self.meeting_id:
            # Derived, not a rule: a decision is dated by its meeting whichever path writes it.
            from django.utils import timezone

            starts_at = Meeting.objects.filter(pk=self.meeting_id).values_list("starts_at", flat=True).first()
            if starts_at is not None:
                self.decided_on = timezone.localdate(starts_at)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.pk and Decision.objects.filter(pk=self.pk).permanent().exists():
            raise PermanentRecordError()
        return super().delete(*args, **kwargs)

    @property
    def is_permanent(self) -> bool:
        """Whether the minutes of the decision's meeting are confirmed (as stored, not as in memory)."""
        return Meeting.objects.filter(pk=self.meeting_id, status=MeetingStatus.MINUTES_CONFIRMED).exists()


class _DecisionChild(models.Model):
    """Rows that belong to a decision share its permanence."""

    objects = DecisionChildQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if Decision.objects.filter(pk=self.decision_id).permanent().exists():
            raise PermanentRecordError()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if Decision.objects.filter(pk=self.decision_id).permanent().exists():
            raise PermanentRecordError()
        return super().delete(*args, **kwargs)


class DecisionFundingLine(_DecisionChild):
    """Funding approved by a decision from one instrument in one year (may differ from the request)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="funding_lines",
                                 verbose_name=_("decision"))
    instrument = models.ForeignKey("funding.FundingInstrument", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("instrument"))
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (€)"), **MONEY)

    class Meta:
        verbose_name = _("approved funding")
        verbose_name_plural = _("approved funding")
        ordering = ["decision", "year"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "instrument", "year"],
                                    name="%(app_label)s_%(class)s_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="%(app_label)s_%(class)s_amount_not_negative",
                                   violation_error_message=_("Amounts cannot be negative.")),
        ]

    def __str__(self) -> str:
        return f"{self.decision} {self.instrument.code} {self.year}"


class Recusal(_DecisionChild):
    """A member who stepped aside from a decision for a conflict of interest (esteellisyys)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="recusals",
                                 verbose_name=_("decision"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("member"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("recusal")
        verbose_name_plural = _("recusals")
        constraints = [
            models.UniqueConstraint(fields=["decision", "user"], name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.decision}"


class ApplicationCriteria(models.Model):
    """A version of the application criteria (hakukriteerit) that a steering group defines together with
    the funding authority: the text and a checklist each proposal is assessed against. Versions are never
    rewritten once proposals use them; a change is a new version."""

    group = models.ForeignKey(SteeringGroup, on_delete=models.CASCADE, related_name="criteria_versions",
                              verbose_name=_("steering group"))
    version = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("criteria text"), blank=True)
    valid_from = models.DateField(_("valid from"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("application criteria")
        verbose_name_plural = _("application criteria")
        ordering = ["group", "-version"]
        get_latest_by = "version"
        constraints = [
            models.UniqueConstraint(fields=["group", "version"], name="%(app_label)s_%(class)s_unique_version",
                                    violation_error_message=_("This group already has criteria with this version.")),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class CriteriaInUseError(ValidationError):
    """Raised when something tries to rewrite a criterion that proposals have been assessed against."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or _("This criterion has been used in proposal assessments and cannot be changed: create a new "
                 "version of the application criteria instead."),
            code="criteria_in_use",
        )


class CriteriaItemQuerySet(models.QuerySet):
    def used(self) -> CriteriaItemQuerySet:
        """Items some proposal has been assessed against."""
        return self.filter(pk__in=ProposalAssessment.objects.values("item_id"))

    # Bulk writes bypass save(); they must not be a way around the immutability of used items.
    def update(self, **kwargs: Any) -> int:
        if self.used().exists():
            raise CriteriaInUseError()
        return super().update(**kwargs)


class CriteriaItem(models.Model):
    """One line of a criteria checklist. Immutable once a proposal has been assessed against it (as is its
    version's checklist): the assessment must keep meaning what it meant; a change is a new version."""

    criteria = models.ForeignKey(ApplicationCriteria, on_delete=models.CASCADE, related_name="items",
                                 verbose_name=_("application criteria"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("criterion"), max_length=500)

    objects = CriteriaItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria checklist")
        ordering = ["criteria", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    # Integrity, like the permanent record of decisions: no path (admin, shell, API) rewrites a used item.
    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            stored = CriteriaItem.objects.filter(pk=self.pk).values("criteria_id", "position", "text").first()
            changed = stored is not None and stored != {"criteria_id": self.criteria_id, "position": self.position,
                                                        "text": self.text}
            if changed and self.is_used:
                raise CriteriaInUseError()
        elif ProposalAssessment.objects.filter(item__criteria_id=self.criteria_id).exists():
            raise CriteriaInUseError(_("Proposals have been assessed against this version of the criteria: "
                                       "its checklist cannot be changed. Create a new version instead."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.is_used:
            raise CriteriaInUseError()
        return super().delete(*args, **kwargs)

    @property
    def is_used(self) -> bool:
        return bool(self.pk) and ProposalAssessment.objects.filter(item_id=self.pk).exists()


class ProjectIdea(models.Model):
    """The preparation record of a project idea (hankeaihio). The idea itself is a Project with status
    "idea": it already has a title, priority, themes and lead, and the same row becomes the proposal's and
    later the funded project, so nothing is copied between pipeline stages."""

    project = models.OneToOneField("portfolio.Project", on_delete=models.CASCADE, related_name="idea",
                                   verbose_name=_("project"))
    stage = models.CharField(_("stage"), max_length=10, choices=IdeaStage.choices, default=IdeaStage.IDEA,
                             db_index=True)
    need = models.TextField(_("need"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    overlaps = models.TextField(_("overlaps with existing projects"), blank=True)
    programme_fit = models.TextField(_("fit with the structural-fund programme"), blank=True)
    notes = models.TextField(_("coordinator's notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProjectIdeaQuerySet.as_manager()

    class Meta:
        verbose_name = _("project idea")
        verbose_name_plural = _("project ideas")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return str(self.project)

    def get_absolute_url(self) -> str:
        return reverse("governance:idea-detail", args=[self.pk])


class ProposalAssessment(models.Model):
    """A proposal's answer to one line of the criteria checklist."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="assessments",
                                 verbose_name=_("proposal"))
    item = models.ForeignKey(CriteriaItem, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("criterion"))
    answer = models.CharField(_("assessment"), max_length=8, choices=CriterionAnswer.choices)
    note = models.TextField(_("justification"), blank=True)

    class Meta:
        verbose_name = _("criterion assessment")
        verbose_name_plural = _("criteria assessments")
        ordering = ["proposal", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "item"], name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.item} = {self.get_answer_display()}"


def _attachment_path(instance: ProposalAttachment, filename: str) -> str:
    # The stored name is generated; the user's file name is kept only as data (never a path).
    import uuid

    return f"governance/attachments/{uuid.uuid4().hex}"


class ProposalAttachment(models.Model):
    """A document attached to a proposal (project plan, budget, letters of intent)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments",
                                 verbose_name=_("proposal"))
    file = models.FileField(_("file"), upload_to=_attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["proposal", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class ProposalTransition(models.Model):
    """One step of a proposal's workflow: who moved it from which state to which, and when."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="transitions",
                                 verbose_name=_("proposal"))
    from_status = models.CharField(_("from"), max_length=10, choices=ProposalStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=ProposalStatus.choices)
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("meeting"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
                           verbose_name=_("by"))
    at = models.DateTimeField(_("at"), db_index=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("proposal transition")
        verbose_name_plural = _("proposal transitions")
        ordering = ["proposal", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.from_status or '–'} → {self.to_status}"


class AgendaItem(models.Model):
    """An agenda item other than a proposal (opening, situation picture, any other business)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="other_items",
                                verbose_name=_("meeting"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class NotificationOutbox(models.Model):
    """A notification to send, written in the same transaction as the change it tells about (a transactional
    outbox): it is committed with the change or not at all. It is handed to the broker after the commit and
    marked sent; the recovery sweep (notifications.outbox_sweep) sends those the broker did not take."""

    task_name = models.CharField(max_length=100)
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("notification to send")
        verbose_name_plural = _("notifications to send")
        indexes = [models.Index(fields=["sent_at", "created_at"], name="governance_outbox_pending_idx")]

    def __str__(self) -> str:
        return f"{self.task_name}({self.object_id})"

"""Steering groups, their meetings, proposals and decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from funding.models import MONEY

from .choices import DecisionMethod, DecisionOutcome, GroupKind, MeetingStatus, MemberRole, ProposalStatus


class SteeringGroup(models.Model):
    """An agreement's steering group (johtoryhmä) or the national steering group (no agreement)."""

    kind = models.CharField(_("kind"), max_length=10, choices=GroupKind.choices)
    agreement = models.ForeignKey("portfolio.Agreement", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="steering_groups", verbose_name=_("agreement"))
    name = models.CharField(_("name"), max_length=200)
    quorum = models.PositiveSmallIntegerField(_("quorum"), default=3,
                                              help_text=_("Members present needed for a decision."))

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
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships",
                             verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    organisation = models.ForeignKey("portfolio.Organisation", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("represents"))
    substitute_for = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="substitutes", verbose_name=_("substitute for"))
    term_start = models.DateField(_("term starts"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)

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

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.group} {self.starts_at:%d.%m.%Y}"


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
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


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
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+", verbose_name=_("recorded by"))
    decided_at = models.DateTimeField(_("decided at"))

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


class DecisionFundingLine(models.Model):
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


class Recusal(models.Model):
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

"""The permanent decision record: decisions, their funding lines and recusals."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from funding.models import MONEY

from ..choices import (
    DecisionMethod,
    DecisionOutcome,
    MeetingStatus,
)
from ..errors import PermanentRecordError as PermanentRecordError
from ..querysets import (
    DecisionChildQuerySet,
    DecisionQuerySet,
)
from .meetings import Meeting
from .proposals import Proposal


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



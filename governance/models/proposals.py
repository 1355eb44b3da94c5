"""Project proposals and the funding they request."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from funding.models import MONEY

from ..choices import (
    ProposalStatus,
)
from ..errors import PermanentRecordError as PermanentRecordError
from ..querysets import (
    ProposalQuerySet,
)
from .meetings import Meeting


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



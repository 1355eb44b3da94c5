"""A proposal's assessment, attachments and transitions, and the agenda items of meetings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import (
    ProposalStatus,
)
from ..errors import PermanentRecordError as PermanentRecordError
from .meetings import Meeting
from .proposals import Proposal


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
    link = models.CharField(_("link"), max_length=300, blank=True,
                            help_text=_("A page of the portal the item is about (e.g. a summary), as a path."))

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return self.title



"""The notification outbox: e-mails handed to the broker after the commit."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..errors import PermanentRecordError as PermanentRecordError


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

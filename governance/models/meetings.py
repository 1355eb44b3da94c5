"""Meetings of a steering group."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..choices import (
    MeetingStatus,
)
from ..errors import PermanentRecordError as PermanentRecordError
from ..querysets import (
    MeetingQuerySet,
)
from .groups import SteeringGroup


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



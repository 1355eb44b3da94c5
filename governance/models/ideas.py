"""Project ideas before they become proposals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..choices import (
    IdeaStage,
)
from ..errors import PermanentRecordError as PermanentRecordError
from ..querysets import (
    ProjectIdeaQuerySet,
)


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



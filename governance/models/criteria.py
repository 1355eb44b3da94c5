"""Application criteria and their items."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import CriterionAnswer
from ..errors import PermanentRecordError as PermanentRecordError
from .groups import SteeringGroup
from .proposals import Proposal


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

"""Steering groups and their members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portfolio.i18n import SourceLanguageColumns

from ..choices import (
    GroupKind,
    MemberRole,
)
from ..errors import PermanentRecordError as PermanentRecordError
from ..querysets import (
    MembershipQuerySet,
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
    language = models.CharField(
        _("language of correspondence"), max_length=2, choices=settings.LANGUAGES, blank=True,
        help_text=_("The language of the e-mails the member receives; empty: Finnish."))

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



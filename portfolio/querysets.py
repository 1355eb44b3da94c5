"""Chainable querysets. Every list starts from `visible_to(user)`, so nothing leaks by a forgotten filter."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, Q

from .access import agreement_ids_of, contact_project_ids_of, is_coordinator
from .choices import PUBLIC_PROJECT_STATUSES
from .roles import Role, has_role, is_project_contact_only, is_superuser, sees_all_agreements

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from .models import Agreement, ApiToken, Project, Theme  # noqa: F401  (named as strings in the generic bases below)


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> AgreementQuerySet:
        # Agreements themselves are public facts (name, parties, priorities); drafts are hidden per project.
        return self.all() if user.is_authenticated else self.none()

    def worked_on_by(self, user: AbstractBaseUser | AnonymousUser) -> AgreementQuerySet:
        """The agreements whose whole portfolio the user sees."""
        if not user.is_authenticated:
            return self.none()
        if sees_all_agreements(user):
            return self.all()
        return self.filter(pk__in=agreement_ids_of(user))

    def worked_on_ids(self, user: AbstractBaseUser | AnonymousUser) -> list[int]:
        """The ids of ``worked_on_by(user)``, ascending: from the user's roles already read (no query), except
        for those who see every agreement."""
        if user.is_authenticated and not sees_all_agreements(user):
            return sorted(agreement_ids_of(user))
        return list(self.worked_on_by(user).order_by("pk").values_list("pk", flat=True))


class ProjectQuerySet(models.QuerySet["Project"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> ProjectQuerySet:
        """All projects of the user's own agreements; of other agreements only decided ones. A project
        contact without another role sees exactly the projects they are a contact of."""
        if not user.is_authenticated:
            return self.none()
        if sees_all_agreements(user):
            return self.all()
        if is_project_contact_only(user):
            return self.filter(pk__in=contact_project_ids_of(user))
        condition = Q(agreement_id__in=agreement_ids_of(user)) | Q(status__in=PUBLIC_PROJECT_STATUSES)
        if has_role(user, Role.PROJECT_CONTACT):
            condition |= Q(pk__in=contact_project_ids_of(user))
        return self.filter(condition)

    def editable_by(self, user: AbstractBaseUser | AnonymousUser) -> ProjectQuerySet:
        if not user.is_authenticated:
            return self.none()
        if is_superuser(user):
            return self.all()
        if not is_coordinator(user):
            return self.none()
        return self.filter(agreement_id__in=agreement_ids_of(user))

    def for_agreement(self, agreement_id: int | None) -> ProjectQuerySet:
        return self.filter(agreement_id=agreement_id) if agreement_id else self

    def active(self) -> ProjectQuerySet:
        from .choices import ProjectStatus

        return self.filter(status__in=[ProjectStatus.APPROVED, ProjectStatus.RUNNING])


class ThemeQuerySet(models.QuerySet["Theme"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> ThemeQuerySet:
        """The themes of the agreements whose whole portfolio the user sees (their action plans), and the
        themes of the projects the user sees (of another agreement: its decided projects' themes). A theme
        another agreement has only planned, or carries only on its drafts and ideas, is not shown."""
        if not user.is_authenticated:
            return self.none()
        if sees_all_agreements(user):
            return self.all()
        # The models by their relations (this module sits below models.py).
        relation = self.model._meta.get_field("projects")  # Project.themes, seen from the theme
        projects = relation.related_model._default_manager.visible_to(user).values("pk")  # type: ignore[union-attr]
        linked = relation.through.objects.filter(  # type: ignore[union-attr]
            theme_id=OuterRef("pk"), project_id__in=projects)
        return self.filter(Q(agreement_id__in=agreement_ids_of(user)) | Exists(linked))


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> ApiTokenQuerySet:
        # A token is seen and revoked only by its owner, administrators included.
        return self.filter(user_id=user.pk) if user.is_authenticated else self.none()

    def not_revoked(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)

    def live(self, now: dt.datetime) -> ApiTokenQuerySet:
        return self.not_revoked().filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))

"""Progress-report querysets: every list starts from `visible_to(user)`, which follows the projects'."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models

from portfolio.access import agreement_ids_of, contact_project_ids_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

# Review states in which the report is still the writers' (kept here as strings: the models sit above).
OPEN_STATES = ("draft", "returned")


class ProgressReportQuerySet(models.QuerySet):
    def visible_to(self, user: AnyUser) -> ProgressReportQuerySet:
        """The reports of every project the user sees (a project contact: exactly their own projects)."""
        from portfolio.permissions import can_view_portal

        if not can_view_portal(user):
            return self.none()
        projects = apps.get_model("portfolio", "Project").objects.visible_to(user)
        return self.filter(project__in=projects.values("pk"))

    def reviewable_by(self, user: AnyUser) -> ProgressReportQuerySet:
        """The reports of the agreements the user coordinates."""
        from portfolio.access import is_coordinator

        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:  # type: ignore[union-attr,attr-defined]
            return self.all()
        if not is_coordinator(user):
            return self.none()
        return self.filter(project__agreement_id__in=agreement_ids_of(user))

    def of_contact(self, user: AnyUser) -> ProgressReportQuerySet:
        return self.filter(project_id__in=contact_project_ids_of(user))

    def open(self) -> ProgressReportQuerySet:
        return self.filter(review_state__in=OPEN_STATES)

    def overdue(self, today: dt.date) -> ProgressReportQuerySet:
        return self.open().filter(due_date__lt=today)

    def due_within(self, today: dt.date, days: int) -> ProgressReportQuerySet:
        return self.open().filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=days))

    def awaiting_review(self) -> ProgressReportQuerySet:
        return self.filter(review_state="submitted")

    def for_agreement(self, agreement_id: int | None) -> ProgressReportQuerySet:
        return self.filter(project__agreement_id=agreement_id) if agreement_id else self

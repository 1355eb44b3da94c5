"""Factories of the follow-up app: project contacts and progress reports in their lifecycle states."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth.models import Group

from followup.models import ProgressReport, ReportKind, ReviewState
from portfolio.models import ProjectContact
from portfolio.roles import Role
from tests.factories import ProjectFactory, UserFactory


def make_contact(project, username: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
    """A user with the project-contact role who is a contact of `project`."""
    user = UserFactory(**({"username": username} if username else {}), **kwargs)
    group, _created = Group.objects.get_or_create(name=Role.PROJECT_CONTACT)
    user.groups.add(group)
    ProjectContact.objects.create(user=user, project=project, organisation=project.lead_organisation)
    return user


class ProgressReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport

    project = factory.SubFactory(ProjectFactory)
    kind = ReportKind.PERIODIC
    period_start = dt.date(2025, 1, 1)
    period_end = dt.date(2025, 6, 30)
    due_date = dt.date(2025, 8, 29)
    review_state = ReviewState.DRAFT

    @classmethod
    def create_filled(cls, **kwargs):  # type: ignore[no-untyped-def]
        return cls.create(status="on_track", done="Työpajat pidetty.", **kwargs)

    @classmethod
    def create_submitted(cls, **kwargs):  # type: ignore[no-untyped-def]
        return cls.create(status="on_track", done="Työpajat pidetty.", review_state=ReviewState.SUBMITTED,
                          **kwargs)

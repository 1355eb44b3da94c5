"""Factories of the follow-up app: indicators, enterprises and milestones; project contacts and progress
reports in their lifecycle states."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from followup.models import (
    Enterprise,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Milestone,
    ProgressReport,
    ProjectEnterprise,
    ReportKind,
    ReviewState,
)
from portfolio.models import ProjectContact
from portfolio.roles import Role
from portfolio.validators import business_id_check_digit
from tests.factories import ProjectFactory, UserFactory


def valid_business_id(n: int) -> str:
    base = 4_000_000 + n * 17
    while business_id_check_digit(f"{base:07d}") is None:
        base += 1
    return f"{base:07d}-{business_id_check_digit(f'{base:07d}')}"


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise
        django_get_or_create = ("business_id",)

    business_id = factory.Sequence(valid_business_id)
    name = factory.Sequence(lambda n: f"Yritys {n} Oy")
    size_class = "small"


class ProjectEnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectEnterprise

    project = factory.SubFactory(ProjectFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    relation = "grant"
    is_new = False
    date = dt.date(2024, 6, 1)


class IndicatorTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorTarget

    project = factory.SubFactory(ProjectFactory)
    indicator = factory.LazyFunction(lambda: indicator("HEV03"))
    target_value = Decimal("10")


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    project = factory.SubFactory(ProjectFactory)
    indicator = factory.LazyFunction(lambda: indicator("HEV03"))
    period_end = dt.date(2024, 12, 31)
    value = Decimal("1")


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Välitavoite {n}")
    planned_date = dt.date(2025, 6, 30)


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

"""Factories of the indicator part of the follow-up app."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from followup.models import Enterprise, Indicator, IndicatorTarget, IndicatorValue, Milestone, ProjectEnterprise
from portfolio.validators import business_id_check_digit
from tests.factories import ProjectFactory


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

"""factory_boy factories shared by every app's tests, with lifecycle helpers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from funding.models import FundingFrame, FundingInstrument, FundingLine
from portfolio.models import Agreement, MethodCategory, Organisation, Priority, Project
from portfolio.validators import business_id_check_digit


def _business_id(n: int) -> str:
    base = 2_000_000 + n * 13
    while business_id_check_digit(f"{base:07d}") is None:
        base += 1
    return f"{base:07d}-{business_id_check_digit(f'{base:07d}')}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.django.Password("test-pass-2027")


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"region-{n}")
    name = factory.Sequence(lambda n: f"Kaupunkiseutu {n} ekosysteemisopimus")
    name_fi = factory.SelfAttribute("name")
    region = factory.Sequence(lambda n: f"Kaupunkiseutu {n}")
    valid_from = dt.date(2021, 1, 1)
    valid_until = dt.date(2027, 12, 31)

    @factory.post_generation
    def with_priorities(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            for code in range(1, 5):
                Priority.objects.create(agreement=obj, code=code, name=f"Painopiste {code}",
                                        name_fi=f"Painopiste {code}", is_open=code == 4)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisaatio {n} Oy")
    name_fi = factory.SelfAttribute("name")
    kind = "company"
    business_id = factory.Sequence(_business_id)


def _priority_for(project) -> Priority:  # type: ignore[no-untyped-def]
    agreement = project.agreement
    priority = Priority.objects.filter(agreement=agreement, code=1).first()
    if priority is None:
        priority = Priority.objects.create(agreement=agreement, code=1, name="Painopiste 1", name_fi="Painopiste 1")
    return priority


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    agreement = factory.SubFactory(AgreementFactory)
    code = factory.Sequence(lambda n: f"P-{n:04d}")
    title = factory.Sequence(lambda n: f"Hanke {n}")
    title_fi = factory.SelfAttribute("title")
    lead_organisation = factory.SubFactory(OrganisationFactory)
    priority = factory.LazyAttribute(_priority_for)
    status = "running"
    start_date = dt.date(2024, 1, 1)
    end_date = dt.date(2026, 12, 31)

    @factory.post_generation
    def methods(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if not create:
            return
        codes = extracted or [1]
        for code in codes:
            method, _ = MethodCategory.objects.get_or_create(code=code, defaults={"name": f"Menetelmä {code}",
                                                                                  "name_fi": f"Menetelmä {code}"})
            obj.methods.add(method)

    @classmethod
    def create_idea(cls, **kwargs):  # type: ignore[no-untyped-def]
        return cls.create(status="idea", **kwargs)

    @classmethod
    def create_running(cls, **kwargs):  # type: ignore[no-untyped-def]
        return cls.create(status="running", **kwargs)


def instrument(code: str) -> FundingInstrument:
    from funding.choices import SHARE_GROUP_OF

    obj, _ = FundingInstrument.objects.get_or_create(code=code, defaults={
        "name": code, "name_fi": code, "share_group": SHARE_GROUP_OF[code]})
    return obj


class FundingLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingLine

    project = factory.SubFactory(ProjectFactory)
    instrument = factory.LazyFunction(lambda: instrument("ERDF"))
    year = 2025
    planned_amount = Decimal("60000.00")
    granted_amount = Decimal("60000.00")
    spent_amount = Decimal("0.00")


class FundingFrameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingFrame

    agreement = factory.SubFactory(AgreementFactory)
    instrument = factory.LazyFunction(lambda: instrument("ERDF"))
    year = 2025
    amount = Decimal("1000000.00")

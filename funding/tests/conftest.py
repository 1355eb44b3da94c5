"""Fixtures of the funding tests: a small portfolio on the real agreement, built line by line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from funding.models import FundingFrame, FundingInstrument, FundingLine
from portfolio.models import Priority
from tests.factories import OrganisationFactory, ProjectFactory


def make_project(agreement, *, priority: int = 1, status: str = "running", **kwargs):  # type: ignore[no-untyped-def]
    return ProjectFactory(agreement=agreement, priority=Priority.objects.get(agreement=agreement, code=priority),
                          status=status, **kwargs)


def add_line(project, code: str, year: int, planned="0", granted="0", spent="0",  # type: ignore[no-untyped-def]
             kind: str = "line") -> FundingLine:
    return FundingLine.objects.create(project=project, instrument=FundingInstrument.objects.get(code=code), year=year,
                                      planned_amount=Decimal(planned), granted_amount=Decimal(granted),
                                      spent_amount=Decimal(spent), kind=kind)


def add_frame(agreement, code: str, year: int, amount: str, ref: str = "TEM/1/2025") -> FundingFrame:  # type: ignore[no-untyped-def]
    return FundingFrame.objects.create(agreement=agreement, instrument=FundingInstrument.objects.get(code=code),
                                       year=year, amount=Decimal(amount), decision_reference=ref,
                                       decision_date=dt.date(year - 1, 12, 15))


@pytest.fixture
def clean_agreement(agreement):  # type: ignore[no-untyped-def]
    """The real agreement without the coordination project's lines (so sums are the test's own)."""
    FundingLine.objects.filter(project__agreement=agreement).delete()
    return agreement


@pytest.fixture
def helsinki(db):  # type: ignore[no-untyped-def]
    return OrganisationFactory(municipality="Helsinki", kind="city")


@pytest.fixture
def espoo(db):  # type: ignore[no-untyped-def]
    return OrganisationFactory(municipality="Espoo", kind="city")

"""Helpers and fixtures of the as-of tests: history rows dated in the past."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import AgreementFactory, FundingFrameFactory, FundingLineFactory, ProjectFactory, instrument

TZ = timezone.get_default_timezone()


def moment(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def backdate(obj: object, when: dt.datetime) -> None:
    """Move every history row of an object to ``when`` (as if it had been made then)."""
    obj.__class__.history.model.objects.filter(id=obj.pk).update(history_date=when)  # type: ignore[attr-defined]


def save_at(obj: object, when: dt.datetime, **changes: object) -> None:
    for name, value in changes.items():
        setattr(obj, name, value)
    obj._history_date = when  # type: ignore[attr-defined]  # simple-history's hook for the row's date
    obj.save()  # type: ignore[attr-defined]
    del obj._history_date  # type: ignore[attr-defined]


@pytest.fixture
def region(db):  # type: ignore[no-untyped-def]
    """An agreement of its own (the loaded one has a coordination project made today), and the roles."""
    from portfolio.services import roles_sync

    roles_sync()
    return AgreementFactory(with_priorities=True)


@pytest.fixture
def asof_history(region):  # type: ignore[no-untyped-def]
    """One project granted 100 000 € ERDF in 2022, raised to 150 000 € in 2024, withdrawn in 2025;
    a second one created in 2024."""
    p1 = ProjectFactory(agreement=region, status="running")
    backdate(p1, moment(dt.date(2022, 3, 1)))
    line = FundingLineFactory(project=p1, year=2023, granted_amount=Decimal("100000.00"),
                              planned_amount=Decimal("120000.00"))
    backdate(line, moment(dt.date(2022, 3, 1)))
    save_at(line, moment(dt.date(2024, 6, 1)), granted_amount=Decimal("150000.00"))
    save_at(p1, moment(dt.date(2025, 2, 1)), status="withdrawn")
    p2 = ProjectFactory(agreement=region, status="running")
    backdate(p2, moment(dt.date(2024, 1, 10)))
    line2 = FundingLineFactory(project=p2, year=2024, instrument=instrument("CITY"),
                               granted_amount=Decimal("40000.00"), planned_amount=Decimal("40000.00"))
    backdate(line2, moment(dt.date(2024, 1, 10)))
    frame = FundingFrameFactory(agreement=region, year=2023, amount=Decimal("500000.00"))
    backdate(frame, moment(dt.date(2022, 1, 5)))
    save_at(frame, moment(dt.date(2024, 2, 1)), amount=Decimal("700000.00"))
    return {"p1": p1, "p2": p2, "line": line, "line2": line2, "frame": frame}



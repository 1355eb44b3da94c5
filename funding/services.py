"""Every write of the funding app."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from portfolio.upsert import translated, upsert

from .models import ZERO, FundingInstrument, FundingLine


def funding_instruments_load(specs: list[tuple[Any, ...]]) -> list[str]:
    """Create or update the funding instruments from (code, names, share group, from, until, order)."""
    changed = []
    for code, names, share_group, available_from, available_until, order in specs:
        _, did = upsert(FundingInstrument, {"code": code}, {
            **translated("name", names), "share_group": share_group, "available_from": available_from,
            "available_until": available_until, "sort_order": order,
        })
        if did:
            changed.append(f"instrument {code}")
    return changed


def funding_line_upsert(*, project: Any, instrument_code: str, year: int, planned: Decimal,
                        granted: Decimal = ZERO, spent: Decimal = ZERO) -> bool:
    """Set one funding line of a project; returns whether anything changed."""
    instrument = FundingInstrument.objects.get(code=instrument_code)
    _, changed = upsert(FundingLine, {"project": project, "instrument": instrument, "year": year}, {
        "planned_amount": planned, "granted_amount": granted, "spent_amount": spent,
    })
    return changed


def instrument_available_on(instrument: FundingInstrument, day: date) -> bool:
    """Whether an instrument may be offered for new proposals on a day (AKKE ended in January 2025)."""
    if instrument.available_from and day < instrument.available_from:
        return False
    return not (instrument.available_until and day > instrument.available_until)

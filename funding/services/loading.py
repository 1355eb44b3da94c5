"""Instruments and loaded funding (load_agreement's part, seeds), and shared helpers of the writes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from portfolio.data import hev
from portfolio.models import Agreement, Project
from portfolio.upsert import translated, upsert

from ..choices import FundingLineKind
from ..models import (
    FundingInstrument,
    FundingLine,
)

CENT = Decimal("0.01")


def _code_of(instrument: FundingInstrument | str) -> str:
    return instrument.code if isinstance(instrument, FundingInstrument) else str(instrument).upper()


def _euros(value: Decimal) -> str:
    return f"{number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)} €"


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


COORDINATION_FUNDING_SOURCE = "Ecosystem agreement: funding of the coordination project"


def agreement_funding_load(agreement: Agreement) -> list[str]:
    """Funding's part of `load_agreement` (registered in FundingConfig.ready): the funding instruments and
    the coordination project's funding, which is part of the agreement itself (AKKE until 2023, then ERDF)."""
    changed = funding_instruments_load(hev.INSTRUMENTS)
    project = Project.objects.filter(agreement=agreement, code=hev.COORDINATION_PROJECT["code"]).first()
    if project is None:
        return changed
    yearly = Decimal(hev.COORDINATION_YEARLY_TOTAL)
    support, local = (yearly * Decimal("0.60")).quantize(Decimal("0.01")), (yearly * Decimal("0.40")).quantize(
        Decimal("0.01"))
    for year, instrument in hev.COORDINATION_FUNDING_YEARS.items():
        for code, amount in ((instrument, support), ("CITY", local)):
            if funding_line_upsert(project=project, instrument_code=code, year=year, planned=amount, granted=amount,
                                   source=COORDINATION_FUNDING_SOURCE):
                changed.append(f"funding {project.code} {code} {year}")
    return changed


def funding_line_upsert(*, project: Project, instrument_code: str, year: int, planned: Decimal,
                        granted: Decimal | None = None, spent: Decimal | None = None, source: str = "") -> bool:
    """Set one funding line of a project (seeds and loads); returns whether anything changed. Granted and
    spent amounts are left as they are unless given, and then need their ``source`` (kept on the line and
    in its history)."""
    instrument = FundingInstrument.objects.get(code=instrument_code)
    values: dict[str, Any] = {"planned_amount": planned}
    if granted is not None or spent is not None:
        if not source:
            raise ValueError("granted or spent amounts need their source")
        if granted is not None:
            values.update(granted_amount=granted, granted_source=source[:200])
        if spent is not None:
            values.update(spent_amount=spent, spent_source=source[:200])
    _, changed = upsert(FundingLine, {"project": project, "instrument": instrument, "year": year,
                                      "kind": FundingLineKind.LINE}, values)
    return changed


def instrument_available_on(instrument: FundingInstrument, day: date) -> bool:
    """Whether an instrument may be offered for new proposals on a day (AKKE ended in January 2025)."""
    if instrument.available_from and day < instrument.available_from:
        return False
    return not (instrument.available_until and day > instrument.available_until)


def instrument_and_year(*, project: Project, instrument_code: str, year: int | str, errors: dict[str, list[str]]
                        ) -> tuple[FundingInstrument | None, int]:
    """The instrument and year of a correction or spending entry, with a field message in ``errors`` for an
    unknown instrument, a year that is no whole number or one outside the agreement (the year is 0 then)."""
    instrument = FundingInstrument.objects.filter(code=str(instrument_code).strip().upper()).first()
    if instrument is None:
        errors["instrument"] = [_("Unknown funding instrument.")]
    try:
        number = int(str(year).strip())
    except ValueError:
        errors["year"] = [_("The year must be a whole number.")]
        return instrument, 0
    if number not in project.agreement.years:
        errors["year"] = [_("The year is outside the agreement's validity.")]
    return instrument, number

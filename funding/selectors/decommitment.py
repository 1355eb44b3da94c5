"""The N+3 rule: EU money committed for a year N must be spent (claimed) by the end of year N + 3, or it is
decommitted. Per EU instrument and commitment year (the funding line's year): the granted money of the
counted projects, what is spent by the day, the spending rate so far, a forecast of what will be spent by
the deadline at that rate, and the money at risk (granted minus forecast).

Decided for the portal (the agreement is silent): the rate is linear — spent so far divided by the months
from the start of year N (or from the first spending entry, if later) to the day; a year whose money has
not started to be spent yet forecasts nothing and is flagged as not started, not as lost. Only the EU funds
have the rule (ERDF, ESF+, JTF); national AKKE and RRF money do not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Min, Q, QuerySet, Sum
from django.utils import timezone

from portfolio.models import Agreement, Project

from ..choices import InstrumentCode
from ..models import ZERO, FundingInstrument, SpendingEntry
from .counting import CENT, countable_lines

N_PLUS = 3
EU_FUNDS = (InstrumentCode.ERDF, InstrumentCode.ESF, InstrumentCode.JTF)


@dataclass(frozen=True)
class Decommitment:
    code: str
    year: int
    deadline: dt.date
    granted: Decimal
    spent: Decimal
    monthly_rate: Decimal | None
    forecast: Decimal
    at_risk: Decimal
    started: bool
    name: str = ""  # the instrument's short name in the active language ("EAKR"), for pages; the API keeps the code

    @property
    def spent_percent(self) -> Decimal | None:
        return (self.spent * 100 / self.granted).quantize(CENT) if self.granted else None


def _months(start: dt.date, end: dt.date) -> Decimal:
    """Whole and partial months between two days (30.4375-day months), never negative."""
    return max(Decimal(0), Decimal((end - start).days) / Decimal("30.4375"))


def decommitment_forecast(*, agreement: Agreement, projects: QuerySet[Project] | None = None,
                          as_of: dt.date | None = None) -> list[Decommitment]:
    """One row per EU instrument and commitment year with granted money, oldest deadline first. ``projects``
    scopes to the projects a user may see (as the funding summary does)."""
    day = as_of or timezone.localdate()
    lines = countable_lines(agreement_id=agreement.pk, projects=projects, as_of=as_of).filter(
        instrument__code__in=EU_FUNDS)
    granted = {(r["instrument__code"], r["year"]): r["total"] or ZERO for r in
               lines.order_by().values("instrument__code", "year").annotate(total=Sum("granted_amount"))}
    counted_projects = lines.order_by().values("project_id")
    entries = SpendingEntry.objects.filter(
        Q(date__lte=day), project_id__in=counted_projects,  # type: ignore[misc]  # a subquery; stubs want a list
        instrument__code__in=EU_FUNDS, project__agreement=agreement)
    spent = {(r["instrument__code"], r["year"]): (r["total"] or ZERO, r["first"]) for r in
             entries.order_by().values("instrument__code", "year").annotate(total=Sum("amount"), first=Min("date"))}
    names = {i.code: i.short_name for i in FundingInstrument.objects.filter(code__in=EU_FUNDS)}
    rows = []
    for (code, year), total in sorted(granted.items(), key=lambda item: (item[0][1], item[0][0])):
        if total <= 0:
            continue
        so_far, first = spent.get((code, year), (ZERO, None))
        deadline = dt.date(year + N_PLUS, 12, 31)
        start = max(dt.date(year, 1, 1), first) if first else None
        elapsed = _months(start, day) if start else Decimal(0)
        if so_far <= 0 or elapsed <= 0:
            rate, forecast = None, max(so_far, ZERO)
        else:
            rate = (so_far / elapsed).quantize(CENT, rounding=ROUND_HALF_UP)
            forecast = min(total, so_far + so_far / elapsed * _months(day, deadline)).quantize(CENT, ROUND_HALF_UP)
        at_risk = max(ZERO, total - forecast) if (rate is not None or day > deadline) else ZERO
        rows.append(Decommitment(code=code, year=year, deadline=deadline, granted=total, spent=so_far,
                                 monthly_rate=rate, forecast=forecast, at_risk=at_risk,
                                 started=rate is not None, name=names.get(code, code)))
    return rows

"""Reporting periods: calendar quarters `YYYY-Qn`, halves `YYYY-Hn` and years `YYYY`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:-(?P<kind>[QH])(?P<n>\d))?$")
FIRST_YEAR = 2021  # the programme period starts; cumulative figures run from here
LAST_YEAR = 2100


class PeriodKind:
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"
    ALL = (QUARTER, HALF, YEAR)


@dataclass(frozen=True)
class Period:
    code: str
    kind: str
    start: dt.date
    end: dt.date

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def years(self) -> range:
        return range(self.start.year, self.end.year + 1)

    def previous(self) -> Period:
        return period_containing(self.start - dt.timedelta(days=1), self.kind)

    def __str__(self) -> str:
        return self.code


def period_parse(value: str) -> Period:
    """Parse `YYYY-Qn`, `YYYY-Hn` or `YYYY` into its first and last day. Raises ValidationError."""
    text = (value or "").strip().upper()
    match = PERIOD_RE.match(text)
    if not match:
        raise ValidationError(_("Enter a period as YYYY, YYYY-Qn (quarter 1–4) or YYYY-Hn (half 1–2)."),
                              code="period_format")
    year = int(match["year"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(_("The period must be between %(first)s and %(last)s."),
                              code="period_year", params={"first": FIRST_YEAR, "last": LAST_YEAR})
    kind_letter, n = match["kind"], int(match["n"]) if match["n"] else 0
    if kind_letter is None:
        return Period(str(year), PeriodKind.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31))
    if kind_letter == "Q":
        if not 1 <= n <= 4:
            raise ValidationError(_("A quarter is 1–4."), code="period_quarter")
        first_month = 3 * (n - 1) + 1
        start = dt.date(year, first_month, 1)
        end = _month_end(year, first_month + 2)
        return Period(f"{year}-Q{n}", PeriodKind.QUARTER, start, end)
    if not 1 <= n <= 2:
        raise ValidationError(_("A half-year is 1 or 2."), code="period_half")
    start = dt.date(year, 1 if n == 1 else 7, 1)
    end = dt.date(year, 6, 30) if n == 1 else dt.date(year, 12, 31)
    return Period(f"{year}-H{n}", PeriodKind.HALF, start, end)


def period_containing(day: dt.date, kind: str) -> Period:
    if kind == PeriodKind.QUARTER:
        return period_parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    if kind == PeriodKind.HALF:
        return period_parse(f"{day.year}-H{1 if day.month <= 6 else 2}")
    if kind == PeriodKind.YEAR:
        return period_parse(str(day.year))
    raise ValueError(f"unknown period kind {kind!r}")


def period_last_completed(kind: str, *, today: dt.date) -> Period:
    """The latest period of this kind that has ended before `today` (what a scheduled run summarises)."""
    return period_containing(today, kind).previous()


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)

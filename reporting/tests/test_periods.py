import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from reporting.periods import PeriodKind, period_last_completed, period_parse


@pytest.mark.parametrize(("code", "start", "end"), [
    ("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    ("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
    ("2024-Q4", dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
    ("2026-H1", dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    ("2026-H2", dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
    ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    (" 2026-q2 ", dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
])
def test_period_parse_gives_first_and_last_day(code, start, end):
    period = period_parse(code)
    assert (period.start, period.end) == (start, end)
    assert period.code == code.strip().upper()


@pytest.mark.parametrize("bad", ["", "2026-Q5", "2026-Q0", "2026-H3", "26-Q1", "2026Q1", "2026-X1", "1999",
                                 "2026-Q1x", "abcd"])
def test_period_parse_rejects_malformed_periods_with_a_clear_error(bad):
    with pytest.raises(ValidationError) as excinfo:
        period_parse(bad)
    assert excinfo.value.messages


def test_previous_period_of_each_kind():
    assert period_parse("2026-Q1").previous().code == "2025-Q4"
    assert period_parse("2026-H2").previous().code == "2026-H1"
    assert period_parse("2026").previous().code == "2025"


def test_scheduled_run_summarises_the_period_that_just_ended():
    today = dt.date(2026, 7, 1)
    assert period_last_completed(PeriodKind.QUARTER, today=today).code == "2026-Q2"
    assert period_last_completed(PeriodKind.HALF, today=today).code == "2026-H1"
    assert period_last_completed(PeriodKind.YEAR, today=dt.date(2027, 1, 2)).code == "2026"

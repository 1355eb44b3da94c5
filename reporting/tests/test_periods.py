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


# --- every edge, as mutation testing asks (make mutation MODULES=reporting/periods.py) -------------------

@pytest.mark.parametrize(("code", "kind", "start", "end"), [
    ("2024-Q1", "quarter", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
    ("2024-Q2", "quarter", dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
    ("2024-Q3", "quarter", dt.date(2024, 7, 1), dt.date(2024, 9, 30)),
    ("2024-Q4", "quarter", dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
    ("2024-H1", "half", dt.date(2024, 1, 1), dt.date(2024, 6, 30)),
    ("2024-H2", "half", dt.date(2024, 7, 1), dt.date(2024, 12, 31)),
    ("2024", "year", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    ("2021", "year", dt.date(2021, 1, 1), dt.date(2021, 12, 31)),
    ("2100-Q4", "quarter", dt.date(2100, 10, 1), dt.date(2100, 12, 31)),
    ("2021-h1", "half", dt.date(2021, 1, 1), dt.date(2021, 6, 30)),
])
def test_every_kind_of_period_and_the_first_and_last_years(code, kind, start, end):
    period = period_parse(code)
    assert (period.code, period.kind, period.start, period.end) == (code.upper(), kind, start, end)
    assert str(period) == code.upper()
    assert period.year == start.year and list(period.years) == [start.year]


@pytest.mark.parametrize(("bad", "code"), [
    ("2020", "period_year"), ("2101", "period_year"), ("2020-Q4", "period_year"), ("2101-H1", "period_year"),
    ("2026-Q0", "period_quarter"), ("2026-Q5", "period_quarter"), ("2026-H0", "period_half"),
    ("2026-H3", "period_half"), ("2026-Q10", "period_format"), ("2026-", "period_format"), (None, "period_format"),
    ("x2026", "period_format"), ("2026-Q", "period_format"),
])
def test_each_refusal_has_its_code(bad, code):
    with pytest.raises(ValidationError) as excinfo:
        period_parse(bad)
    assert excinfo.value.code == code
    if code == "period_year":
        assert excinfo.value.params == {"first": 2021, "last": 2100}
        assert "2021" in excinfo.value.messages[0] and "2100" in excinfo.value.messages[0]


@pytest.mark.parametrize(("day", "quarter", "half", "year"), [
    (dt.date(2026, 1, 1), "2026-Q1", "2026-H1", "2026"), (dt.date(2026, 3, 31), "2026-Q1", "2026-H1", "2026"),
    (dt.date(2026, 4, 1), "2026-Q2", "2026-H1", "2026"), (dt.date(2026, 6, 30), "2026-Q2", "2026-H1", "2026"),
    (dt.date(2026, 7, 1), "2026-Q3", "2026-H2", "2026"), (dt.date(2026, 9, 30), "2026-Q3", "2026-H2", "2026"),
    (dt.date(2026, 10, 1), "2026-Q4", "2026-H2", "2026"), (dt.date(2026, 12, 31), "2026-Q4", "2026-H2", "2026"),
])
def test_the_period_containing_a_day(day, quarter, half, year):
    from reporting.periods import period_containing

    assert [period_containing(day, kind).code for kind in (PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.YEAR)] \
        == [quarter, half, year]


def test_an_unknown_kind_of_period_is_a_programming_error():
    from reporting.periods import period_containing

    with pytest.raises(ValueError, match="^unknown period kind 'month'$"):
        period_containing(dt.date(2026, 5, 5), "month")
    assert PeriodKind.ALL == ("quarter", "half", "year")


def test_previous_periods_across_the_year_and_from_every_quarter():
    assert [period_parse(f"2026-Q{n}").previous().code for n in (1, 2, 3, 4)] == [
        "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    assert period_parse("2026-H1").previous().code == "2025-H2"
    assert period_last_completed(PeriodKind.QUARTER, today=dt.date(2026, 6, 30)).code == "2026-Q1"
    assert period_last_completed(PeriodKind.HALF, today=dt.date(2026, 1, 1)).code == "2025-H2"
    assert period_last_completed(PeriodKind.YEAR, today=dt.date(2026, 12, 31)).code == "2025"


def test_month_ends_leap_years_included():
    from reporting.periods import _month_end

    assert [_month_end(2024, m).day for m in range(1, 13)] == [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    assert _month_end(2025, 2) == dt.date(2025, 2, 28)
    assert _month_end(2100, 2) == dt.date(2100, 2, 28)  # not a leap year
    assert _month_end(2026, 12) == dt.date(2026, 12, 31)


def test_a_period_is_a_value():
    period = period_parse("2026-Q2")
    assert period == period_parse("2026-q2") and hash(period) == hash(period_parse(" 2026-Q2"))
    with pytest.raises(AttributeError):
        period.code = "2026-Q3"  # type: ignore[misc]


@pytest.mark.parametrize(("bad", "message"), [
    ("2026-X1", "Enter a period as YYYY, YYYY-Qn (quarter 1–4) or YYYY-Hn (half 1–2)."),
    ("2019", "The period must be between 2021 and 2100."),
    ("2026-Q7", "A quarter is 1–4."),
    ("2026-H4", "A half-year is 1 or 2."),
])
def test_each_refusal_says_what_is_wrong(bad, message):
    from django.utils.translation import override

    with override("en"), pytest.raises(ValidationError) as excinfo:
        period_parse(bad)
    with override("en"):
        assert excinfo.value.messages == [message]
    with override("fi"):
        assert excinfo.value.messages[0] != message  # and it is translated

"""The one money parser (portfolio.money.parse_amount): forms and API strings, JSON numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st

from portfolio.money import MAX_AMOUNT, parse_amount

D = Decimal
cents = st.integers(min_value=0, max_value=int(MAX_AMOUNT * 100)).map(lambda n: D(n) / 100)


@pytest.mark.parametrize(("raw", "expected"), [
    ("1234,50", "1234.50"), ("1234.5", "1234.50"), ("1 234 567,89", "1234567.89"),
    ("1\u00a0234", "1234.00"), ("1\u202f234,5", "1234.50"), ("12 500,00 €", "12500.00"), ("  7 ", "7.00"),
    ("", "0.00"), (None, "0.00"), (0, "0.00"), (15, "15.00"), (12.5, "12.50"), (D("3.10"), "3.10"),
    ("+5", "5.00"),
])
def test_accepted_forms(raw, expected):
    assert parse_amount(raw) == D(expected)


@pytest.mark.parametrize(("raw", "code"), [
    ("1e9", "not_numeric"), ("1E9", "not_numeric"), ("abc", "not_numeric"), ("NaN", "not_numeric"),
    ("Infinity", "not_numeric"), ("1,234.50", "not_numeric"), ("12 34", "not_numeric"), ("1.2.3", "not_numeric"),
    ("1.", "not_numeric"), (",5", "not_numeric"), ("٣", "not_numeric"), (True, "not_numeric"),
    ([1], "not_numeric"), (float("nan"), "not_numeric"), (float("inf"), "not_numeric"),
    ("1,001", "too_many_decimals"), ("0.005", "too_many_decimals"), (0.001, "too_many_decimals"),
    (D("1.001"), "too_many_decimals"), ("-5", "negative"), ("\u22125", "negative"), (-1, "negative"),
    ("1000000000000", "too_large"), (D("1e400"), "too_large"),
])
def test_refused_forms(raw, code):
    with pytest.raises(ValidationError) as exc:
        parse_amount(raw)
    assert exc.value.code == code


def test_a_sign_only_where_a_correction_allows_it():
    assert parse_amount("-1 500,25", allow_negative=True) == D("-1500.25")
    assert parse_amount("\u22125", allow_negative=True) == D("-5.00")
    assert str(parse_amount("-0", allow_negative=True)) == "0.00"


def test_messages_are_translated():
    with override("fi"):
        with pytest.raises(ValidationError) as exc:
            parse_amount("1e9")
        assert "euromäärä" in exc.value.messages[0] and "1e9" in exc.value.messages[0]


@given(cents)
def test_any_amount_in_the_locale_format_reads_back(value):
    for language in ("fi", "sv", "en"):
        with override(language):
            text = number_format(value, decimal_pos=2, use_l10n=True, force_grouping=language != "en")
        assert parse_amount(text) == value


@given(cents, st.sampled_from([" ", "\u00a0", "\u202f", ""]), st.sampled_from([",", "."]))
def test_grouped_digits_with_either_decimal_separator(value, space, point):
    whole, _, frac = f"{value:.2f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    assert parse_amount(space.join(groups) + point + frac) == value


@given(st.text(max_size=20))
def test_any_text_is_an_amount_or_a_validation_error(text):
    try:
        value = parse_amount(text)
    except ValidationError:
        return
    assert value.is_finite() and value == value.quantize(D("0.01")) and D(0) <= value <= MAX_AMOUNT
    assert "e" not in text.lower()


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_json_numbers_stay_numbers_but_obey_the_rules(number):
    try:
        value = parse_amount(number)
    except ValidationError:
        return
    assert value == D(repr(number)) and value == value.quantize(D("0.01"))


def test_governance_funding_grid_uses_the_parser(agreement):
    from governance.forms import ProposalForm
    from tests.factories import ProjectFactory

    project = ProjectFactory(agreement=agreement, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    form = ProposalForm(data={"title": "x", "request-ERDF-2026": "120 000,50"}, project=project)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["funding_lines"] == [{"instrument": "ERDF", "year": 2026, "amount": D("120000.50")}]
    for bad in ("1e9", "-5", "1,001"):
        form = ProposalForm(data={"title": "x", "request-ERDF-2026": bad}, project=project)
        assert not form.is_valid() and form.errors["request-ERDF-2026"]


# --- edges found by mutation testing (make mutation MODULES=portfolio/money.py) ---------------------------

def test_a_trailing_euro_sign_with_or_without_a_space():
    assert parse_amount("12500€") == D("12500.00")
    assert parse_amount("7,5 €") == D("7.50")
    assert parse_amount("€") == D("0.00")


@pytest.mark.parametrize("raw", [float("nan"), float("inf"), float("-inf")])
def test_floats_that_are_not_numbers_are_refused_as_such(raw):
    with pytest.raises(ValidationError) as exc:
        parse_amount(raw, allow_negative=True)
    assert exc.value.code == "not_numeric"


def test_the_message_quotes_the_value_typed_cut_to_forty_characters():
    typed = "x" * 39 + "yz" + "w" * 10
    with pytest.raises(ValidationError) as exc:
        parse_amount(typed)
    assert exc.value.params == {"value": typed[:40]}
    assert len(exc.value.params["value"]) == 40
    with pytest.raises(ValidationError) as exc:
        parse_amount(True)
    assert exc.value.params == {"value": "True"}


def test_input_text_of_every_kind_of_value():
    from portfolio.money import amount_input_text

    assert amount_input_text(None, "fi") == ""
    assert amount_input_text("", "fi") == ""
    assert amount_input_text(True, "fi") == "True"
    assert amount_input_text("abc", "fi") == "abc"
    assert amount_input_text(float("inf"), "fi") == "inf"
    assert amount_input_text(186000, "fi") == "186\u00a0000,00"
    assert amount_input_text("1234.5", "sv") == "1\u00a0234,50"
    assert amount_input_text(D("-1234.5"), "fi") == "-1\u00a0234,50"
    assert amount_input_text(0, "fi") == "0,00"
    assert amount_input_text(D("0"), "en") == "0.00"
    assert amount_input_text(D("-0.004"), "en") == "0.00"
    assert amount_input_text(D("1234.567"), "en", decimals=1) == "1234.6"
    assert amount_input_text(12, "en", decimals=None) == "12"
    assert amount_input_text(12, "fi", decimals=None) == "12"
    assert amount_input_text(D("12.5"), "en", decimals=None) == "12.5"
    assert amount_input_text(D("1234.5"), "en-gb") == "1234.50"


def test_input_text_follows_the_active_language_and_defaults_to_finnish():
    from django.utils import translation

    from portfolio.money import amount_input_text

    with override("en"):
        assert amount_input_text(D("1234.5")) == "1234.50"
    with override("sv"):
        assert amount_input_text(D("1234.5")) == "1\u00a0234,50"
    with override(None):
        assert translation.get_language() is None
        assert amount_input_text(D("1234.5")) == "1\u00a0234,50"


@pytest.mark.parametrize(("raw", "code", "quoted"), [
    ("1,000", "too_many_decimals", "1,000"), ("2.5000", "too_many_decimals", "2.5000"),
    ([1], "not_numeric", "[1]"), ("12e3", "not_numeric", "12e3"), (-3, "negative", "-3"),
    (D("NaN"), "not_numeric", "NaN"), (D("1.001"), "too_many_decimals", "1.001"),
    (D("1e400"), "too_large", "1E+400"), ("-5,00", "negative", "-5,00"),
    ("1 000 000 000 000", "too_large", "1 000 000 000 000"),
])
def test_each_refusal_quotes_what_was_typed(raw, code, quoted):
    """"1,000" is one euro with three decimals (refused), not a thousand: the message says what was typed."""
    with pytest.raises(ValidationError) as exc:
        parse_amount(raw)
    assert (exc.value.code, exc.value.params) == (code, {"value": quoted})

"""Money input: the one parser of euro amounts typed in forms or sent as API strings.

Accepted: digits, optionally grouped in threes by spaces, no-break spaces or narrow no-break spaces
("1 234 567"), a comma or a point before at most two decimals ("1 234,50", "1234.5"), an optional
trailing "€". Refused: exponents ("1e9"), other separators ("1,234.50"), more than two decimals,
NaN/infinity, and a sign unless the caller allows one (a correction). JSON numbers stay numbers but
obey the same rules (finite, at most two decimals). Blank input is zero.

At the bottom layer and free of models, so that forms, selectors and services of every app (the
project form's budget shares, funding's plan, governance's proposals) import it without a cycle.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class MoneyColumn(TypedDict):
    max_digits: int
    decimal_places: int


# The size of every amount column (euros with cents).
MONEY: MoneyColumn = {"max_digits": 14, "decimal_places": 2}

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")

_GROUP_SPACES = " \u00a0\u202f"
_AMOUNT = re.compile(
    r"^(?P<sign>[+\-\u2212])?"
    r"(?P<int>[0-9]{1,3}(?:[" + _GROUP_SPACES + r"][0-9]{3})+|[0-9]+)"
    r"(?:[.,](?P<dec>[0-9]+))?$"
)

MESSAGES = {
    "not_numeric": _("“%(value)s” is not an amount in euros. Write it like 12 500,00."),
    "negative": _("An amount cannot be negative."),
    "too_large": _("The amount is too large."),
    "too_many_decimals": _("An amount has at most two decimals (cents)."),
}


def _error(code: str, value: object) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params={"value": str(value)[:40]})


def parse_amount(raw: object, *, allow_negative: bool = False) -> Decimal:
    """A euro amount (Decimal with two decimals) from a form or API value; raises ValidationError with a
    translated message and a code (``not_numeric``, ``negative``, ``too_large``, ``too_many_decimals``)."""
    if raw is None:
        return ZERO
    if isinstance(raw, bool):
        raise _error("not_numeric", raw)
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))  # nan and ±inf become Decimal's NaN and ±Infinity: refused below as not finite
    elif isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, str):
        text = raw.strip()
        if text.endswith("€"):
            text = text[:-1].rstrip()
        if text == "":
            return ZERO
        match = _AMOUNT.fullmatch(text)
        if match is None:
            raise _error("not_numeric", raw)
        sign = "-" if match["sign"] in ("-", "\u2212") else ""
        digits = "".join(ch for ch in match["int"] if ch not in _GROUP_SPACES)
        decimals = match["dec"] or ""
        if len(decimals) > 2:
            raise _error("too_many_decimals", raw)
        value = Decimal(f"{sign}{digits}.{decimals or '0'}")
    else:
        raise _error("not_numeric", raw)
    try:
        if not value.is_finite():
            raise _error("not_numeric", raw)
        if value != value.quantize(CENT):
            raise _error("too_many_decimals", raw)
    except InvalidOperation as exc:  # far too many digits to quantize
        raise _error("too_large", raw) from exc
    if value < 0 and not allow_negative:
        raise _error("negative", raw)
    if abs(value) > MAX_AMOUNT:
        raise _error("too_large", raw)
    return value.quantize(CENT) + ZERO  # + ZERO turns -0.00 into 0.00


def amount_input_text(value: object, language: str | None = None, *, decimals: int | None = 2) -> str:
    """An amount as the initial value of an input, in the language's format and readable back by
    ``parse_amount``: fi/sv "186 000,00" (no-break spaces, Django's fi/sv thousand separator), en "186000.00"
    (no grouping: a comma would be refused, "1,234.50" is ambiguous). ``decimals=None`` keeps the value's
    own decimals (indicator counts stay "12"). Blank for None or ""; any other non-number as it was."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    try:
        number = Decimal(str(value))  # "" and other text: InvalidOperation, given back as it was
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if decimals is not None:
        number = number.quantize(Decimal(f"1e-{decimals}"))
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    code = language or get_language()  # None when translation is off: the default format (Finnish)
    if code is not None and code.startswith("en"):
        return f"{sign}{whole}" + (f".{fraction}" if fraction else "")
    head = len(whole) % 3 or 3
    grouped = "\u00a0".join([whole[:head]] + [whole[i:i + 3] for i in range(head, len(whole), 3)])
    return f"{sign}{grouped}" + (f",{fraction}" if fraction else "")

"""Indicator figures typed in forms or sent to the API: the one parser, by the indicator's unit.

Counts (enterprises, organisations, persons, solutions, ...) are whole numbers; euros and full-time
equivalents have at most two decimals. Digits may be grouped by spaces ("1 250"), a comma or a point
marks the decimals ("2,5", "2.5"), euros may end in "€". Never negative, never exponents or NaN. Forms,
serializers and services all use it, so one input gives the same answer everywhere."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DECIMAL_UNITS = ("euros", "fte")
MAX_VALUE = Decimal("99999999999999.99")
CENT = Decimal("0.01")

_GROUP_SPACES = " \u00a0\u202f"
_NUMBER = re.compile(
    r"^(?P<sign>[+\-\u2212])?(?P<int>[0-9]{1,3}(?:[" + _GROUP_SPACES + r"][0-9]{3})+|[0-9]+)(?:[.,](?P<dec>[0-9]+))?$"
)

MESSAGES = {
    "not_a_number": _("“%(value)s” is not a number."),
    "not_whole": _("This indicator counts %(unit)s: enter a whole number."),
    "too_many_decimals": _("Enter at most two decimals."),
    "negative": _("A value cannot be negative."),
    "too_large": _("The value is too large."),
    "required": _("Enter a value."),
}


def _error(code: str, *, value: object = "", unit: str = "") -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params={"value": str(value)[:40], "unit": unit})


def _unit_label(unit: str) -> str:
    from .models.indicators import IndicatorUnit  # noqa: PLC0415  (labels only; the parser needs no model)

    return str(IndicatorUnit(unit).label) if unit in IndicatorUnit.values else unit


def parse_quantity(raw: object, *, unit: str) -> Decimal:
    """A value in ``unit`` from a form or API value; raises ValidationError with a translated message and a
    code (``required``, ``not_a_number``, ``not_whole``, ``too_many_decimals``, ``negative``, ``too_large``)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise _error("required")
    if isinstance(raw, bool):
        raise _error("not_a_number", value=raw)
    if isinstance(raw, int | Decimal):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    elif isinstance(raw, str):
        text = raw.strip()
        if unit == "euros" and text.endswith("€"):
            text = text[:-1].rstrip()
        match = _NUMBER.fullmatch(text)
        if match is None:
            raise _error("not_a_number", value=raw)
        sign = "-" if match["sign"] in ("-", "\u2212") else ""
        digits = "".join(ch for ch in match["int"] if ch not in _GROUP_SPACES)
        value = Decimal(f"{sign}{digits}.{match['dec'] or '0'}")
    else:
        raise _error("not_a_number", value=raw)
    if not value.is_finite():
        raise _error("not_a_number", value=raw)
    if value < 0:
        raise _error("negative", value=raw)
    if value > MAX_VALUE:
        raise _error("too_large", value=raw)
    try:
        if unit in DECIMAL_UNITS:
            if value != value.quantize(CENT):
                raise _error("too_many_decimals", value=raw)
        elif value != value.to_integral_value():
            raise _error("not_whole", value=raw, unit=_unit_label(unit))
    except InvalidOperation as exc:
        raise _error("too_large", value=raw) from exc
    return value.quantize(CENT)

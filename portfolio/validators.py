"""Validators for Finnish identifiers."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_BUSINESS_ID = re.compile(r"^(\d{6,7})-(\d)$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def business_id_check_digit(body: str) -> int | None:
    """The check digit of a 7-digit business ID body, or None when no digit can be valid (remainder 1)."""
    remainder = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def normalise_business_id(value: str) -> str:
    """Old six-digit IDs are written with a leading zero today."""
    value = value.strip()
    match = _BUSINESS_ID.match(value)
    if match and len(match.group(1)) == 6:
        return f"0{value}"
    return value


def validate_business_id(value: str) -> None:
    """A Finnish business ID (Y-tunnus): seven digits, a hyphen and a modulo-11 check digit."""
    value = normalise_business_id(value)
    match = _BUSINESS_ID.match(value)
    if not match:
        raise ValidationError(
            _("Enter a business ID in the form 1234567-8."), code="business_id_format"
        )
    expected = business_id_check_digit(match.group(1))
    if expected is None or expected != int(match.group(2)):
        raise ValidationError(
            _("The check digit of business ID %(value)s is wrong."),
            code="business_id_check_digit",
            params={"value": value},
        )

"""Small template filters of the funding pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def abs_amount(value: Any) -> Any:
    """The absolute value, for showing a negative amount in the portal's distinct 'negative' style."""
    try:
        return abs(Decimal(value))
    except (TypeError, ValueError, ArithmeticError):
        return value

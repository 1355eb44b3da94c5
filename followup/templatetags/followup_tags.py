"""Indicator figures in the active language's format: counts as whole numbers (1 250), FTE with two
decimals (2,50), euros as money (12 500,00 €)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

from portfolio.templatetags.portal import format_money

register = template.Library()


@register.filter
def quantity(value: Any, unit: str = "") -> str:
    """``{{ row.achieved|quantity:row.indicator.unit }}``; put it in a cell with class="num"."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value))
    if unit == "euros":
        return format_money(amount)
    if unit == "fte":
        return number_format(amount, 2, use_l10n=True, force_grouping=True)
    return number_format(amount, 0, use_l10n=True, force_grouping=True)


@register.filter
def percent(value: Any) -> str:
    if value is None:
        return "—"
    return f"{number_format(value, 0, use_l10n=True, force_grouping=True)}\u00a0%"

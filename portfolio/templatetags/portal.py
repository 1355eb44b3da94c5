"""Template filters of the portal: money and dates in the active language's format (ux.md)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django import forms, template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

from ..money import amount_input_text

register = template.Library()

NBSP = "\u00a0"
CENT = Decimal("0.01")


def _group(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return separator.join(parts)


def format_money(value: Any, language: str | None = None, *, decimals: int = 2) -> str:
    """Euros in the language's format: fi/sv 1 234 567,89 € (no-break spaces), en €1,234,567.89."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not amount.is_finite():
        return str(value)
    quantum = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    amount = amount.quantize(quantum, rounding=ROUND_HALF_UP)
    negative = amount < 0
    whole, _, fraction = f"{abs(amount):f}".partition(".")
    language = (language or get_language() or "fi")[:2]
    if language == "en":
        text = _group(whole, ",") + (f".{fraction}" if decimals else "")
        text = f"€{text}"
    else:
        text = _group(whole, NBSP) + (f",{fraction}" if decimals else "")
        text = f"{text}{NBSP}€"
    return f"\u2212{text}" if negative else text


@register.filter
def money(value: Any) -> str:
    """`{{ amount|money }}`; put it in a cell with class="num" to right-align it."""
    return format_money(value)


@register.filter
def money0(value: Any) -> str:
    """Whole euros, for charts and dense matrices."""
    return format_money(value, decimals=0)


@register.filter
def money_input(value: Any) -> str:
    """An amount as an input's value or placeholder in the language's format ("186 000,00"; "186000.00" in
    English), which portfolio.money.parse_amount reads back."""
    return amount_input_text(value)


@register.filter
def day(value: Any) -> str:
    """A date as 24.11.2026 (fi, sv) or 24 Nov 2026 (en); datetimes in Europe/Helsinki."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    language = (get_language() or "fi")[:2]
    if language == "en":
        return date_format(value, "j M Y")
    return date_format(value, "j.n.Y")


@register.filter
def moment(value: Any) -> str:
    """A date and time in Europe/Helsinki: 24.11.2026 klo 14.05 style digits, 24 Nov 2026 14:05 in English."""
    if not value:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    language = (get_language() or "fi")[:2]
    if language == "en":
        return date_format(value, "j M Y H:i")
    return date_format(value, "j.n.Y H.i")


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with some parameters replaced (None/'' removes them); page is reset
    unless given, so sorting or filtering starts from the first page."""
    request = context.get("request")
    params = request.GET.copy() if request is not None else {}
    if hasattr(params, "pop"):
        params.pop("page", None)
    for key, val in changes.items():
        if val is None or val == "":
            params.pop(key, None)
        else:
            params[key] = str(val)
    return urlencode(list(params.lists()) if hasattr(params, "lists") else params, doseq=True)


@register.inclusion_tag("portfolio/includes/sort_header.html", takes_context=True)
def sortable(context: template.Context, field: str, label: str, css: str = "") -> dict[str, Any]:
    """A column header that sorts the list by `field` (toggling direction) and says its state for
    screen readers with aria-sort."""
    request = context["request"]
    current = request.GET.get("ordering", "")
    if current == field:
        state, target = "ascending", f"-{field}"
    elif current == f"-{field}":
        state, target = "descending", field
    else:
        state, target = "none", field
    params = request.GET.copy()
    params.pop("page", None)
    params["ordering"] = target
    return {"label": label, "state": state, "url": f"?{params.urlencode()}", "css": css}


BOOTSTRAP_BASES = ("form-control", "form-select", "form-check-input")


@register.filter
def bootstrap(bound_field: Any) -> Any:
    """A form field's widget with the Bootstrap class for its kind, `is-invalid`/`aria-invalid` on error and
    `aria-describedby` naming its help text and error (the ids form_field.html gives them). Forms that set
    these themselves (AccessibleFormMixin) keep theirs. Choice lists (radios, checkboxes) are rendered choice
    by choice in the templates and are returned as they are."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple) or widget.is_hidden:
        return bound_field
    if isinstance(widget, forms.CheckboxInput):
        base = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        base = "form-select"
    else:
        base = "form-control"
    classes = widget.attrs.get("class", "").split()
    if not any(css.startswith(BOOTSTRAP_BASES) for css in classes):
        classes.append(base)
    attrs: dict[str, str] = {}
    if bound_field.errors:
        if "is-invalid" not in classes:
            classes.append("is-invalid")
        attrs["aria-invalid"] = "true"
    described = [f"{bound_field.auto_id}_help"] if bound_field.help_text else []
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}_error")
    if described and "aria-describedby" not in widget.attrs:
        attrs["aria-describedby"] = " ".join(described)
    attrs["class"] = " ".join(classes)
    return bound_field.as_widget(attrs=attrs)

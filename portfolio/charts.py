"""Chart specifications: the figures of one chart and the table that carries them (templates/includes/chart.html).

A chart is drawn in the browser by static/js/charts.js with Chart.js (vendored from npm by `make assets`),
from a JSON island of the same figures that the table under it shows; without JavaScript the table alone
is the chart. Selectors build the figures; this module only gives them one shape, so every chart of the
portal has a title, a data table and the same styles."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypedDict

# The series styles charts.js knows (colours with at least 3:1 contrast on white, WCAG 1.4.11).
# The pipeline stages (the trend chart) have a style each.
STYLES = ("frame", "committed", "spent", "planned", "granted", "idea", "proposal", "approved", "running", "closed")


class Series(TypedDict, total=False):
    label: str
    values: Sequence[Decimal | None]
    style: str
    dashed: bool


UNITS = ("eur", "percent", "count")


def chart(*, key: str, title: str, kind: str, label_heading: str, labels: Sequence[Any],
          series: Sequence[Series], unit: str = "eur", horizontal: bool = False) -> dict[str, Any]:
    """One chart: ``kind`` is "bar" or "line"; ``labels`` the category axis (years, indicator codes), each
    series one value per label, in ``unit`` (euros, per cent or a count; None for a missing value). ``horizontal``
    lays bars along the x axis (long lists of labels). ``key`` makes the element ids unique on the page."""
    if kind not in ("bar", "line"):
        raise ValueError(f"unknown chart kind {kind!r}")
    if unit not in UNITS:
        raise ValueError(f"unknown chart unit {unit!r}")
    for item in series:
        if item.get("style") not in STYLES:
            raise ValueError(f"unknown series style {item.get('style')!r}")
        if len(item["values"]) != len(labels):
            raise ValueError("every series needs one value per label")
    return {
        "key": key, "title": title, "kind": kind, "label_heading": label_heading, "unit": unit,
        "series": list(series),
        "rows": [{"label": label, "values": [item["values"][i] for item in series]} for i, label in enumerate(labels)],
        "script_id": f"chart-data-{key}",
        "data": {"kind": kind, "unit": unit, "horizontal": horizontal, "labels": [str(label) for label in labels],
                 "series": [{"label": str(item["label"]), "style": item["style"], "dashed": bool(item.get("dashed")),
                             "values": [None if value is None else str(value) for value in item["values"]]}
                            for item in series]},
    }

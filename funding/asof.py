"""Funding lines and frames at the end of a day, from the change history (see ``portfolio.asof``)."""

from __future__ import annotations

import datetime as dt
from typing import TypeAlias

from django.db.models import QuerySet

from portfolio.asof import is_live, latest_rows

from .asof_models import AsOfFundingLine
from .models import FundingFrame, FundingLine

# The funding lines a figure is counted from: the live rows, or the rows as they stood at the end of a day
# (``line_source``). Both answer the same lookups.
LineRows: TypeAlias = QuerySet[FundingLine] | QuerySet[AsOfFundingLine]


def line_source(as_of: dt.date | None = None) -> LineRows:
    """The funding lines to count figures from: the live table today, otherwise every line as it stood at
    the end of ``as_of``, each joined to its project's row of the same moment, so that ``project__status``,
    ``project__priority__code`` and the other lookups of the counting rules give that day's values."""
    if as_of is None or is_live(as_of):
        return FundingLine.objects.all()
    from portfolio.asof_models import AsOfProject

    return AsOfFundingLine.objects.filter(
        history_id__in=latest_rows(AsOfFundingLine, as_of).values("history_id"),
        project__history_id__in=latest_rows(AsOfProject, as_of).values("history_id"),
    )


def frame_source(as_of: dt.date | None = None) -> QuerySet:
    """The funding frames in force at the end of ``as_of`` (historical rows; ``id`` is the frame's id)."""
    if as_of is None or is_live(as_of):
        return FundingFrame.objects.all()
    history = FundingFrame.history.model
    return history.objects.filter(history_id__in=latest_rows(history, as_of).values("history_id"))

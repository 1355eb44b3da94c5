"""Chainable querysets of the funding app (below the models, which attach them as managers)."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from .choices import FundingLineKind

# The live funding lines and their point-in-time rows (asof_models.AsOfFundingLine) share the queryset.
_Line = TypeVar("_Line", bound=models.Model)


class FundingLineQuerySet(models.QuerySet[_Line]):
    def regular(self) -> FundingLineQuerySet[_Line]:
        """The financing plan's own lines, without corrections."""
        return self.filter(kind=FundingLineKind.LINE)

    def corrections(self) -> FundingLineQuerySet[_Line]:
        return self.filter(kind=FundingLineKind.CORRECTION)

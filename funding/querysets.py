"""Chainable querysets of the funding app (below the models, which attach them as managers)."""

from __future__ import annotations

from django.db import models

from .choices import FundingLineKind


class FundingLineQuerySet(models.QuerySet):
    def regular(self) -> FundingLineQuerySet:
        """The financing plan's own lines, without corrections."""
        return self.filter(kind=FundingLineKind.LINE)

    def corrections(self) -> FundingLineQuerySet:
        return self.filter(kind=FundingLineKind.CORRECTION)

"""A read-only view of the funding lines' change history with the live model's field names; its
``project`` leads to the project's historical row of the same moment (see ``funding.asof``)."""

from __future__ import annotations

from django.db import models

from portfolio.money import MONEY

from .querysets import FundingLineQuerySet


class AsOfFundingLine(models.Model):
    """One historical row of a funding line (``funding_historicalfundingline``)."""

    history_id = models.AutoField(primary_key=True)
    id = models.BigIntegerField()
    history_date = models.DateTimeField()
    history_type = models.CharField(max_length=1)
    project = models.ForeignKey("portfolio.AsOfProject", to_field="id", on_delete=models.DO_NOTHING,
                                db_constraint=False, related_name="+")
    instrument = models.ForeignKey("funding.FundingInstrument", on_delete=models.DO_NOTHING, db_constraint=False,
                                   related_name="+")
    year = models.PositiveSmallIntegerField()
    planned_amount = models.DecimalField(**MONEY)
    granted_amount = models.DecimalField(**MONEY)
    spent_amount = models.DecimalField(**MONEY)
    kind = models.CharField(max_length=10)
    note = models.CharField(max_length=200)

    objects = FundingLineQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "funding_historicalfundingline"
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.project_id} {self.instrument_id} {self.year} @ {self.history_date:%Y-%m-%d %H:%M}"

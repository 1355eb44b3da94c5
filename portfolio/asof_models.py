"""Read-only views of the change history as the portfolio stood at a moment (see ``portfolio.asof``).

These unmanaged models sit on django-simple-history's tables and keep the field names of the live models,
so the same queryset lookups (``project__status``, ``project__priority__code``, ``project__methods__code``,
...) that the figures use on the live tables work on a point-in-time reconstruction. They are never
written: the history tables are written only by simple-history."""

from __future__ import annotations

from django.db import models


class AsOfProject(models.Model):
    """One historical row of a project (``portfolio_historicalproject``). Filtered by
    ``portfolio.asof.project_rows_as_of`` to the latest row of each project at a moment."""

    history_id = models.AutoField(primary_key=True)
    # Not unique in the table (one row per change): unique only within a point-in-time selection,
    # which is the only way it is joined (``funding.asof.line_source``).
    id = models.BigIntegerField(unique=True)
    history_date = models.DateTimeField()
    history_type = models.CharField(max_length=1)
    agreement = models.ForeignKey("portfolio.Agreement", on_delete=models.DO_NOTHING, db_constraint=False,
                                  related_name="+")
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=255)
    status = models.CharField(max_length=12)
    start_date = models.DateField(null=True)
    end_date = models.DateField(null=True)
    internationalisation = models.TextField()
    is_coordination_project = models.BooleanField()
    is_supra_regional = models.BooleanField()
    created_at = models.DateTimeField()
    lead_organisation = models.ForeignKey("portfolio.Organisation", on_delete=models.DO_NOTHING,
                                          db_constraint=False, related_name="+")
    priority = models.ForeignKey("portfolio.Priority", on_delete=models.DO_NOTHING, db_constraint=False,
                                 related_name="+")
    methods = models.ManyToManyField("portfolio.MethodCategory", through="AsOfProjectMethod",
                                     through_fields=("history", "methodcategory"), related_name="+")
    themes = models.ManyToManyField("portfolio.Theme", through="AsOfProjectTheme",
                                    through_fields=("history", "theme"), related_name="+")

    class Meta:
        managed = False
        db_table = "portfolio_historicalproject"
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.code} @ {self.history_date:%Y-%m-%d %H:%M}"


class AsOfProjectMethod(models.Model):
    """The method categories of one historical project row (``portfolio_historicalproject_methods``)."""

    m2m_history_id = models.AutoField(primary_key=True)
    history = models.ForeignKey(AsOfProject, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    methodcategory = models.ForeignKey("portfolio.MethodCategory", on_delete=models.DO_NOTHING,
                                       db_constraint=False, related_name="+")

    class Meta:
        managed = False
        db_table = "portfolio_historicalproject_methods"
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.history_id}: {self.methodcategory_id}"


class AsOfProjectTheme(models.Model):
    """The themes of one historical project row (``portfolio_historicalproject_themes``)."""

    m2m_history_id = models.AutoField(primary_key=True)
    history = models.ForeignKey(AsOfProject, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    theme = models.ForeignKey("portfolio.Theme", on_delete=models.DO_NOTHING, db_constraint=False,
                              related_name="+")

    class Meta:
        managed = False
        db_table = "portfolio_historicalproject_themes"
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.history_id}: {self.theme_id}"

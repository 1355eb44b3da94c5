"""Funding instruments, the agreement's funding frames and each project's funding lines."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portfolio.i18n import SourceLanguageColumns
from portfolio.models import RequestIDHistory
from portfolio.money import MONEY

from .choices import FundingLineKind, InstrumentCode, ShareGroup
from .querysets import FundingLineQuerySet

ZERO = Decimal("0.00")


class FundingInstrument(SourceLanguageColumns, models.Model):
    """A source of money (ERDF, ESF+, JTF, AKKE, RRF, city, other public, private) and its share group."""

    code = models.CharField(_("code"), max_length=8, choices=InstrumentCode.choices, unique=True)
    name = models.CharField(_("name"), max_length=120)
    share_group = models.CharField(_("share group"), max_length=10, choices=ShareGroup.choices)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(
        _("available until"), null=True, blank=True,
        help_text=_("Not offered for new proposals after this date; kept reportable as history."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("funding instrument")
        verbose_name_plural = _("funding instruments")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def short_name(self) -> str:
        """The name in the active language up to its explanation in brackets: "EAKR" for "EAKR (Euroopan
        aluekehitysrahasto)", "ERUF" in Swedish; a name without brackets whole. For table cells and headers,
        where users read the name, not the code (codes are for the API and imports)."""
        name = self.name or self.code
        return name.split(" (", 1)[0].strip() or name


class FundingFrame(models.Model):
    """The funding frame (rahoituskehys) of an agreement per instrument and year, from TEM's regional
    allocation decision. A later allocation changes the amount; the history keeps every earlier value."""

    agreement = models.ForeignKey("portfolio.Agreement", on_delete=models.CASCADE, related_name="funding_frames",
                                  verbose_name=_("agreement"))
    instrument = models.ForeignKey(FundingInstrument, on_delete=models.PROTECT, related_name="frames",
                                   verbose_name=_("instrument"))
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (€)"), **MONEY)
    decision_reference = models.CharField(_("allocation decision"), max_length=120, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)

    history = HistoricalRecords(bases=[RequestIDHistory])

    class Meta:
        verbose_name = _("funding frame")
        verbose_name_plural = _("funding frames")
        ordering = ["agreement", "year", "instrument__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "instrument", "year"],
                                    name="%(app_label)s_%(class)s_unique",
                                    violation_error_message=_("A frame for this instrument and year exists already.")),
            models.CheckConstraint(condition=Q(amount__gte=0), name="%(app_label)s_%(class)s_amount_not_negative",
                                   violation_error_message=_("A frame cannot be negative.")),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100),
                                   name="%(app_label)s_%(class)s_year_range",
                                   violation_error_message=_("Enter a year between 2000 and 2100.")),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.instrument.code} {self.year}"


class FundingLine(models.Model):
    """A project's money from one instrument in one year: planned, granted and spent euros.

    A project has at most one regular line and one correction per instrument and year. A correction
    may be negative (e.g. money recovered after an audit); sums of all lines give the net figures."""

    project = models.ForeignKey("portfolio.Project", on_delete=models.PROTECT, related_name="funding_lines",
                                verbose_name=_("project"))
    instrument = models.ForeignKey(FundingInstrument, on_delete=models.PROTECT, related_name="lines",
                                   verbose_name=_("instrument"))
    year = models.PositiveSmallIntegerField(_("year"))
    planned_amount = models.DecimalField(_("planned (€)"), default=ZERO, **MONEY)
    granted_amount = models.DecimalField(_("granted (€)"), default=ZERO, **MONEY)
    spent_amount = models.DecimalField(_("spent (€)"), default=ZERO, **MONEY)
    kind = models.CharField(_("kind"), max_length=10, choices=FundingLineKind.choices, default=FundingLineKind.LINE)
    note = models.CharField(_("reason"), max_length=200, blank=True,
                            help_text=_("Why a correction was made, e.g. the audit or recovery decision."))
    # Where the granted and spent amounts come from (the plan never sets them): the funding authority's
    # decision, or a description of the steering group's decision or the spending entries.
    granted_decision = models.ForeignKey("FundingDecision", on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+", verbose_name=_("granted by"))
    granted_source = models.CharField(_("source of the granted amount"), max_length=200, blank=True)
    spent_source = models.CharField(_("source of the spent amount"), max_length=200, blank=True)

    objects = FundingLineQuerySet.as_manager()
    history = HistoricalRecords(bases=[RequestIDHistory])

    class Meta:
        verbose_name = _("funding line")
        verbose_name_plural = _("funding lines")
        ordering = ["project", "year", "instrument__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "instrument", "year", "kind"], name="%(app_label)s_%(class)s_unique_kind",
                violation_error_message=_("The project already has a line for this instrument and year."),
            ),
            models.CheckConstraint(
                condition=Q(planned_amount__gte=0, granted_amount__gte=0, spent_amount__gte=0)
                | Q(kind=FundingLineKind.CORRECTION),
                name="%(app_label)s_%(class)s_amounts_not_negative_unless_correction",
                violation_error_message=_("Amounts cannot be negative."),
            ),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100),
                                   name="%(app_label)s_%(class)s_year_range",
                                   violation_error_message=_("Enter a year between 2000 and 2100.")),
        ]
        indexes = [models.Index(fields=["instrument", "year"], name="fline_instrument_year_idx")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.instrument.code} {self.year}"


class FundingDecision(models.Model):
    """The funding authority's decision on a project (for this agreement's ERDF the Regional Council of
    Uusimaa): its date, reference (diary number), the EURA project code and the granted amounts per
    instrument and year (``lines``). Recording one sets the project's granted amounts of those lines.

    ``kind`` "migrated" marks the records that gave the granted amounts entered before decisions were
    recorded a source; they hold the amounts as they stood, unchanged."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("Funding decision")
        AMENDMENT = "amendment", _("Amending decision")
        MIGRATED = "migrated", _("Granted before decisions were recorded")

    project = models.ForeignKey("portfolio.Project", on_delete=models.PROTECT, related_name="funding_decisions",
                                verbose_name=_("project"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DECISION)
    authority = models.CharField(_("funding authority"), max_length=120, blank=True,
                                 help_text=_("E.g. the Regional Council of Uusimaa."))
    decided_on = models.DateField(_("decision date"))
    reference = models.CharField(_("reference (diary number)"), max_length=120)
    eura_code = models.CharField(_("EURA project code"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funding decision")
        verbose_name_plural = _("funding decisions")
        ordering = ["project", "decided_on", "pk"]
        permissions = [("record_funding_decision", _("Can record the funding authority's decisions"))]
        constraints = [
            models.UniqueConstraint(fields=["project", "reference"], name="%(app_label)s_%(class)s_unique_reference",
                                    violation_error_message=_("This decision is recorded already.")),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.decided_on:%Y-%m-%d})"

    @property
    def source_label(self) -> str:
        """What the granted amounts' history says about where they come from."""
        return f"{self.get_kind_display()} {self.reference} {self.decided_on:%Y-%m-%d}"[:100]


class FundingDecisionLine(models.Model):
    """The amount a funding decision grants from one instrument in one year."""

    decision = models.ForeignKey(FundingDecision, on_delete=models.CASCADE, related_name="lines",
                                 verbose_name=_("funding decision"))
    instrument = models.ForeignKey(FundingInstrument, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("instrument"))
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("granted (€)"), **MONEY)

    class Meta:
        verbose_name = _("funding decision line")
        verbose_name_plural = _("funding decision lines")
        ordering = ["decision", "year", "instrument__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "instrument", "year"], name="%(app_label)s_%(class)s_unique",
                                    violation_error_message=_("The decision already has a line for this "
                                                              "instrument and year.")),
            models.CheckConstraint(condition=Q(amount__gte=0), name="%(app_label)s_%(class)s_amount_not_negative",
                                   violation_error_message=_("Amounts cannot be negative.")),
        ]

    def __str__(self) -> str:
        return f"{self.decision} {self.instrument.code} {self.year}"


class SpendingEntry(models.Model):
    """A dated spending figure of a project's instrument and year with its source (a payment claim, a
    progress report, a EURA figure). A project's spent amount per instrument and year is the sum of its
    entries; a negative entry corrects an earlier one (its reference says which)."""

    class Source(models.TextChoices):
        PAYMENT_CLAIM = "claim", _("Payment claim")
        PROGRESS_REPORT = "report", _("Progress report")
        EURA = "eura", _("EURA figure")
        CORRECTION = "correction", _("Correction")
        MIGRATED = "migrated", _("Spent before spending entries were recorded")

    project = models.ForeignKey("portfolio.Project", on_delete=models.PROTECT, related_name="spending_entries",
                                verbose_name=_("project"))
    instrument = models.ForeignKey(FundingInstrument, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("instrument"))
    year = models.PositiveSmallIntegerField(_("year"))
    date = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    reference = models.CharField(_("reference"), max_length=120)
    amount = models.DecimalField(_("spent (€)"), **MONEY)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("spending entry")
        verbose_name_plural = _("spending entries")
        ordering = ["project", "date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0) | Q(source="correction"),
                                   name="%(app_label)s_%(class)s_negative_only_correction",
                                   violation_error_message=_("Only a correction can be negative.")),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.instrument.code} {self.year} {self.reference}"

    @property
    def source_label(self) -> str:
        return f"{self.get_source_display()} {self.reference} {self.date:%Y-%m-%d}"[:100]


from .asof_models import AsOfFundingLine  # noqa: E402,F401  (a point-in-time view of the history)


class EuraImport(models.Model):
    """An uploaded EURA 2021 export of one agreement (TEM's official ledger of funded projects): its rows as
    read, kept so that the reconciliation can be shown again and every accepted difference points to the
    export it came from. Nothing in the portfolio changes until a coordinator accepts a difference."""

    agreement = models.ForeignKey("portfolio.Agreement", on_delete=models.PROTECT, related_name="eura_imports",
                                  verbose_name=_("agreement"))
    exported_on = models.DateField(_("export date"))
    file_name = models.CharField(_("file"), max_length=200)
    rows = models.JSONField(_("rows"), default=list)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("uploaded by"))

    class Meta:
        verbose_name = _("EURA export")
        verbose_name_plural = _("EURA exports")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.exported_on:%Y-%m-%d})"

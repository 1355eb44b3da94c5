"""Results indicators (the catalogue, each project's targets and achieved values), the enterprise register
and project milestones."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from portfolio.i18n import SourceLanguageColumns
from portfolio.models import RequestIDHistory
from portfolio.validators import validate_business_id

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser



class IndicatorUnit(models.TextChoices):
    ENTERPRISES = "enterprises", _("enterprises")
    ORGANISATIONS = "organisations", _("organisations")
    PERSONS = "persons", _("persons")
    EUROS = "euros", _("euros")
    FTE = "fte", _("full-time equivalents (FTE)")
    SOLUTIONS = "solutions", _("solutions")
    EXPERIMENTS = "experiments", _("experiments")
    PROCUREMENTS = "procurements", _("procurements")


# Units measured in decimals (euros with cents, FTE with two decimals); every other unit counts things.
DECIMAL_UNITS = (IndicatorUnit.EUROS, IndicatorUnit.FTE)


class IndicatorKind(models.TextChoices):
    OUTPUT = "output", _("output")
    RESULT = "result", _("result")


class Breakdown(models.TextChoices):
    SIZE_CLASS = "size_class", _("enterprise size class")


class SizeClass(models.TextChoices):
    MICRO = "micro", _("micro")
    SMALL = "small", _("small")
    MEDIUM = "medium", _("medium")
    LARGE = "large", _("large")


# The values each breakdown dimension takes.
BREAKDOWN_VALUES: dict[str, type[models.TextChoices]] = {Breakdown.SIZE_CLASS: SizeClass}


class EnterpriseRelation(models.TextChoices):
    GRANT = "grant", _("supported with a grant")
    NON_FINANCIAL = "non_financial", _("non-financial support")
    RESEARCH = "research", _("cooperating with research organisations")
    SERVICES = "services", _("using services")


class RegisterCount(models.TextChoices):
    """Which enterprises of the register an indicator counts (each enterprise once)."""

    SUPPORTED = "supported", _("enterprises supported in any way")
    GRANT = "grant", _("enterprises supported with a grant")
    NON_FINANCIAL = "non_financial", _("enterprises with non-financial support")
    NEW = "new", _("new enterprises supported")
    RESEARCH = "research", _("enterprises cooperating with research organisations")
    INVOLVED = "involved", _("every enterprise involved")


# Supported (RCO01) = a grant, non-financial support or research cooperation; "using services" only
# involves an enterprise (it is counted in "companies involved", not as supported).
SUPPORTED_RELATIONS = (EnterpriseRelation.GRANT, EnterpriseRelation.NON_FINANCIAL, EnterpriseRelation.RESEARCH)


def register_relations_q(count: str) -> Q:
    """The ProjectEnterprise rows an indicator's register count takes in (the one definition)."""
    if count == RegisterCount.SUPPORTED:
        return Q(relation__in=SUPPORTED_RELATIONS)
    if count == RegisterCount.NEW:
        return Q(relation__in=SUPPORTED_RELATIONS, is_new=True)
    if count == RegisterCount.INVOLVED:
        return Q()
    return Q(relation=count)


def _visible_projects(user: AbstractBaseUser | AnonymousUser) -> models.QuerySet:
    from portfolio.models import Project

    return Project.objects.visible_to(user).values("pk")


class ProjectScopedQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> ProjectScopedQuerySet:
        return self.filter(project__in=_visible_projects(user)) if user.is_authenticated else self.none()


class IndicatorQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> IndicatorQuerySet:
        # The catalogue is common data of every agreement.
        return self.all() if user.is_authenticated else self.none()


class EnterpriseQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> EnterpriseQuerySet:
        """The enterprises reached by a project the user may see (each enterprise once)."""
        if not user.is_authenticated:
            return self.none()
        linked = ProjectEnterprise.objects.filter(project__in=_visible_projects(user)).values("enterprise_id")
        return self.filter(pk__in=linked)


class MilestoneQuerySet(ProjectScopedQuerySet):
    def late(self, today: dt.date) -> MilestoneQuerySet:
        return self.filter(late_q(today))


def late_q(today: dt.date) -> Q:
    """A milestone is late when its planned date has passed without an actual date, or it was reached
    after the planned date (the one definition, with ``Milestone.is_late_on``)."""
    return Q(actual_date__isnull=True, planned_date__lt=today) | Q(actual_date__gt=F("planned_date"))


class Indicator(SourceLanguageColumns, models.Model):
    """A results indicator of the catalogue: an ERDF common indicator (RCO01, RCR01, ...) or one of the
    agreement's own. Loaded by ``load_agreement``; editable in the admin."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=255)
    unit = models.CharField(_("unit"), max_length=16, choices=IndicatorUnit.choices)
    kind = models.CharField(pgettext_lazy("indicator", "type"), max_length=8, choices=IndicatorKind.choices)
    is_cumulative = models.BooleanField(
        _("cumulative"), default=True,
        help_text=_("A value tells the total reached so far; otherwise what was reached in its period."))
    breakdown = models.CharField(_("breakdown"), max_length=16, choices=Breakdown.choices, blank=True)
    register_count = models.CharField(
        _("counted from the enterprise register"), max_length=16, choices=RegisterCount.choices, blank=True,
        help_text=_("Counted from the enterprises a project has reached, each enterprise once; no values "
                    "are entered."))
    is_common = models.BooleanField(_("ERDF common indicator"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    # modeltranslation replaces the manager at run time with a generated subclass the checker cannot see.
    objects = IndicatorQuerySet.as_manager()  # type: ignore[django-manager-missing]
    # History is registered in translation.py, after the per-language fields exist.

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_decimal(self) -> bool:
        return self.unit in DECIMAL_UNITS

    @property
    def from_register(self) -> bool:
        return bool(self.register_count)


class IndicatorTarget(models.Model):
    """A project's target for one indicator (optionally for one breakdown value, e.g. small enterprises)."""

    project = models.ForeignKey("portfolio.Project", on_delete=models.PROTECT, related_name="indicator_targets",
                                verbose_name=_("project"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="targets",
                                  verbose_name=_("indicator"))
    breakdown_value = models.CharField(_("breakdown value"), max_length=16, blank=True)
    target_value = models.DecimalField(_("target"), max_digits=16, decimal_places=2)

    objects = ProjectScopedQuerySet.as_manager()
    history = HistoricalRecords(bases=[RequestIDHistory])

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        ordering = ["project", "indicator__sort_order", "indicator__code", "breakdown_value"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "indicator", "breakdown_value"], name="%(app_label)s_%(class)s_unique",
                violation_error_message=_("The project already has a target for this indicator."),
            ),
            models.CheckConstraint(condition=Q(target_value__gte=0),
                                   name="%(app_label)s_%(class)s_not_negative",
                                   violation_error_message=_("A target cannot be negative.")),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.indicator.code}"


class IndicatorValue(models.Model):
    """A value a project achieved for one indicator: for a period (``period_start``–``period_end``) or on a
    date (``period_end`` alone). Cumulative indicators: the total so far; per-period ones: that period's.
    A value entered in a progress report links to it (``report``) and counts only once the report is
    accepted; a value recorded on the project page has no report and counts from its entry."""

    project = models.ForeignKey("portfolio.Project", on_delete=models.PROTECT, related_name="indicator_values",
                                verbose_name=_("project"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values",
                                  verbose_name=_("indicator"))
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end or date"))
    value = models.DecimalField(_("achieved value"), max_digits=16, decimal_places=2)
    breakdown_value = models.CharField(_("breakdown value"), max_length=16, blank=True)
    source_note = models.CharField(_("source"), max_length=255, blank=True,
                                   help_text=_("Where the figure comes from, e.g. the project's monitoring data."))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    report = models.ForeignKey("followup.ProgressReport", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="indicator_values", verbose_name=_("progress report"),
                               help_text=_("The progress report that reported the value, if any."))

    objects = ProjectScopedQuerySet.as_manager()
    history = HistoricalRecords(bases=[RequestIDHistory])

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["project", "indicator__sort_order", "period_end", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "indicator", "breakdown_value", "period_start", "period_end"],
                condition=Q(period_start__isnull=False), name="%(app_label)s_%(class)s_unique_period",
                violation_error_message=_("The project already has a value for this indicator and period."),
            ),
            models.UniqueConstraint(
                fields=["project", "indicator", "breakdown_value", "period_end"],
                condition=Q(period_start__isnull=True), name="%(app_label)s_%(class)s_unique_date",
                violation_error_message=_("The project already has a value for this indicator and date."),
            ),
            models.CheckConstraint(condition=Q(period_start__isnull=True) | Q(period_end__gte=F("period_start")),
                                   name="%(app_label)s_%(class)s_end_after_start",
                                   violation_error_message=_("The end of the period cannot be before its start.")),
            models.CheckConstraint(condition=Q(value__gte=0), name="%(app_label)s_%(class)s_not_negative",
                                   violation_error_message=_("A value cannot be negative.")),
        ]
        indexes = [models.Index(fields=["indicator", "period_end"], name="indvalue_indicator_end_idx")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.indicator.code} {self.period_end}"


class Enterprise(models.Model):
    """A company of the enterprise register, identified by its Finnish business ID (Y-tunnus)."""

    business_id = models.CharField(_("business ID"), max_length=9, unique=True, validators=[validate_business_id],
                                   help_text=_("Finnish business ID (Y-tunnus), e.g. 0201256-6."))
    name = models.CharField(_("name"), max_length=200)
    size_class = models.CharField(_("size class"), max_length=8, choices=SizeClass.choices)

    objects = EnterpriseQuerySet.as_manager()
    history = HistoricalRecords(bases=[RequestIDHistory])

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "business_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.business_id})"


class ProjectEnterprise(models.Model):
    """An enterprise a project reaches, and how (a grant, non-financial support, research cooperation,
    using services), from ``date`` on."""

    project = models.ForeignKey("portfolio.Project", on_delete=models.PROTECT, related_name="enterprise_links",
                                verbose_name=_("project"))
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="project_links",
                                   verbose_name=_("enterprise"))
    relation = models.CharField(_("relation"), max_length=16, choices=EnterpriseRelation.choices)
    is_new = models.BooleanField(_("new enterprise"), default=False,
                                 help_text=_("The enterprise was founded during or just before the support."))
    date = models.DateField(_("date"), help_text=_("From when the enterprise is counted."))

    objects = ProjectScopedQuerySet.as_manager()
    history = HistoricalRecords(bases=[RequestIDHistory])

    class Meta:
        verbose_name = _("enterprise of a project")
        verbose_name_plural = _("enterprises of projects")
        ordering = ["project", "enterprise__name", "relation"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "enterprise", "relation"], name="%(app_label)s_%(class)s_unique",
                violation_error_message=_("This enterprise is already linked to the project in this way."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code}: {self.enterprise} ({self.get_relation_display()})"


class Milestone(models.Model):
    """A milestone of a project with its planned and actual dates. The title is plain text, typed once
    in the language of its author (like a note, not translated data)."""

    project = models.ForeignKey("portfolio.Project", on_delete=models.PROTECT, related_name="milestones",
                                verbose_name=_("project"))
    title = models.CharField(_("title"), max_length=200)
    planned_date = models.DateField(_("planned date"))
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = MilestoneQuerySet.as_manager()
    history = HistoricalRecords(bases=[RequestIDHistory])

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", "planned_date", "pk"]

    def __str__(self) -> str:
        return f"{self.project.code}: {self.title}"

    def is_late_on(self, today: dt.date) -> bool:
        """The rule of ``late_q`` for one milestone."""
        if self.actual_date is None:
            return self.planned_date < today
        return self.actual_date > self.planned_date

"""Targets against achieved values of the results indicators: ``indicator_totals`` is the one function the
overview page, the API and the summaries read; ``project_indicator_figures`` a project's own figures.

Counting rules (docs/followup.md):
- projects: those counted in the funding totals (``funding.selectors.NOT_COUNTED_STATUSES``: no ideas,
  no rejected or withdrawn projects), with their status, priority and methods as of the day;
- values dated after ``as_of`` do not count: a cumulative indicator takes each project's latest value
  with ``period_end`` ≤ ``as_of`` (per breakdown value, added up), a per-period one adds up the periods
  ending ≤ ``as_of``;
- indicators counted from the enterprise register count distinct enterprises (by business ID: one
  ``Enterprise`` row each) linked on or before ``as_of``: each enterprise once in any total, while a
  project's own figure counts its own enterprises.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import BooleanField, Case, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from funding.selectors import NOT_COUNTED_STATUSES
from portfolio.asof import day_end, project_source
from portfolio.charts import chart
from portfolio.models import Agreement, MethodCategory, Priority, Project, Theme

from ..models import Indicator, IndicatorTarget, IndicatorValue, Milestone, ProgressReport, ProjectEnterprise
from ..models.indicators import SizeClass, register_relations_q
from ..models.reports import ProgressReportTransition, ReportKind, ReportStatus, ReviewState

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")

User = AbstractBaseUser | AnonymousUser


@dataclass
class IndicatorRow:
    """One indicator's target against achieved in some set of projects."""

    indicator: Indicator
    target: Decimal | None
    achieved: Decimal
    by_size: dict[str, int] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def percent(self) -> Decimal | None:
        if not self.target:
            return None
        return (self.achieved * HUNDRED / self.target).quantize(Decimal("1"))

    @property
    def size_counts(self) -> list[tuple[str, int]]:
        """The enterprises by size class (label, count), the classes with any."""
        return [(str(SizeClass(size).label), n) for size, n in self.by_size.items() if n]

    @property
    def has_figures(self) -> bool:
        return self.target is not None or self.achieved > 0


@dataclass
class IndicatorGroup:
    """The rows of one group of a breakdown (a priority, a method category, a city, an agreement)."""

    key: str
    label: str
    rows: list[IndicatorRow]
    projects: int

    @property
    def rows_with_figures(self) -> list[IndicatorRow]:
        return [row for row in self.rows if row.has_figures]


@dataclass
class IndicatorTotals:
    as_of: dt.date
    agreement: Agreement | None
    projects: int
    rows: list[IndicatorRow]
    breakdowns: dict[str, list[IndicatorGroup]]


@dataclass
class _Facts:
    """What the figures need of the counted projects and the indicators' data."""

    indicators: list[Indicator]
    targets: dict[tuple[int, int], Decimal]
    achieved: dict[tuple[int, int], Decimal]
    enterprises: dict[tuple[int, int], set[int]]
    sizes: dict[int, str]


def _day(as_of: dt.date | None) -> dt.date:
    return as_of or timezone.localdate()


def _facts(project_ids: QuerySet[Any] | list[int], day: dt.date) -> _Facts:
    indicators = list(Indicator.objects.order_by("sort_order", "code"))
    targets: dict[tuple[int, int], Decimal] = {}
    for row in (IndicatorTarget.objects.filter(project_id__in=project_ids)
                .values("project_id", "indicator_id").annotate(total=Sum("target_value"))):
        targets[(row["project_id"], row["indicator_id"])] = row["total"]

    by_id = {indicator.pk: indicator for indicator in indicators}
    achieved: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    latest: dict[tuple[int, int, str], Decimal] = {}
    # A progress report's values count once the report is accepted (by the end of the day); a returned or
    # waiting report's do not. Values recorded on the project page have no report and count as they are.
    accepted = ProgressReportTransition.objects.filter(to_state=ReviewState.ACCEPTED,
                                                       at__lt=day_end(day)).values("report_id")
    values = (IndicatorValue.objects
              .filter(Q(report__isnull=True) | Q(report_id__in=accepted))
              .filter(project_id__in=project_ids, period_end__lte=day, indicator__register_count="")
              .order_by("period_end", "pk").values_list("project_id", "indicator_id", "breakdown_value", "value"))
    for project_id, indicator_id, breakdown, value in values:
        if by_id[indicator_id].is_cumulative:
            latest[(project_id, indicator_id, breakdown)] = value  # ordered by date: the last one stays
        else:
            achieved[(project_id, indicator_id)] += value
    for (project_id, indicator_id, _breakdown), value in latest.items():
        achieved[(project_id, indicator_id)] += value

    # The register's links in one query, each flagged with the register counts that take it in.
    enterprises: dict[tuple[int, int], set[int]] = defaultdict(set)
    counts = sorted({indicator.register_count for indicator in indicators if indicator.register_count})
    flags = {f"in_{number}": _flag(register_relations_q(count)) for number, count in enumerate(counts)}
    taken_in: dict[str, list[tuple[int, int]]] = defaultdict(list)
    sizes: dict[int, str] = {}
    for project_id, enterprise_id, size, *inside in (
            ProjectEnterprise.objects.filter(project_id__in=project_ids, date__lte=day).annotate(**flags)
            .values_list("project_id", "enterprise_id", "enterprise__size_class", *flags)):
        sizes[enterprise_id] = size
        for count, flagged in zip(counts, inside, strict=True):
            if flagged:
                taken_in[count].append((project_id, enterprise_id))
    for indicator in indicators:
        for project_id, enterprise_id in taken_in.get(indicator.register_count, []):
            enterprises[(project_id, indicator.pk)].add(enterprise_id)
    return _Facts(indicators=indicators, targets=targets, achieved=dict(achieved), enterprises=dict(enterprises),
                  sizes=sizes)


def _flag(condition: Q) -> Any:
    """True where the row meets ``condition`` (an empty condition: every row)."""
    if not condition:
        return Value(True, output_field=BooleanField())
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def _rows(facts: _Facts, project_ids: Iterable[int]) -> list[IndicatorRow]:
    ids = list(project_ids)
    rows: list[IndicatorRow] = []
    for indicator in facts.indicators:
        targets = [facts.targets[(p, indicator.pk)] for p in ids if (p, indicator.pk) in facts.targets]
        target = sum(targets, ZERO) if targets else None
        if indicator.register_count:
            # Each enterprise once, however many of these projects reached it.
            reached: set[int] = set()
            for p in ids:
                reached |= facts.enterprises.get((p, indicator.pk), set())
            by_size = ({size: sum(1 for e in reached if facts.sizes[e] == size) for size in SizeClass.values}
                       if indicator.breakdown else {})
            rows.append(IndicatorRow(indicator=indicator, target=target, achieved=Decimal(len(reached)),
                                     by_size=by_size))
        else:
            achieved = sum((facts.achieved.get((p, indicator.pk), ZERO) for p in ids), ZERO)
            rows.append(IndicatorRow(indicator=indicator, target=target, achieved=achieved))
    return rows


def counted_project_rows(*, user: User | None, agreement_id: int | None = None, as_of: dt.date | None = None
                         ) -> QuerySet[Any]:
    """The projects the figures count, as they stood at the end of ``as_of``: of the agreements the user
    works on (one, or every one), visible to the user, and counted as in the funding totals. ``user=None``
    is the portal itself compiling a summary for its audience (as the funding selectors without a user):
    every agreement's projects."""
    projects = project_source(as_of).exclude(status__in=NOT_COUNTED_STATUSES)
    if user is not None:
        visible = Project.objects.visible_to(user).filter(
            agreement__in=Agreement.objects.worked_on_by(user)).values("pk")
        projects = projects.filter(id__in=visible)
    if agreement_id is not None:
        projects = projects.filter(agreement_id=agreement_id)
    return projects


def indicator_totals(*, user: User | None, agreement: Agreement | None = None, as_of: dt.date | None = None,
                     breakdowns: bool = True) -> IndicatorTotals:
    """Targets against achieved per indicator for one agreement (``agreement``) or for the whole country
    (every agreement the user works on), with the same figures by priority, method category, lead city
    and agreement, as of the end of ``as_of`` (default today). The caller checks that the user works on
    ``agreement`` (``Agreement.objects.worked_on_by``); ``user=None`` counts every agreement's projects (the
    summaries, compiled by the portal for their audience). ``breakdowns=False``: the totals only (no
    breakdown is read)."""
    day = _day(as_of)
    projects = counted_project_rows(user=user, agreement_id=agreement.pk if agreement else None, as_of=as_of)
    facts_rows = list(projects.values("id", "agreement_id", "priority_id", "lead_organisation__municipality"))
    ids = [row["id"] for row in facts_rows]
    facts = _facts(projects.values("id"), day)
    if not breakdowns:
        return IndicatorTotals(as_of=day, agreement=agreement, projects=len(ids), rows=_rows(facts, ids),
                               breakdowns={})

    method_of: dict[int, set[int]] = defaultdict(set)
    for project_id, method_id in projects.filter(methods__isnull=False).values_list("id", "methods"):
        method_of[project_id].add(method_id)
    theme_of: dict[int, set[int]] = defaultdict(set)
    for project_id, theme_id in projects.filter(themes__isnull=False).values_list("id", "themes"):
        theme_of[project_id].add(theme_id)

    def grouped(pairs: Iterable[tuple[str, int]], labels: dict[str, str]) -> list[IndicatorGroup]:
        members: dict[str, list[int]] = defaultdict(list)
        for key, project_id in pairs:
            members[key].append(project_id)
        return [IndicatorGroup(key=key, label=labels.get(key, key), rows=_rows(facts, members[key]),
                               projects=len(members[key])) for key in sorted(members, key=_sort_key(labels))]

    priorities = {str(p.pk): str(p) for p in Priority.objects.filter(pk__in={r["priority_id"] for r in facts_rows})}
    methods = {str(m.pk): str(m) for m in MethodCategory.objects.all()}
    themes = {str(t.pk): str(t) for t in Theme.objects.filter(pk__in={t for ts in theme_of.values() for t in ts})}
    agreements = {str(a.pk): str(a) for a in Agreement.objects.filter(pk__in={r["agreement_id"] for r in facts_rows})}
    cities = {r["lead_organisation__municipality"] or "": r["lead_organisation__municipality"] or "—"
              for r in facts_rows}
    groups = {
        "priority": grouped(((str(r["priority_id"]), r["id"]) for r in facts_rows), priorities),
        "method": grouped(((str(m), pid) for pid, ms in method_of.items() for m in ms), methods),
        "city": grouped(((r["lead_organisation__municipality"] or "", r["id"]) for r in facts_rows), cities),
        "agreement": grouped(((str(r["agreement_id"]), r["id"]) for r in facts_rows), agreements),
        # The action plan's themes (a project under several themes is in each).
        "theme": grouped(((str(t), pid) for pid, ts in theme_of.items() for t in ts), themes),
    }
    return IndicatorTotals(as_of=day, agreement=agreement, projects=len(ids), rows=_rows(facts, ids),
                           breakdowns=groups)


def _sort_key(labels: dict[str, str]) -> Callable[[str], str]:
    return lambda key: labels.get(key, key)


def project_indicator_figures(*, project: Project, as_of: dt.date | None = None) -> list[IndicatorRow]:
    """A project's own targets against achieved (its enterprises counted once each), for the indicators it
    has a target or a figure for. The caller has checked that the user may see the project."""
    facts = _facts([project.pk], _day(as_of))
    return [row for row in _rows(facts, [project.pk]) if row.has_figures]


@dataclass
class ReportIndicator:
    """An indicator a progress report asks for: the project's target and the report's own value, if any."""

    indicator: Indicator
    target: Decimal | None
    value: IndicatorValue | None


def report_indicators(*, report: ProgressReport) -> list[ReportIndicator]:
    """The indicators a report carries values of: those the project has a target for, except the ones
    counted from the enterprise register (enterprises are added instead). A final report covers the whole
    project, so it asks only for the cumulative ones (a per-period value of the whole project would count
    its periods twice)."""
    targets: dict[int, Decimal] = {}
    for row in (IndicatorTarget.objects.filter(project_id=report.project_id, indicator__register_count="")
                .values("indicator_id").annotate(total=Sum("target_value"))):
        targets[row["indicator_id"]] = row["total"]
    indicators = Indicator.objects.filter(pk__in=list(targets)).order_by("sort_order", "code")
    if report.kind == ReportKind.FINAL:
        indicators = indicators.filter(is_cumulative=True)
    own = {v.indicator_id: v for v in IndicatorValue.objects.filter(report=report, breakdown_value="")}
    return [ReportIndicator(indicator=i, target=targets.get(i.pk), value=own.get(i.pk)) for i in indicators]


def project_indicator_targets(*, project: Project) -> QuerySet[IndicatorTarget]:
    return IndicatorTarget.objects.filter(project=project).select_related("indicator")


def project_indicator_values(*, project: Project) -> QuerySet[IndicatorValue]:
    return (IndicatorValue.objects.filter(project=project).select_related("indicator", "recorded_by")
            .order_by("indicator__sort_order", "indicator__code", "period_end", "pk"))


def project_enterprises(*, project: Project) -> QuerySet[ProjectEnterprise]:
    return ProjectEnterprise.objects.filter(project=project).select_related("enterprise").order_by(
        "enterprise__name", "relation")


@dataclass
class MilestoneRow:
    milestone: Milestone
    late: bool


def project_milestones(*, project: Project, today: dt.date | None = None) -> list[MilestoneRow]:
    day = today or timezone.localdate()
    return [MilestoneRow(milestone=m, late=m.is_late_on(day)) for m in Milestone.objects.filter(project=project)]


def indicator_choices() -> QuerySet[Indicator]:
    return Indicator.objects.order_by("sort_order", "code")


def register_indicator_codes() -> list[str]:
    return list(Indicator.objects.exclude(register_count="").values_list("code", flat=True))



def dashboard_results(*, user: User, agreement: Agreement, as_of: dt.date | None = None) -> dict[str, Any]:
    """The dashboard's situation picture of results for one agreement the user works on: each indicator with
    a target, achieved against it (the same figures as indicator_totals and its overview page), as a chart
    of the share achieved with its table; and how the projects report they are doing (the status of each
    project's latest submitted or accepted progress report). ``as_of`` (default today): as they stood at the
    end of that day (the national view's drill-down)."""
    totals = indicator_totals(user=user, agreement=agreement, as_of=as_of, breakdowns=False)
    rows = [row for row in totals.rows if row.target]
    from .reports import no_progress_counts, progress_status_counts

    counted = counted_project_rows(user=user, agreement_id=agreement.pk, as_of=as_of)
    by_status = progress_status_counts(projects=Project.objects.filter(pk__in=counted.values("pk")),
                                       as_of=as_of).get(agreement.pk, no_progress_counts())
    statuses = [{"code": code, "label": label, "count": by_status[code]} for code, label in ReportStatus.choices]
    return {
        "rows": rows,
        "projects": totals.projects,
        "statuses": statuses,
        "unreported": by_status["unreported"],
        "chart": chart(key=f"results-{agreement.pk}", kind="bar", horizontal=True, unit="percent",
                       label_heading=_("Indicator"), labels=[row.code for row in rows],
                       title=_("Results indicators: achieved as a share of the target"),
                       series=[{"label": _("Share of the target achieved"), "style": "committed",
                                "values": [row.percent for row in rows]}]) if rows else None,
    }

"""Reads of the action plan (toimenpidesuunnitelma): its coverage (which themes have projects, money and
results) and the data of a new annex version. Every figure comes from the selector that owns it: money from
``funding.selectors`` (``countable_lines``, ``priority_totals``, ``theme_totals``, ``split_by``), results
from ``followup.selectors.indicator_totals``; this module only arranges them per priority and theme."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from followup.selectors import indicator_totals
from funding.selectors import BASES, DECIDED_STATUSES, countable_lines, priority_totals, split_by, theme_totals
from portfolio.asof import project_source
from portfolio.choices import ProjectStatus
from portfolio.models import Agreement, Priority, Project, Theme

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from followup.selectors.indicators import IndicatorRow
    from portfolio.history import Entry

    User = AbstractBaseUser | AnonymousUser

ZERO = Decimal("0.00")
# The stages a project count is told by, in the pipeline's order (rejected and withdrawn apart).
STAGES = (ProjectStatus.IDEA, ProjectStatus.PROPOSAL, ProjectStatus.APPROVED, ProjectStatus.RUNNING,
          ProjectStatus.CLOSED)
DROPPED = (ProjectStatus.REJECTED, ProjectStatus.WITHDRAWN)


@dataclass
class CoverageRow:
    """One theme (or one priority's total) of the coverage: projects by stage, money, results."""

    label: str
    theme: Theme | None = None
    by_stage: dict[str, int] = field(default_factory=dict)
    money: dict[str, Decimal] = field(default_factory=lambda: {basis: ZERO for basis in BASES})
    results: list[IndicatorRow] = field(default_factory=list)

    @property
    def projects(self) -> int:
        """Projects in the pipeline (ideas to closed); rejected and withdrawn ones are not counted."""
        return sum(n for stage, n in self.by_stage.items() if stage not in DROPPED)

    @property
    def stages(self) -> list[tuple[str, str, int]]:
        return [(stage.value, str(stage.label), self.by_stage.get(stage.value, 0)) for stage in STAGES]

    @property
    def has_money(self) -> bool:
        return any(self.money.values())

    @property
    def has_results(self) -> bool:
        return any(row.achieved for row in self.results)

    @property
    def gaps(self) -> list[str]:
        """What the theme lacks: 'projects', 'money', 'results' (in that order, each once)."""
        if not self.projects:
            return ["projects", "money", "results"]
        return [name for name, ok in (("money", self.has_money), ("results", self.has_results)) if not ok]


@dataclass
class PriorityCoverage:
    priority: Priority
    total: CoverageRow
    themes: list[CoverageRow]

    @property
    def themes_without_projects(self) -> int:
        return sum(1 for row in self.themes if not row.projects)


@dataclass
class Coverage:
    agreement: Agreement
    as_of: dt.date
    priorities: list[PriorityCoverage]
    unplaced: list[CoverageRow]  # themes not yet under a priority
    with_results: bool  # results are told to those who work on the agreement

    @property
    def theme_count(self) -> int:
        return sum(len(p.themes) for p in self.priorities) + len(self.unplaced)

    @property
    def themes_without_projects(self) -> int:
        return sum(p.themes_without_projects for p in self.priorities) + sum(
            1 for row in self.unplaced if not row.projects)


def agreement_themes(agreement: Agreement) -> QuerySet[Theme]:
    """The agreement's themes in the action plan's order (priority, then position)."""
    return Theme.objects.filter(agreement=agreement).select_related("priority").order_by(
        "priority__code", "position", "name")


def action_plan_coverage(*, agreement: Agreement, user: User, as_of: dt.date | None = None) -> Coverage:
    """Per priority and theme of ``agreement``: the projects the user sees by stage, the planned, granted
    and spent money of those that count (no ideas, no rejected or withdrawn projects, no RRF), and the
    results indicators' achieved against target, as they stood at the end of ``as_of`` (default today).
    A project under several themes is counted under each of them; the priority's row counts it once."""
    day = as_of or timezone.localdate()
    visible = Project.objects.visible_to(user).filter(agreement=agreement)
    projects = project_source(as_of).filter(id__in=visible.values("pk"), agreement_id=agreement.pk)

    by_theme: dict[int, dict[str, int]] = {}
    for row in (projects.filter(themes__isnull=False).order_by().values("themes", "status")
                .annotate(n=Count("id", distinct=True))):
        by_theme.setdefault(row["themes"], {})[row["status"]] = row["n"]
    by_priority: dict[int, dict[str, int]] = {}
    for priority_row in (projects.order_by().values("priority__code", "status")
                         .annotate(n=Count("id", distinct=True))):
        by_priority.setdefault(priority_row["priority__code"], {})[priority_row["status"]] = priority_row["n"]

    lines = countable_lines(agreement_id=agreement.pk, projects=visible, as_of=as_of)
    theme_money = {basis: theme_totals(lines=lines, basis=basis)["rows"] for basis in BASES}
    priority_money = {basis: {row["code"]: row["total"] for row in priority_totals(
        lines, basis=basis, agreement_id=agreement.pk)} for basis in BASES}

    works_on = Agreement.objects.worked_on_by(user).filter(pk=agreement.pk).exists()
    theme_results: dict[str, list[IndicatorRow]] = {}
    priority_results: dict[str, list[IndicatorRow]] = {}
    if works_on:
        totals = indicator_totals(user=user, agreement=agreement, as_of=as_of)
        theme_results = {group.key: group.rows_with_figures for group in totals.breakdowns["theme"]}
        priority_results = {group.key: group.rows_with_figures for group in totals.breakdowns["priority"]}

    def theme_row(theme: Theme) -> CoverageRow:
        return CoverageRow(
            label=str(theme.name), theme=theme, by_stage=by_theme.get(theme.pk, {}),
            money={basis: theme_money[basis].get(theme.pk, {}).get("total", ZERO) for basis in BASES},
            results=theme_results.get(str(theme.pk), []))

    themes = list(agreement_themes(agreement))
    priorities = []
    for priority in Priority.objects.filter(agreement=agreement).order_by("code"):
        total = CoverageRow(label=str(priority), by_stage=by_priority.get(priority.code, {}),
                            money={basis: priority_money[basis].get(priority.code, ZERO) for basis in BASES},
                            results=priority_results.get(str(priority.pk), []))
        priorities.append(PriorityCoverage(priority=priority, total=total, themes=[
            theme_row(t) for t in themes if t.priority_id == priority.pk]))
    unplaced = [theme_row(t) for t in themes if t.priority_id is None]
    return Coverage(agreement=agreement, as_of=day, priorities=priorities, unplaced=unplaced,
                    with_results=works_on)


# --- the annex: the data one version freezes --------------------------------------------------------------

def _texts(obj: Any, name: str) -> dict[str, str]:
    return {lang: getattr(obj, f"{name}_{lang}") or "" for lang in ("fi", "sv", "en")}


def _amounts(money: dict[str, Decimal]) -> dict[str, str]:
    return {basis: str(money.get(basis, ZERO)) for basis in BASES}


def annex_snapshot(*, agreement: Agreement, user: User) -> dict[str, Any]:
    """The action-plan annex as data, in every language: each priority's description and themes, and under
    each theme the decided projects (approved, running, closed) with their planned, granted and spent money.
    The PDF of every language is rendered from this alone (``reporting.rendering.annex``)."""
    decided = Project.objects.visible_to(user).filter(agreement=agreement, status__in=DECIDED_STATUSES)
    lines = countable_lines(agreement_id=agreement.pk, projects=decided)
    per_project = {basis: {row["key"]: row["total"] for row in split_by(lines, group_field="project_id",
                                                                         basis=basis)} for basis in BASES}
    per_theme = {basis: theme_totals(lines=lines, basis=basis)["rows"] for basis in BASES}
    per_priority = {basis: {row["code"]: row["total"] for row in priority_totals(
        lines, basis=basis, agreement_id=agreement.pk)} for basis in BASES}
    projects_of: dict[int, list[Project]] = {}
    for project in (decided.filter(themes__isnull=False).distinct().prefetch_related("themes")
                    .select_related("lead_organisation").order_by("code")):
        for theme in project.themes.all():
            projects_of.setdefault(theme.pk, []).append(project)

    def project_data(project: Project) -> dict[str, Any]:
        return {"code": project.code, "title": _texts(project, "title"), "status": project.status,
                "lead": _texts(project.lead_organisation, "name"),
                "money": _amounts({basis: per_project[basis].get(project.pk, ZERO) for basis in BASES})}

    def theme_data(theme: Theme) -> dict[str, Any]:
        return {"slug": theme.slug, "name": _texts(theme, "name"),
                "money": _amounts({b: per_theme[b].get(theme.pk, {}).get("total", ZERO) for b in BASES}),
                "projects": [project_data(p) for p in projects_of.get(theme.pk, [])]}

    themes = list(agreement_themes(agreement))
    return {
        "agreement": {"code": agreement.code, "name": _texts(agreement, "name")},
        "priorities": [{
            "code": priority.code, "name": _texts(priority, "name"), "description": _texts(priority, "description"),
            "money": _amounts({basis: per_priority[basis].get(priority.code, ZERO) for basis in BASES}),
            "themes": [theme_data(t) for t in themes if t.priority_id == priority.pk],
        } for priority in Priority.objects.filter(agreement=agreement).order_by("code")],
        "unplaced": [theme_data(t) for t in themes if t.priority_id is None],
    }


def annex_history_entries(agreement: Agreement) -> list[Entry]:
    """The annex versions' events as entries of the action plan's change history: who generated a version,
    when its PDFs were made or failed (and why), who asked to make them again."""
    from django.utils.translation import gettext as _

    from portfolio.history import Change, Entry

    from .models import ActionPlanVersionEvent

    entries = []
    for event in (ActionPlanVersionEvent.objects.filter(version__agreement=agreement)
                  .select_related("version", "by").order_by("-at", "-pk")):
        who = (event.by.get_full_name() or event.by.get_username()) if event.by else str(_("system"))
        changes = [Change(str(_("reason") if event.action == "generated" else _("note")), "—", event.note)] \
            if event.note else []
        entries.append(Entry(when=event.at, who=who, action=str(event.get_action_display()), changes=changes,
                             subject=_("Annex version %(number)s") % {"number": event.version.number}))
    return entries

"""Reads shared by views, the API and reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest

from .choices import ProjectStatus

# The request's agreement lives in .current (below the filters); its names stay importable from here.
from .current import SESSION_AGREEMENT_KEY as SESSION_AGREEMENT_KEY
from .current import current_agreement as current_agreement
from .current import switchable_agreements as switchable_agreements
from .models import Agreement, AgreementAccess, MethodCategory, Priority, Project
from .plan import financing_plan

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from .models import Organisation


class _ExportTotals(TypedDict):
    planned_total: Decimal
    granted_total: Decimal
    spent_total: Decimal


def agreements_by_access(user: AbstractBaseUser) -> list[int]:
    """The agreements a user works on through `AgreementAccess` (a source of `access.agreement_ids_of`)."""
    return list(AgreementAccess.objects.filter(user_id=user.pk).values_list("agreement_id", flat=True))


# "Ending soon" on the dashboard and "ending" in the summaries: within this many days of the day asked for.
ENDING_WITHIN_DAYS = 90
ACTIVE_STATUSES = (ProjectStatus.APPROVED, ProjectStatus.RUNNING)


# --- projects -------------------------------------------------------------------------------------------

def _line_total(field: str) -> Any:
    """A correlated subquery: one project's sum of a funding-line amount (computed only for the rows
    actually fetched, e.g. one page, unlike a JOIN + GROUP BY over the whole filtered set)."""
    from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
    from django.db.models.functions import Coalesce

    total = (financing_plan().lines().filter(project=OuterRef("pk")).order_by().values("project")
             .annotate(s=Sum(field)).values("s"))
    return Coalesce(Subquery(total, output_field=DecimalField(max_digits=16, decimal_places=2)),
                    Value(Decimal("0.00")), output_field=DecimalField(max_digits=16, decimal_places=2))


def with_money_totals(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Projects with `planned_total` and `granted_total` (their funding lines' sums), which the list's
    money sorting orders by: the page and the API sort through this one annotation."""
    return projects.annotate(planned_total=_line_total("planned_amount"), granted_total=_line_total("granted_amount"))


def project_list(*, user: AbstractBaseUser | AnonymousUser, params: Mapping[str, Any] | None = None,
                 request: HttpRequest | None = None
                 ) -> tuple[Any, QuerySet[Project]]:
    """The filtered project list a user may see: (filterset, queryset). Invalid filters give an empty
    list and the filterset carries the errors; the default order is agreement, then code: by the agreement's id
    and the code, the unique index (agreement, code), so that a page is read from the index rather than by
    sorting every visible project (issue 16)."""
    from .filters import ProjectFilter

    base = (
        Project.objects.visible_to(user)
        .select_related("agreement", "priority", "lead_organisation")
        .prefetch_related("methods")
    )
    base = with_money_totals(base)
    filterset = ProjectFilter(params, queryset=base, request=request)
    if not filterset.is_valid():
        return filterset, base.none()
    queryset = filterset.qs
    if not (params or {}).get("ordering"):
        queryset = queryset.order_by("agreement_id", "code")
    else:
        queryset = queryset.order_by(*queryset.query.order_by, "pk")
    return filterset, queryset


LIST_COLUMNS = ("code", "status", "end_date", "agreement_id", "priority_id", "lead_organisation_id",
                "title_fi", "title_sv", "title_en",
                "agreement__region", "priority__code", "priority__name_fi", "priority__name_sv", "priority__name_en",
                "lead_organisation__name_fi", "lead_organisation__name_sv", "lead_organisation__name_en")


def project_list_page(queryset: QuerySet[Project]) -> QuerySet[Project]:
    """The project list's queryset with only the columns its table shows (every language of a translated one,
    for the fallbacks), not every column of four tables."""
    return queryset.only(*LIST_COLUMNS)


def code_glossary(*, agreement: Agreement | None) -> dict[str, Any]:
    """What the priority and method-category numbers of the lists mean: the agreement's priorities (none
    without an agreement) and the method categories, code and name in the active language."""
    return {"priorities": list(Priority.objects.filter(agreement=agreement).order_by("code")) if agreement else [],
            "methods": list(MethodCategory.objects.order_by("code"))}


def project_export_rows(*, queryset: QuerySet[Project]) -> tuple[list[str], Iterator[list[Any]]]:
    """Column headings and row tuples of a project export (the filtered list, every page)."""
    from django.utils.translation import gettext as _

    headings = [_("Code"), _("Title"), _("Agreement"), _("Priority"), _("Method categories"), _("Status"),
                _("Lead implementer"), _("Co-implementers"), _("Start date"), _("End date"), _("EURA project code"),
                _("Planned (€)"), _("Granted (€)"), _("Spent (€)")]
    queryset = queryset.annotate(spent_total=_line_total("spent_amount")).prefetch_related("partners")

    # The list's planned and granted totals are annotated by project_list, the spent total here.
    annotated = cast("QuerySet[WithAnnotations[Project, _ExportTotals]]", queryset)

    def rows() -> Iterator[list[Any]]:
        for p in annotated.iterator(chunk_size=1000):
            yield [
                p.code, p.title, p.agreement.name, p.priority.code,
                ", ".join(str(m.code) for m in p.methods.all()), p.get_status_display(),
                p.lead_organisation.name, "; ".join(o.name for o in p.partners.all()),
                p.start_date, p.end_date, p.eura_code, p.planned_total, p.granted_total, p.spent_total,
            ]

    return headings, rows()


def project_detail(*, user: AbstractBaseUser | AnonymousUser, pk: int) -> Project:
    """One project the user may see, with what its header needs; 404 otherwise."""
    from django.shortcuts import get_object_or_404

    project: Project = get_object_or_404(
        Project.objects.visible_to(user)
        .select_related("agreement", "priority", "lead_organisation", "coordinator")
        .prefetch_related("methods", "themes", "partnerships__organisation"),
        pk=pk,
    )
    return project


def projects_ending_within(projects: QuerySet[Any], *, as_of: dt.date, days: int = ENDING_WITHIN_DAYS
                           ) -> QuerySet[Any]:
    """Of ``projects`` (live or as of a day, ``portfolio.asof.project_source``), the approved or running ones
    whose end date falls within ``days`` days from ``as_of``, that day included. The dashboard (today) and
    the summaries (as of a period's end) both count "ending" with this."""
    return projects.filter(status__in=ACTIVE_STATUSES, end_date__gte=as_of,
                           end_date__lte=as_of + dt.timedelta(days=days)).order_by("end_date", "code")


def projects_past_end(projects: QuerySet[Any], *, as_of: dt.date) -> QuerySet[Any]:
    """Of ``projects``, the approved or running ones whose end date was before ``as_of`` (late: not closed)."""
    return projects.filter(status__in=ACTIVE_STATUSES, end_date__lt=as_of).order_by("end_date", "code")


def projects_ended_in(projects: QuerySet[Any], *, start: dt.date, as_of: dt.date) -> QuerySet[Any]:
    """Of ``projects``, the closed ones whose end date falls between ``start`` and ``as_of``. A project
    still approved or running after its end date has not ended: it is late (``projects_past_end``)."""
    from .choices import ProjectStatus

    return projects.filter(status=ProjectStatus.CLOSED, end_date__gte=start, end_date__lte=as_of)


def projects_ending_soon(*, user: AbstractBaseUser | AnonymousUser, agreement: Agreement | None,
                         days: int = ENDING_WITHIN_DAYS, as_of: dt.date | None = None) -> QuerySet[Project]:
    """Approved or running projects whose end date falls within the next `days` days (``as_of``: that
    day's statuses and dates; default today)."""
    from .asof import is_live, project_rows_as_of, today

    visible = Project.objects.visible_to(user).for_agreement(agreement.pk if agreement else None)
    if as_of is None or is_live(as_of):
        return projects_ending_within(visible.select_related("lead_organisation"), as_of=today(), days=days)
    return projects_ending_within(project_rows_as_of(as_of).filter(id__in=visible.values("pk"))
                                  .select_related("lead_organisation"), as_of=as_of, days=days)


PIPELINE = ("idea", "proposal", "approved", "running", "closed")

# An idea is known by a provisional code (IDEA-001) until the steering group approves it into the portfolio;
# then it gets the next code of the agreement's series (HEV-033) and keeps it (docs/governance.md).
PROVISIONAL_CODE_PREFIX = "IDEA-"


def is_provisional_code(code: str) -> bool:
    return code.upper().startswith(PROVISIONAL_CODE_PREFIX)


def project_code_next(*, agreement: Agreement, provisional: bool = False) -> str:
    """The next free code of the agreement's series: "<prefix>-NNN" (``Agreement.project_code_prefix``), or
    the next provisional idea code "IDEA-NNN". The caller that saves it locks the agreement first."""
    prefix = PROVISIONAL_CODE_PREFIX if provisional else f"{agreement.project_code_prefix}-"
    used = {code.upper() for code in Project.objects.filter(agreement=agreement, code__istartswith=prefix)
            .values_list("code", flat=True)}
    numbers = [int(code[len(prefix):]) for code in used if code[len(prefix):].isdigit()]
    n = max(numbers, default=0) + 1
    while f"{prefix}{n:03d}".upper() in used:  # pragma: no cover - max + 1 is free; kept for odd data
        n += 1
    return f"{prefix}{n:03d}"


def ideas(*, user: AbstractBaseUser | AnonymousUser, agreement: Agreement | None,
          as_of: dt.date | None = None) -> QuerySet[Any]:
    """The project ideas (hankeaihiot) the user may see: the projects in status "idea" (of one agreement,
    or of all). The one definition of an idea: the dashboard counts these, governance's idea list lists these
    (with their preparation records) and the API's ``status=idea`` filter is the same status."""
    return visible_projects_source(user=user, agreement_id=agreement.pk if agreement else None,
                                   as_of=as_of).filter(status=ProjectStatus.IDEA)


def project_status_counts(projects: QuerySet[Any]) -> dict[str, int]:
    """The number of projects in each status (every status present, zeros included), of live projects or
    of projects as of a day (``portfolio.asof.project_source``). Dashboard and summaries count with this."""
    from django.db.models import Count

    counted = dict(projects.order_by().values_list("status").annotate(n=Count("id")))
    return {code: counted.get(code, 0) for code in ProjectStatus.values}


def project_status_counts_by_agreement(projects: QuerySet[Any], agreement_ids: Iterable[int]
                                       ) -> dict[int, dict[str, int]]:
    """``project_status_counts`` for each agreement of ``agreement_ids`` in one grouped query (every
    agreement and every status present, zeros included). The national view counts with this."""
    from django.db.models import Count

    counts: dict[int, dict[str, int]] = {pk: dict.fromkeys(ProjectStatus.values, 0) for pk in agreement_ids}
    for agreement_id, status, n in (projects.order_by().values_list("agreement_id", "status")
                                    .annotate(n=Count("id"))):
        if agreement_id in counts:
            counts[agreement_id][status] = n
    return counts


def visible_projects_source(*, user: AbstractBaseUser | AnonymousUser, agreement_id: int | None,
                            as_of: dt.date | None = None) -> QuerySet[Any]:
    """The projects a user may see (today's visibility), live or as they stood at the end of ``as_of``."""
    from .asof import is_live, project_rows_as_of

    visible: QuerySet[Project] = Project.objects.visible_to(user).for_agreement(agreement_id)
    if as_of is None or is_live(as_of):
        return visible
    rows = project_rows_as_of(as_of).filter(id__in=visible.values("pk"))
    return rows.filter(agreement_id=agreement_id) if agreement_id else rows


def dashboard_portfolio(*, user: AbstractBaseUser | AnonymousUser, agreement: Agreement | None,
                        as_of: dt.date | None = None) -> dict[str, Any]:
    """The portfolio figures of the dashboard: counts by status, the pipeline and the 4 × 3 matrix of
    priorities × method categories (projects and planned euros per cell). Aggregated in the database.
    ``as_of``: statuses, project counts and the cells' planned euros as they stood at the end of that day
    (the lines and their projects' priority and methods of that day: ``financing_plan().lines(as_of=)``)."""
    from django.db.models import Count, Sum
    from django.db.models.functions import Coalesce

    from .choices import ProjectStatus
    from .models import MethodCategory, Priority

    projects = Project.objects.visible_to(user).for_agreement(agreement.pk if agreement else None)
    source = visible_projects_source(user=user, agreement_id=agreement.pk if agreement else None, as_of=as_of)
    by_status = project_status_counts(source)
    labels = dict(ProjectStatus.choices)
    statuses = [{"code": code, "label": labels[code], "count": by_status.get(code, 0)}
                for code in ProjectStatus.values]
    pipeline: list[dict[str, Any]] = [dict(s) for s in statuses if s["code"] in PIPELINE]
    top = max([s["count"] for s in pipeline] + [1])
    for index, stage in enumerate(pipeline):  # bar geometry of the server-side SVG chart
        stage["y"] = index * 26
        stage["width"] = round(250 * stage["count"] / top)

    cell_counts = {(r["priority__code"], r["methods__code"]): r["n"]
                   for r in source.filter(methods__isnull=False).order_by()
                   .values("priority__code", "methods__code").annotate(n=Count("id", distinct=True))}
    # Euros per cell: a project in two method categories counts in both cells (the matrix answers "how
    # much money goes through projects that use this method"), so cells do not add up to the total.
    money = {(r["project__priority__code"], r["project__methods__code"]): r["s"]
             for r in financing_plan().lines(as_of=as_of).filter(project_id__in=projects.values("pk")).order_by()
             .values("project__priority__code", "project__methods__code")
             .annotate(s=Coalesce(Sum("planned_amount"), Decimal("0")))}
    methods = list(MethodCategory.objects.order_by("code"))
    matrix = []
    # The matrix is one agreement's priorities; across every agreement it has no rows.
    if agreement is not None:
        for priority in Priority.objects.filter(agreement=agreement).order_by("code"):
            matrix.append({"priority": priority, "cells": [
                {"method": m, "count": cell_counts.get((priority.code, m.code), 0),
                 "amount": money.get((priority.code, m.code), Decimal("0")),
                 "query": f"agreement={agreement.pk}&priority={priority.code}&method={m.code}"}
                for m in methods]})
    total = sum(by_status.values())
    return {"statuses": statuses, "pipeline": pipeline, "matrix": matrix, "methods": methods,
            "project_count": total, "pipeline_height": 26 * len(pipeline) + 4,
            "idea_count": ideas(user=user, agreement=agreement, as_of=as_of).count(),
            "proposal_count": by_status.get(ProjectStatus.PROPOSAL, 0)}


# --- organisations ----------------------------------------------------------------------------------------

def organisation_list(*, q: str = "") -> QuerySet[Organisation]:
    """Organisations (public facts), searched by name in any language, short name, business ID or
    municipality."""
    from django.db.models import Q

    from .models import Organisation

    organisations = Organisation.objects.order_by("name")
    if q:
        condition = (Q(short_name__icontains=q) | Q(business_id__icontains=q) | Q(municipality__icontains=q)
                     | Q(name_fi__icontains=q) | Q(name_sv__icontains=q) | Q(name_en__icontains=q))
        organisations = organisations.filter(condition)
    return organisations


def organisation_export_rows(*, queryset: QuerySet[Organisation]) -> tuple[list[str], Iterable[list[Any]]]:
    """Column headings and rows of an organisation export (the searched list, every page)."""
    from django.utils.translation import gettext as _

    headings = [_("Name in Finnish"), _("Name in Swedish"), _("Name in English"), _("Short name"), _("Kind"),
                _("Business ID"), _("Municipality"), _("Website")]

    def rows() -> Iterable[list[Any]]:
        for o in queryset.iterator(chunk_size=1000):
            names = [str(getattr(o, f"name_{lang}", "") or "") for lang in ("fi", "sv", "en")]
            yield [names[0] or o.name, names[1], names[2], o.short_name, o.get_kind_display(), o.business_id,
                   o.municipality, o.website]

    return headings, rows()


def organisation_projects(*, user: AbstractBaseUser | AnonymousUser, organisation: Organisation) -> QuerySet[Project]:
    """The visible projects an organisation leads or co-implements, with their funding totals."""
    from django.db.models import Exists, OuterRef, Q

    from .models import ProjectPartner

    partner = ProjectPartner.objects.filter(project=OuterRef("pk"), organisation=organisation)
    projects: QuerySet[Project] = (
        Project.objects.visible_to(user).filter(Q(lead_organisation=organisation) | Q(Exists(partner)))
        .select_related("agreement", "priority", "lead_organisation")
        .annotate(planned_total=_line_total("planned_amount"), granted_total=_line_total("granted_amount"))
        .order_by("agreement__name", "code"))
    return projects


def organisation_totals(*, user: AbstractBaseUser | AnonymousUser, organisation: Organisation) -> dict[str, Decimal]:
    """Planned, granted and spent euros of the visible projects the organisation leads, and the budget
    shares it holds as a co-implementer."""
    from django.db.models import Sum

    from .models import ProjectPartner

    visible = Project.objects.visible_to(user)
    led = financing_plan().lines().filter(project__in=visible.filter(lead_organisation=organisation)).aggregate(
        planned=Sum("planned_amount"), granted=Sum("granted_amount"), spent=Sum("spent_amount"))
    shares = ProjectPartner.objects.filter(project__in=visible, organisation=organisation).aggregate(
        s=Sum("budget_share"))["s"]
    zero = Decimal("0.00")
    return {"planned": led["planned"] or zero, "granted": led["granted"] or zero, "spent": led["spent"] or zero,
            "partner_shares": shares or zero}


def project_progress(*, project: Project) -> dict[str, Any]:
    """A simple situation picture of one project: how much of its period has passed and how much of its
    granted money is spent (both as whole percentages, None when not computable)."""
    from django.db.models import Sum
    from django.utils import timezone

    today = timezone.localdate()
    elapsed = None
    if project.start_date and project.end_date and project.end_date > project.start_date:
        span = (project.end_date - project.start_date).days
        done = min(max((today - project.start_date).days, 0), span)
        elapsed = round(100 * done / span)
    sums = project.funding_lines.aggregate(granted=Sum("granted_amount"), spent=Sum("spent_amount"))
    granted, spent = sums["granted"] or Decimal("0.00"), sums["spent"] or Decimal("0.00")
    spent_percent = round(100 * spent / granted) if granted else None
    return {"elapsed_percent": elapsed, "granted": granted, "spent": spent, "spent_percent": spent_percent,
            "behind": elapsed is not None and spent_percent is not None and spent_percent + 25 < elapsed}

"""The pipeline trend of the dashboard: projects and their planned money by stage at the end of each quarter
of the agreement's period so far, as the portfolio stood then (docs/as-of.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, IntegerField, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.asof import project_source
from portfolio.charts import chart
from portfolio.choices import ProjectStatus
from portfolio.models import Project
from portfolio.selectors import PIPELINE

from ..asof import line_source
from ..models import ZERO

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from portfolio.models import Agreement


def quarter_ends(*, start: dt.date, until: dt.date) -> list[tuple[str, dt.date]]:
    """(code ``YYYY-Qn``, day) of every quarter from the one holding ``start`` to the one holding
    ``until``: the quarter's last day, or ``until`` itself for the quarter still running."""
    points = []
    year, quarter = start.year, (start.month - 1) // 3 + 1
    while (year, quarter) <= (until.year, (until.month - 1) // 3 + 1):
        last = dt.date(year + quarter // 4, quarter % 4 * 3 + 1, 1) - dt.timedelta(days=1)
        points.append((f"{year}-Q{quarter}", min(last, until)))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return points


def pipeline_trend(*, agreement: Agreement, user: AbstractBaseUser | AnonymousUser,
                   today: dt.date | None = None) -> dict[str, Any]:
    """Projects and planned euros (every funding line of the project, corrections included, so net) per
    pipeline stage (``PIPELINE``: idea → closed) at the end of each quarter from the agreement's start to
    today, each quarter's statuses and amounts as they stood at its end (``project_source`` and
    ``line_source`` of that day: the same as-of reconstruction as every other figure; the quarter still
    running is today's state). The projects are those the user may see today. Two queries whatever the
    number of quarters: each figure is one UNION of the quarters' grouped counts."""
    today = today or timezone.localdate()
    points = quarter_ends(start=agreement.valid_from, until=min(today, agreement.valid_until))
    if not points:
        return {"points": [], "rows": [], "charts": []}
    visible = Project.objects.visible_to(user).filter(agreement=agreement).values("pk")

    def union(querysets: list[Any]) -> list[dict[str, Any]]:
        return list(querysets[0].union(*querysets[1:], all=True)) if len(querysets) > 1 else list(querysets[0])

    counts = union([
        project_source(day).filter(agreement_id=agreement.pk, id__in=visible, status__in=PIPELINE).order_by()
        .values("status").annotate(point=Value(index, output_field=IntegerField()), n=Count("id"))
        for index, (_code, day) in enumerate(points)])
    money = union([
        line_source(day).filter(project__agreement_id=agreement.pk, project__id__in=visible,
                                project__status__in=PIPELINE).order_by()
        .values("project__status").annotate(point=Value(index, output_field=IntegerField()),
                                            s=Sum("planned_amount"))
        for index, (_code, day) in enumerate(points)])
    count_of = {(row["point"], row["status"]): row["n"] for row in counts}
    money_of = {(row["point"], row["project__status"]): Decimal(row["s"] or 0) for row in money}
    labels = dict(ProjectStatus.choices)
    rows: list[dict[str, Any]] = [{"code": code, "day": day,
             "counts": {stage: count_of.get((index, stage), 0) for stage in PIPELINE},
             "planned": {stage: money_of.get((index, stage), ZERO) for stage in PIPELINE}}
            for index, (code, day) in enumerate(points)]
    codes = [row["code"] for row in rows]
    key = f"trend-{agreement.pk}"
    return {
        "points": points,
        "rows": rows,
        "charts": [
            chart(key=f"{key}-projects", kind="line", unit="count", label_heading=_("Quarter"), labels=codes,
                  title=_("Projects by stage at the end of each quarter"),
                  series=[{"label": str(labels[stage]), "style": stage,
                           "values": [Decimal(row["counts"][stage]) for row in rows]} for stage in PIPELINE]),
            chart(key=f"{key}-planned", kind="line", label_heading=_("Quarter"), labels=codes,
                  title=_("Planned funding by stage at the end of each quarter"),
                  series=[{"label": str(labels[stage]), "style": stage,
                           "values": [row["planned"][stage] for row in rows]} for stage in PIPELINE]),
        ],
    }

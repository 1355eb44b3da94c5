"""The national view: the agreements side by side."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..models import ZERO

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser



# --- the national view ------------------------------------------------------------------------------------

def agreements_comparison(*, user: AbstractBaseUser | AnonymousUser, as_of: dt.date | None = None
                          ) -> list[dict[str, Any]]:
    """The ministry's side-by-side table: per agreement the user works on, its projects, approved or running
    projects, and planned and granted euros. The euros are ``funding_summary``'s totals (the same lines
    and rules as the API and the summaries); ``as_of`` as there."""
    from django.db.models import Count

    from portfolio.models import Agreement, Project
    from portfolio.selectors import ACTIVE_STATUSES, visible_projects_source

    from .counting import _cents, _money_sum, countable_lines

    agreements = list(Agreement.objects.worked_on_by(user).order_by("name"))
    ids = [agreement.pk for agreement in agreements]
    # Three queries whatever the number of agreements: the agreements, the projects per agreement and status,
    # the money per agreement and share group (summed in cents as funding_summary's total is).
    counts: dict[int, dict[str, int]] = {}
    for row in (visible_projects_source(user=user, agreement_id=None, as_of=as_of).filter(agreement_id__in=ids)
                .order_by().values("agreement_id", "status").annotate(n=Count("id"))):
        counts.setdefault(row["agreement_id"], {})[row["status"]] = row["n"]
    money: dict[int, dict[str, Any]] = {}
    for row in (countable_lines(projects=Project.objects.visible_to(user), as_of=as_of)
                .filter(project__agreement_id__in=ids).order_by()
                .values("project__agreement_id", "instrument__share_group")
                .annotate(planned=_money_sum("planned_amount"), granted=_money_sum("granted_amount"))):
        totals = money.setdefault(row["project__agreement_id"], {"planned": ZERO, "granted": ZERO})
        totals["planned"] += _cents(row["planned"])
        totals["granted"] += _cents(row["granted"])
    rows = []
    for agreement in agreements:
        by_status = counts.get(agreement.pk, {})
        totals = money.get(agreement.pk, {"planned": ZERO, "granted": ZERO})
        rows.append({
            "agreement": agreement,
            "projects": sum(by_status.values()),
            "active": sum(by_status.get(s, 0) for s in ACTIVE_STATUSES),
            "planned": totals["planned"],
            "granted": totals["granted"],
        })
    return rows

"""The national view: the agreements side by side."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from .counting import funding_summary

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser



# --- the national view ------------------------------------------------------------------------------------

def agreements_comparison(*, user: AbstractBaseUser | AnonymousUser, as_of: dt.date | None = None
                          ) -> list[dict[str, Any]]:
    """The ministry's side-by-side table: per agreement the user works on, its projects, approved or running
    projects, and planned and granted euros. The euros are ``funding_summary``'s totals (the same lines
    and rules as the API and the summaries); ``as_of`` as there."""
    from portfolio.models import Agreement, Project
    from portfolio.selectors import ACTIVE_STATUSES, project_status_counts, visible_projects_source

    rows = []
    for agreement in Agreement.objects.worked_on_by(user).order_by("name"):
        projects = visible_projects_source(user=user, agreement_id=agreement.pk, as_of=as_of)
        counts = project_status_counts(projects)
        visible = Project.objects.visible_to(user)
        rows.append({
            "agreement": agreement,
            "projects": sum(counts.values()),
            "active": sum(counts[s] for s in ACTIVE_STATUSES),
            "planned": funding_summary(agreement_id=agreement.pk, projects=visible, basis="planned",
                                       as_of=as_of)["total"],
            "granted": funding_summary(agreement_id=agreement.pk, projects=visible, basis="granted",
                                       as_of=as_of)["total"],
        })
    return rows

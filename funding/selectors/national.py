"""The national view: the agreements side by side, on the same money and pipeline figures.

One grouped query per figure for every agreement at once (``split_by`` on the agreement,
``priority4_rule_by_agreement``, ``project_status_counts_by_agreement``), so the number of queries does not
grow with the number of agreements. The lines and rules are ``countable_lines``' and ``funding_summary``'s:
an agreement's row equals its ``funding_summary``, and the country row is ``funding_summary`` of every
project the user sees."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..models import ZERO
from .counting import BASES, countable_lines, funding_summary, priority4_rule_by_agreement
from .splits import split_by

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

# The bases whose priority-4 rule the national view shows (spent money follows granted money).
PRIORITY4_BASES = ("planned", "granted")


def _no_money() -> dict[str, Any]:
    """The split of an agreement without counted lines (as ``split_of`` gives for no lines)."""
    return {"total": ZERO, "local": ZERO, "eu_state": ZERO, "private": ZERO, "local_percent": None,
            "eu_state_percent": None, "private_percent": None, "split_ok": None}


def _split_fields(summary: dict[str, Any]) -> dict[str, Any]:
    return {key: summary[key] for key in _no_money()}


def agreements_comparison(*, user: AbstractBaseUser | AnonymousUser, as_of: dt.date | None = None
                          ) -> list[dict[str, Any]]:
    """One row per agreement the user may see (``Agreement.objects.visible_to``), counting only the
    projects the user may see (``Project.objects.visible_to``: of an agreement the user does not work on,
    its decided projects only; ``full`` tells which). Per row: projects by status (``by_status``; ``projects``
    in all, ``active`` approved or running), and for planned, granted and spent money (``split``) the total,
    local / EU+state / private in euros and percent and the 40/60 check (``split_ok``); the priority-4 rule
    on planned and granted money (``priority4_ok``). ``planned``, ``granted`` and ``spent`` are the totals.
    ``as_of`` as in ``funding_summary`` (statuses and money as they stood at the end of that day)."""
    from portfolio.models import Agreement, Project
    from portfolio.selectors import project_status_counts_by_agreement, visible_projects_source

    agreements = list(Agreement.objects.visible_to(user).order_by("name", "pk"))
    ids = [a.pk for a in agreements]
    worked_on = set(Agreement.objects.worked_on_by(user).values_list("pk", flat=True))
    visible = Project.objects.visible_to(user)
    counts = project_status_counts_by_agreement(
        visible_projects_source(user=user, agreement_id=None, as_of=as_of), ids)
    lines = countable_lines(projects=visible, as_of=as_of)
    splits = {basis: {row["key"]: row for row in split_by(lines, group_field="project__agreement_id", basis=basis)}
              for basis in BASES}
    rule = {basis: priority4_rule_by_agreement(lines, basis=basis) for basis in PRIORITY4_BASES}

    rows = []
    for agreement in agreements:
        by_status = counts[agreement.pk]
        split = {basis: _split_fields(splits[basis][agreement.pk]) if agreement.pk in splits[basis] else _no_money()
                 for basis in BASES}
        # An agreement without priority-4 money never breaks the rule (``priority4_rule_holds``).
        rows.append({"agreement": agreement, "full": agreement.pk in worked_on, **_comparison_row(
            by_status, split, {basis: rule[basis].get(agreement.pk, True) for basis in PRIORITY4_BASES})})
    return rows


def _comparison_row(by_status: dict[str, int], split: dict[str, dict[str, Any]],
                    priority4_ok: dict[str, bool]) -> dict[str, Any]:
    """The measures of one row of the national comparison (an agreement's or the country's)."""
    from portfolio.selectors import ACTIVE_STATUSES

    return {
        "by_status": by_status,
        "projects": sum(by_status.values()),
        "active": sum(by_status[s] for s in ACTIVE_STATUSES),
        "split": split,
        "planned": split["planned"]["total"],
        "granted": split["granted"]["total"],
        "spent": split["spent"]["total"],
        "priority4_ok": priority4_ok,
    }


def country_comparison(*, user: AbstractBaseUser | AnonymousUser, as_of: dt.date | None = None) -> dict[str, Any]:
    """The totals row of the national view, with the keys of an ``agreements_comparison`` row: every
    project the user may see (``funding_summary`` of them; the priority-4 rule holds when it holds in each
    agreement)."""
    from portfolio.models import Project
    from portfolio.selectors import project_status_counts, visible_projects_source

    visible = Project.objects.visible_to(user)
    by_status = project_status_counts(visible_projects_source(user=user, agreement_id=None, as_of=as_of))
    summaries = {basis: funding_summary(projects=visible, basis=basis, as_of=as_of) for basis in BASES}
    split = {basis: _split_fields(summary) for basis, summary in summaries.items()}
    return _comparison_row(by_status, split,
                           {basis: summaries[basis]["priority4_rule_ok"] for basis in PRIORITY4_BASES})

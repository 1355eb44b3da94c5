"""A project's financing plan as the portfolio's own pages, forms, filters and services need it.

The funding lines, their rules and the money live in funding, the layer above; portfolio does not import
it. Funding registers its implementation of `FinancingPlan` in `FundingConfig.ready()` and portfolio asks
`financing_plan()`. The portal always runs with funding installed, so a missing registration is a
configuration error, not a silent empty plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    import datetime as dt

    from django.contrib.auth.models import User
    from django.db.models import QuerySet

    from .models import Agreement, Project


class FinancingPlan(Protocol):
    def lines(self, *, as_of: dt.date | None = None) -> QuerySet[Any]:
        """Every funding line (a queryset: filter it, e.g. by `project=OuterRef("pk")`); with ``as_of`` of a
        past day, every line as it stood at the end of that day, its ``project__…`` lookups (status, priority,
        methods) giving that day's values (funding's own as-of line selector)."""

    def instrument_choices(self) -> list[tuple[str, str]]:
        """(code, translated label) of the instrument vocabulary (contract.md's codes)."""

    def instrument_codes(self) -> list[str]:
        """The codes of the instruments loaded, in their display order."""

    def instrument_short_names(self) -> list[tuple[str, str]]:
        """(code, short name in the active language: "EAKR") of the instruments loaded, in display order."""

    def lines_validate(self, *, agreement: Agreement, lines: list[dict[str, Any]]) -> None:
        """Raise one ValidationError listing every bad line (params `index` and `field` place each error)."""

    def lines_replace(self, *, project: Project, lines: list[dict[str, Any]],
                      user: User | None, expected_fingerprint: str | None
                      ) -> list[str]:
        """Replace the project's plan with `lines` (all or nothing); return the frame warnings."""

    def lines_fingerprint(self, *, project: Project) -> str:
        """A hash of the project's lines, sent back by a form so a concurrent edit is detected."""


_plan: list[FinancingPlan] = []


def register_financing_plan(plan: FinancingPlan) -> None:
    _plan[:] = [plan]


def financing_plan() -> FinancingPlan:
    if not _plan:
        raise ImproperlyConfigured("No financing plan is registered: is the funding app installed?")
    return _plan[0]

"""Money that counts against the funding frames before it is a granted funding line: a steering group's
approved decision waiting for the authority (committed), a proposal waiting for a decision (pending).

Those records belong to governance, above funding; funding does not import them. Governance registers a
source in `GovernanceConfig.ready()`, and frame use (`funding.selectors.frame_use`) adds what the sources
give. Without a registered source, frame use counts the granted lines only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from portfolio.models import Agreement

Kind = Literal["committed", "pending"]


@dataclass(frozen=True)
class Commitment:
    """One instrument's and year's total of a source's money."""

    kind: Kind
    code: str
    year: int
    amount: Decimal


class CommitmentSource(Protocol):
    def __call__(self, *, agreement_id: int, year: int | None, exclude_project_id: int | None,
                 include_pending_proposal_ids: Iterable[int] | None, as_of: dt.date | None
                 ) -> Iterable[Commitment]: ...


_sources: list[CommitmentSource] = []


def register_commitment_source(source: CommitmentSource) -> None:
    """Add a source of committed and pending money (idempotent: `ready()` may run more than once)."""
    if source not in _sources:
        _sources.append(source)


def commitments(*, agreement_id: int, year: int | None = None, exclude_project_id: int | None = None,
                include_pending_proposal_ids: Iterable[int] | None = None,
                as_of: dt.date | None = None) -> list[Commitment]:
    """Every registered source's totals for the agreement (optionally one year), as of a day."""
    ids = None if include_pending_proposal_ids is None else list(include_pending_proposal_ids)
    found: list[Commitment] = []
    for source in _sources:
        found.extend(source(agreement_id=agreement_id, year=year, exclude_project_id=exclude_project_id,
                            include_pending_proposal_ids=ids, as_of=as_of))
    return found


# The what-if page lets a coordinator pick pending proposals: governance registers the function that lists
# an agreement's proposals waiting for a decision, each with `pk`, `project` and `funding_lines` (lines with
# `pk`, `instrument`, `year`, `amount`).
PendingProposals = Callable[["Agreement"], Iterable[Any]]

_pending: list[PendingProposals] = []


def register_pending_proposals(source: PendingProposals) -> None:
    if source not in _pending:
        _pending.append(source)


def pending_proposals(*, agreement: Agreement) -> list[Any]:
    """The agreement's proposals waiting for a decision, with their requested funding (none registered: [])."""
    return [proposal for source in _pending for proposal in source(agreement)]


__all__ = ["Commitment", "CommitmentSource", "Kind", "PendingProposals", "commitments", "pending_proposals",
           "register_commitment_source", "register_pending_proposals"]

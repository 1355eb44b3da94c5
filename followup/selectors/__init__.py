"""Reads of the follow-up app (re-exported from one module per aggregate)."""

from .indicators import (  # noqa: F401
    indicator_totals,
    project_enterprises,
    project_indicator_figures,
    project_milestones,
)

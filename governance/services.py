"""Every write of the governance app."""

from __future__ import annotations

from typing import Any

from portfolio.upsert import translated, upsert

from .choices import GroupKind
from .models import SteeringGroup


def steering_groups_ensure(*, agreement: Any, regional_names: dict[str, str],
                           national_names: dict[str, str]) -> list[str]:
    """The agreement's steering group and the single national steering group exist."""
    changed = []
    _, did = upsert(SteeringGroup, {"kind": GroupKind.REGIONAL, "agreement": agreement},
                    translated("name", regional_names))
    if did:
        changed.append("steering group")
    _, did = upsert(SteeringGroup, {"kind": GroupKind.NATIONAL, "agreement": None},
                    translated("name", national_names))
    if did:
        changed.append("national steering group")
    return changed

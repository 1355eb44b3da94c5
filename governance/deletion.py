"""Governance's rules for what may not be deleted (see portfolio.deletion)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext as _

from portfolio.deletion import deletion_blocker_register

from .choices import MeetingStatus


def _attended_confirmed_minutes(user: models.Model) -> list[str]:
    # Attendance is an auto-created many-to-many: without this rule a delete would silently remove the
    # person from the attendance of confirmed minutes (and change the quorum they record).
    if user.attended_meetings.filter(status=MeetingStatus.MINUTES_CONFIRMED).exists():  # type: ignore[attr-defined]
        return [_("This person attended meetings whose minutes are confirmed; the attendance is part of the "
                  "permanent record. Deactivate or anonymise the account instead.")]
    return []


def register_governance_blockers() -> None:
    deletion_blocker_register(get_user_model(), _attended_confirmed_minutes)

"""A decision counts in the period of its meeting, not in the period it was typed in (issue 12, point 6)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from governance.tests import factories as f
from reporting.periods import period_parse
from reporting.selectors import agreement_figures

pytestmark = pytest.mark.django_db


def test_decision_typed_in_after_the_quarter_counts_in_its_meetings_quarter(coordinator, steering_member,
                                                                            agreement):
    tz = timezone.get_default_timezone()
    held = dt.datetime(2026, 9, 30, 15, 0, tzinfo=tz)
    with time_machine.travel(dt.datetime(2026, 9, 29, 12, 0, tzinfo=tz)):
        meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member, starts_at=held)
    with time_machine.travel(dt.datetime(2026, 10, 2, 9, 0, tzinfo=tz)):  # minutes typed in two days later
        f.approve(meeting, proposal, steering_member)
    q3 = agreement_figures(agreement, period_parse("2026-Q3"))["activity"]
    q4 = agreement_figures(agreement, period_parse("2026-Q4"))["activity"]
    assert (q3["decisions"], q4["decisions"]) == (1, 0)

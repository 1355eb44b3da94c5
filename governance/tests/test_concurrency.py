"""Two chairs recording a decision on the same proposal at the same moment: exactly one decision is
recorded, the other is refused (the services lock the meeting and proposal rows)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from governance import services
from governance.models import Decision, Membership
from governance.tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_simultaneous_decisions_only_one_recorded(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    secretary = f.add_member(f.regional_group(agreement), role="secretary")
    meeting.attendees.add(secretary)
    assert Membership.objects.filter(group=meeting.group, role__in=["chair", "secretary"]).count() == 2
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(user, outcome):  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=10)
            if outcome == "approved":
                f.approve(meeting, proposal, user)
            else:
                services.decision_record(proposal=proposal, meeting=meeting, outcome=outcome, user=user,
                                         rationale="x")
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(steering_member, "approved")),
               threading.Thread(target=decide, args=(secretary, "rejected"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 2 and outcomes.count("ok") == 1, outcomes
    refusal = next(o for o in outcomes if o != "ok")
    # PostgreSQL: the second waits for the row lock, then sees the decided proposal and is refused.
    # SQLite's shared in-memory test database may refuse the second writer with a table lock instead.
    assert "decided" in refusal or "record a decision" in refusal or (
        connection.vendor == "sqlite" and "locked" in refusal), refusal
    assert Decision.objects.filter(proposal=proposal).count() == 1

"""Two chairs recording a decision on the same proposal at the same moment: exactly one decision is
recorded, the other is refused (the services lock the meeting and proposal rows).

On PostgreSQL (the CI pass with real services) the refusal must be the domain's own ("already decided": the
second writer waits for the row lock, then sees the decided proposal), never a lock or serialisation error.
SQLite's shared in-memory test database may instead refuse the second writer with a table lock."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from governance import services
from governance.models import Decision, Membership
from governance.tests import factories as f

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.fault]

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _race(coordinator, steering_member, agreement):  # type: ignore[no-untyped-def]
    """Both chairs decide at once; returns [(outcome, code)] per thread, the proposal and the meeting."""
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    secretary = f.add_member(f.regional_group(agreement), role="secretary")
    meeting.attendees.add(secretary)
    assert Membership.objects.filter(group=meeting.group, role__in=["chair", "secretary"]).count() == 2
    barrier = threading.Barrier(2)
    outcomes: list[tuple[str, str]] = []

    def decide(user, outcome):  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=10)
            if outcome == "approved":
                f.approve(meeting, proposal, user)
            else:
                services.decision_record(proposal=proposal, meeting=meeting, outcome=outcome, user=user,
                                         rationale="x")
            outcomes.append(("ok", ""))
        except services.TransitionError as exc:
            outcomes.append((exc.messages[0], str(exc.code)))
        except ValidationError as exc:
            outcomes.append((exc.messages[0], "validation"))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes.append((repr(exc), type(exc).__name__))
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(steering_member, "approved")),
               threading.Thread(target=decide, args=(secretary, "rejected"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes, proposal


@pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite variant: the PostgreSQL variant below asserts the domain refusal")
def test_two_simultaneous_decisions_only_one_recorded(coordinator, steering_member, agreement):
    outcomes, proposal = _race(coordinator, steering_member, agreement)
    assert len(outcomes) == 2 and [o for o, _c in outcomes].count("ok") == 1, outcomes
    refusal, code = next(item for item in outcomes if item[0] != "ok")
    assert code == "proposal_decided" or "locked" in refusal, refusal
    assert Decision.objects.filter(proposal=proposal).count() == 1


@pytest.mark.services
@pytest.mark.skipif(not ON_POSTGRESQL, reason="row locks: runs in the PostgreSQL pass (DATABASE_URL=postgres://...)")
def test_two_simultaneous_decisions_the_second_gets_the_domain_refusal_under_row_locks(
        coordinator, steering_member, agreement):
    outcomes, proposal = _race(coordinator, steering_member, agreement)
    assert len(outcomes) == 2 and [o for o, _c in outcomes].count("ok") == 1, outcomes
    refusal, code = next(item for item in outcomes if item[0] != "ok")
    # The domain's refusal of a decided proposal, not a lock timeout, deadlock or serialisation failure.
    assert code == "proposal_decided", outcomes
    assert "Decided" in refusal, refusal
    assert Decision.objects.filter(proposal=proposal).count() == 1
    proposal.refresh_from_db()
    assert proposal.status == "decided"

"""The demo shows every feature with data (issue 13): the further demo agreements' steering groups meet (a past
meeting that decided proposals, an upcoming one with a published agenda), and every indicator value the demo
reports comes from an accepted progress report of its project and period. `seed_demo` stays idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from followup.models import IndicatorValue, ProgressReport
from governance.models import Decision, Meeting, Membership, Proposal
from portfolio.models import Agreement, Project
from reporting.demo_agreements import DEMO_AGREEMENT_VALUES, DEMO_AGREEMENTS
from reporting.demo_seed import DEMO_REPORT_VALUES
from tests.demo_snapshot import seed_demo_for_test

pytestmark = pytest.mark.django_db

FROZEN = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)  # as the pinned figures (test_figures_pinned)


def _state() -> tuple[object, ...]:
    """Every row of the governance and follow-up content the demo writes (governance keeps no change
    history: its rows as they are), and the follow-up's change history."""
    return tuple(list(model.objects.order_by("pk").values()) for model in (
        Meeting, Membership, Proposal, Decision, IndicatorValue, ProgressReport, Project)) + (
        IndicatorValue.history.count(), ProgressReport.history.count())


@pytest.fixture
def seeded(db):  # type: ignore[no-untyped-def]
    with time_machine.travel(FROZEN, tick=False):
        seed_demo_for_test()
        yield


def test_every_further_demo_agreement_has_a_group_with_a_past_and_an_upcoming_meeting(seeded):  # type: ignore[no-untyped-def]
    assert len(DEMO_AGREEMENTS) == 3
    for spec in DEMO_AGREEMENTS:
        agreement = Agreement.objects.get(code=spec["code"])
        meetings = list(Meeting.objects.filter(group__agreement=agreement).order_by("starts_at"))
        assert [m.status for m in meetings] == ["confirmed", "published"], spec["code"]
        past, upcoming = meetings
        # Two members who cannot sign in and the coordinator as the secretary.
        seats = sorted(Membership.objects.filter(group=past.group).values_list("role", flat=True))
        assert seats == ["chair", "member", "secretary"]
        assert past.attendees.count() == 3 and past.minutes_confirmed_at is not None
        decided = {(d.proposal.project.code, d.outcome) for d in Decision.objects.filter(meeting=past)}
        codes = [p.code for p in Project.objects.filter(agreement=agreement).order_by("code")]
        assert decided == {(codes[i], outcome) for i, outcome in spec["meetings"]["past"][1]}
        # A decision's outcome and its project's status agree (approved → approved or running; rejected → rejected).
        for code, outcome in decided:
            status = Project.objects.get(agreement=agreement, code=code).status
            assert status == "rejected" if outcome == "rejected" else status in ("approved", "running"), code
        assert upcoming.agenda_published_at is not None and upcoming.starts_at.date() > past.starts_at.date()
        agenda = list(Proposal.objects.filter(meeting=upcoming).values_list("project__code", "status",
                                                                            "project__status"))
        assert agenda == [(codes[i], "on_agenda", "proposal") for i in spec["meetings"]["upcoming"][1]]
    # Each agreement's pipeline has a proposal on an agenda.
    by_agreement = dict(Proposal.objects.filter(status="on_agenda", project__agreement__code__startswith="demo-")
                        .values_list("project__agreement__code", "project__code"))
    assert set(by_agreement) == {spec["code"] for spec in DEMO_AGREEMENTS}


def test_every_demo_indicator_value_comes_from_an_accepted_progress_report(seeded):  # type: ignore[no-untyped-def]
    values = list(IndicatorValue.objects.select_related("report", "indicator", "project"))
    assert len(values) == len(DEMO_REPORT_VALUES) + len(DEMO_AGREEMENTS) * len(DEMO_AGREEMENT_VALUES)
    for value in values:
        # Every demo indicator takes reported values (none is counted from the enterprise register).
        assert value.indicator.register_count == "", value.indicator.code
        report = value.report
        assert report is not None, (value.project.code, value.indicator.code)
        assert report.project_id == value.project_id
        assert (report.period_start, report.period_end) == (value.period_start, value.period_end)
        assert report.review_state == "accepted", (value.project.code, report.period_label)
        assert report.transitions.filter(to_state="accepted").exists()
    expected = {(code, ind, start, end) for code, ind, start, end, _value in DEMO_REPORT_VALUES}
    assert expected <= {(v.project.code, v.indicator.code, v.period_start, v.period_end) for v in values}


def test_seed_demo_twice_changes_nothing(seeded):  # type: ignore[no-untyped-def]
    before = _state()
    with time_machine.travel(FROZEN, tick=False):
        call_command("seed_demo", verbosity=0)
    assert _state() == before


def test_the_demo_reports_are_dated_after_their_periods_so_past_summaries_count_what_was_accepted_by_then(
        seeded):  # type: ignore[no-untyped-def]
    """Defect: the demo accepted every progress report on the day it was seeded, and values count from their
    report's acceptance, so a summary of 2025-H1 showed nothing achieved. Each report is now submitted after
    its period ended and reviewed after that, never after the seeding."""
    from followup.models import ProgressReportTransition
    from followup.selectors import indicator_totals

    reviewed = ProgressReport.objects.exclude(reviewed_at=None)
    assert reviewed.count() > 10
    for report in ProgressReport.objects.filter(transitions__isnull=False).distinct():
        steps = list(report.transitions.order_by("at", "pk"))
        assert steps[0].at.date() > report.period_end, report
        assert [s.at for s in steps] == sorted(s.at for s in steps) and steps[-1].at < FROZEN
        assert len({s.at for s in steps}) == len(steps)
        if report.reviewed_at:
            assert report.reviewed_at == steps[-1].at and report.submitted_at <= report.reviewed_at
    first = ProgressReportTransition.objects.order_by("at").first().at.date()
    assert first < dt.date(2025, 1, 1)
    hev = Agreement.objects.get(code="helsinki-espoo-vantaa-2021-2027")
    with time_machine.travel(FROZEN, tick=False):
        mid_2025 = {row.code: row.achieved for row in indicator_totals(user=None, agreement=hev,
                                                                       as_of=dt.date(2025, 6, 30)).rows}
        today = {row.code: row.achieved for row in indicator_totals(user=None, agreement=hev).rows}
    assert any(mid_2025.values()), "reports accepted by mid-2025 count in a summary of 2025-H1"
    assert all(mid_2025[code] <= today[code] for code in mid_2025)
    assert mid_2025 != today

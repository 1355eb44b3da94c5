"""Governance test helpers: proposals and meetings in each lifecycle state, built through the services so
that the states are the ones the workflow really produces."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.utils import timezone

from governance import services
from governance.choices import GroupKind, MemberRole
from governance.models import Meeting, Membership, Proposal, SteeringGroup
from tests.factories import ProjectFactory, UserFactory

TZ = timezone.get_default_timezone()
LINES = [{"instrument": "ERDF", "year": 2026, "amount": Decimal("120000.00")},
         {"instrument": "CITY", "year": 2026, "amount": Decimal("80000.00")}]


def regional_group(agreement: Any) -> SteeringGroup:
    return SteeringGroup.objects.get(kind=GroupKind.REGIONAL, agreement=agreement)


def add_member(group: SteeringGroup, role: str = MemberRole.MEMBER, **kwargs: Any) -> Any:
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name="steering"))
    Membership.objects.create(group=group, user=user, role=role)
    return user


def idea_project(agreement: Any, **kwargs: Any) -> Any:
    return ProjectFactory(agreement=agreement, status="idea", start_date=dt.date(2026, 1, 1),
                          end_date=dt.date(2027, 12, 31), **kwargs)


def draft(coordinator: Any, agreement: Any, *, lines: list[dict] | None = None, **kwargs: Any) -> Proposal:
    project = kwargs.pop("project", None) or idea_project(agreement)
    return services.proposal_create(project=project, title=kwargs.pop("title", f"Esitys {project.code}"),
                                    plan=kwargs.pop("plan", "Suunnitelma."), user=coordinator,
                                    funding_lines=LINES if lines is None else lines, **kwargs)


def submitted(coordinator: Any, agreement: Any, **kwargs: Any) -> Proposal:
    return services.proposal_submit(proposal=draft(coordinator, agreement, **kwargs), user=coordinator)


def meeting(coordinator: Any, agreement: Any, *, days: int = 14, title: str = "Johtoryhmä 1/2026",
            starts_at: dt.datetime | None = None) -> Meeting:
    return services.meeting_create(group=regional_group(agreement), title=title, user=coordinator,
                                   starts_at=starts_at or timezone.now() + dt.timedelta(days=days),
                                   location="Kaupungintalo")


def started_today() -> dt.datetime:
    """A moment that has passed but is still today (a meeting in session: decisions can be recorded)."""
    now = timezone.localtime()
    return max(now - dt.timedelta(minutes=1), now.replace(hour=0, minute=0, second=0, microsecond=0))


def ensure_frame(agreement: Any, code: str = "ERDF", year: int = 2026,
                 amount: Decimal = Decimal("10000000.00")) -> Any:
    """The funding frame an approval needs (EU and state money is committed only within a frame)."""
    from funding.models import FundingFrame, FundingInstrument

    return FundingFrame.objects.get_or_create(agreement=agreement, instrument=FundingInstrument.objects.get(code=code),
                                              year=year, defaults={"amount": amount})[0]


def on_agenda(coordinator: Any, agreement: Any, meet: Meeting | None = None, **kwargs: Any) -> Proposal:
    meet = meet or meeting(coordinator, agreement)
    return services.proposal_add_to_agenda(proposal=submitted(coordinator, agreement, **kwargs), meeting=meet,
                                           user=coordinator)


def deciding_meeting(coordinator: Any, agreement: Any, chair: Any, *, proposals: int = 1,
                     **kwargs: Any) -> tuple[Meeting, list[Proposal]]:
    """A published meeting in session (it started a moment ago) with proposals on the agenda, a quorum present
    (chair + 2 members) and an ERDF 2026 frame for the approvals."""
    group = regional_group(agreement)
    ensure_frame(agreement)
    meet = meeting(coordinator, agreement, starts_at=kwargs.pop("starts_at", None) or started_today())
    items = [on_agenda(coordinator, agreement, meet, **kwargs) for _ in range(proposals)]
    services.meeting_publish_agenda(meeting=meet, user=coordinator)
    members = [add_member(group) for _ in range(max(0, group.quorum - 1))]
    services.meeting_record_attendance(meeting=meet, attendees=[chair, *members], user=chair)
    meet.refresh_from_db()
    return meet, items


def approve(meet: Meeting, proposal: Proposal, chair: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("approved_lines", LINES)
    kwargs.setdefault("rationale", "Vastaa hakukriteerejä.")
    return services.decision_record(proposal=proposal, meeting=meet, outcome="approved", user=chair, **kwargs)

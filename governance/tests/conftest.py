import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from governance.tests.factories import draft, meeting, regional_group, submitted

# The kinds of user of the governance truth tables (test_permissions, test_querysets), in table order.
SEAT_ROLES = ["anonymous", "no_role", "coordinator", "other_coordinator", "chair", "secretary", "member",
              "substitute", "ended_chair", "future_chair", "seat_no_role", "national_chair", "ministry", "superuser"]


def assert_table(people: dict[str, Any], ask: Callable[[Any], object], ones: str) -> None:
    """``ask(user)`` for each kind of user equals ``ones``: "1" for each kind (in SEAT_ROLES order) answered
    True, "0" for False (any other answer fails)."""
    assert len(ones) == len(SEAT_ROLES)
    assert {role: ask(people[role]) for role in SEAT_ROLES} == {
        role: flag == "1" for role, flag in zip(SEAT_ROLES, ones, strict=True)}


@pytest.fixture
def group(agreement):  # type: ignore[no-untyped-def]
    return regional_group(agreement)


def national_group():  # type: ignore[no-untyped-def]
    from governance.choices import GroupKind
    from governance.models import SteeringGroup

    return SteeringGroup.objects.get_or_create(kind=GroupKind.NATIONAL, agreement=None,
                                               defaults={"name": "Kansallinen ohjausryhmä"})[0]


@pytest.fixture
def seat_people(agreement, other_agreement, coordinator, other_coordinator, steering_member,  # type: ignore[no-untyped-def]
                ministry_user, plain_user, admin_user):
    """One user of each kind in SEAT_ROLES: seats of the agreement's regional group in and out of their term,
    a substitute for its chair, a seat without a portal role, the national group's chair."""
    from django.contrib.auth.models import AnonymousUser, Group

    from governance.choices import MemberRole
    from governance.models import Membership
    from tests.factories import UserFactory

    ours = regional_group(agreement)
    national = national_group()
    today = timezone.localdate()

    def seat(username, group, role, *, steering=True, **kwargs):  # type: ignore[no-untyped-def]
        user = UserFactory(username=username)
        if steering:
            user.groups.add(Group.objects.get(name="steering"))
        Membership.objects.create(group=group, user=user, role=role, **kwargs)
        return user

    chair_seat = Membership.objects.get(group=ours, user=steering_member)
    return {
        "anonymous": AnonymousUser(), "no_role": plain_user, "coordinator": coordinator,
        "other_coordinator": other_coordinator, "chair": steering_member,
        "secretary": seat("secretary", ours, MemberRole.SECRETARY),
        "member": seat("member", ours, MemberRole.MEMBER),
        "substitute": seat("substitute", ours, MemberRole.MEMBER, substitute_for=chair_seat),
        "ended_chair": seat("ended", ours, MemberRole.CHAIR, term_start=today - dt.timedelta(days=400),
                            term_end=today - dt.timedelta(days=1)),
        # Takes the seat in a week: not yet today, but on the day of a meeting two weeks ahead.
        "future_chair": seat("future", ours, MemberRole.CHAIR, term_start=today + dt.timedelta(days=7)),
        "seat_no_role": seat("noportal", ours, MemberRole.CHAIR, steering=False),
        "national_chair": seat("natchair", national, MemberRole.CHAIR),
        "ministry": ministry_user, "superuser": admin_user,
    }


@pytest.fixture
def governance_objects(agreement, other_agreement, coordinator, other_coordinator):  # type: ignore[no-untyped-def]
    """Groups (ours, theirs, national), a meeting of ours in two weeks, drafts and submitted proposals of both."""
    from governance.choices import GroupKind
    from governance.models import SteeringGroup

    return SimpleNamespace(
        group=regional_group(agreement), national=national_group(),
        other_group=SteeringGroup.objects.get_or_create(kind=GroupKind.REGIONAL, agreement=other_agreement,
                                                        defaults={"name": "Toinen ohjausryhmä"})[0],
        meeting=meeting(coordinator, agreement, days=14),
        draft=draft(coordinator, agreement), submitted=submitted(coordinator, agreement),
        their_draft=draft(other_coordinator, other_agreement),
        their_submitted=submitted(other_coordinator, other_agreement))

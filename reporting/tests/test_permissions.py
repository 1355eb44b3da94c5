"""The summary permission predicates and the summary scope, one truth table per role: views, the API and the
dashboard only ask these, so each answer is pinned here for every kind of user."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no_role", "coordinator", "other_coordinator", "steering", "ministry", "superuser",
         "national_member", "contact"]


@pytest.fixture
def people(agreement, other_agreement, coordinator, other_coordinator, steering_member, ministry_user, plain_user,
           admin_user):
    from django.contrib.auth.models import AnonymousUser, Group

    from governance.choices import GroupKind
    from governance.models import Membership, SteeringGroup
    from portfolio.models import ProjectContact
    from tests.factories import ProjectFactory, UserFactory

    national = UserFactory(username="national-member")
    national.groups.add(Group.objects.get(name="steering"))
    Membership.objects.create(group=SteeringGroup.objects.get(kind=GroupKind.NATIONAL), user=national)
    contact = UserFactory(username="contact")
    contact.groups.add(Group.objects.get(name="project_contact"))
    ProjectContact.objects.create(user=contact, project=ProjectFactory(agreement=agreement, status="running"))
    return {"anonymous": AnonymousUser(), "no_role": plain_user, "coordinator": coordinator,
            "other_coordinator": other_coordinator, "steering": steering_member, "ministry": ministry_user,
            "superuser": admin_user, "national_member": national, "contact": contact}


def _report(audience, agreement=None):  # type: ignore[no-untyped-def]
    from reporting.models import SummaryReport

    return SummaryReport.objects.create(audience=audience, agreement=agreement, period="2026-Q1",
                                        period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 3, 31),
                                        status="done", progress=100)


@pytest.fixture
def reports(agreement, other_agreement):  # type: ignore[no-untyped-def]
    return {"ours": _report("steering", agreement), "theirs": _report("steering", other_agreement),
            "national": _report("national")}


def _table(answers: dict[str, object], ones: str) -> None:
    """``ones``: the roles answered True, by their place in ROLES ("1" or "0" each)."""
    assert {role: answers[role] for role in ROLES} == {role: flag == "1" for role, flag in zip(ROLES, ones,
                                                                                              strict=True)}


def test_who_views_reports(people):
    from reporting.permissions import can_view_reports

    _table({r: can_view_reports(u) for r, u in people.items()}, "001111111")


@pytest.mark.parametrize(("which", "ones"), [("ours", "001011100"), ("theirs", "000101100"),
                                             ("national", "000001110")])
def test_who_sees_and_downloads_a_summary(people, reports, which, ones):
    from reporting.models import SummaryReport
    from reporting.permissions import can_download_report

    report = reports[which]
    _table({r: can_download_report(u, report) for r, u in people.items()}, ones)
    _table({r: SummaryReport.objects.visible_to(u).filter(pk=report.pk).exists() for r, u in people.items()}, ones)


@pytest.mark.parametrize(("which", "ones"), [("ours", "001000100"), ("theirs", "000100100"),
                                             ("national", "000001100")])
def test_who_reviews_a_summary(people, reports, which, ones):
    from reporting.permissions import can_review_summary

    _table({r: can_review_summary(u, reports[which]) for r, u in people.items()}, ones)


@pytest.mark.parametrize(("audience", "target", "ones"), [
    ("steering", "ours", "001000100"), ("steering", "ours_id", "001000100"), ("steering", "theirs", "000100100"),
    ("steering", None, "000000000"), ("national", None, "000001100"), ("national", "ours", "000001100"),
    ("annual", "ours", "000000000"), ("annual", None, "000000000"),
])
def test_who_requests_a_summary(people, agreement, other_agreement, audience, target, ones):
    from reporting.permissions import can_request_summary

    value = {"ours": agreement, "ours_id": agreement.pk, "theirs": other_agreement, None: None}[target]
    _table({r: can_request_summary(u, audience=audience, agreement=value) for r, u in people.items()}, ones)


@pytest.mark.parametrize(("kind", "ones"), [("regional", "001000100"), ("national", "000001100")])
def test_who_manages_a_groups_recipients(people, agreement, kind, ones):
    from governance.models import SteeringGroup
    from reporting.permissions import can_manage_recipients

    group = SteeringGroup.objects.get(kind=kind, agreement=agreement if kind == "regional" else None)
    _table({r: can_manage_recipients(u, group) for r, u in people.items()}, ones)


def test_who_opens_the_national_view(people):
    from reporting.permissions import can_view_national

    _table({r: can_view_national(u) for r, u in people.items()}, "000001110")


def test_which_summaries_each_role_may_compile(people):
    from reporting.permissions import can_request_any_summary, requestable_audiences

    assert {r: requestable_audiences(u) for r, u in people.items()} == {
        "anonymous": [], "no_role": [], "coordinator": ["steering"], "other_coordinator": ["steering"],
        "steering": [], "ministry": ["national"], "superuser": ["steering", "national"], "national_member": [],
        "contact": []}
    _table({r: can_request_any_summary(u) for r, u in people.items()}, "001101100")


def test_who_reads_and_edits_the_action_plan(people, agreement, other_agreement):
    from reporting.permissions import can_edit_action_plan, can_view_action_plan

    _table({r: can_view_action_plan(u, agreement) for r, u in people.items()}, "001011100")
    _table({r: can_view_action_plan(u, other_agreement) for r, u in people.items()}, "000101100")
    _table({r: can_edit_action_plan(u, agreement) for r, u in people.items()}, "001000100")
    _table({r: can_edit_action_plan(u, other_agreement) for r, u in people.items()}, "000100100")


def test_the_national_seat_is_looked_up_once_per_user(people, django_assert_num_queries):
    from django.contrib.auth import get_user_model

    from reporting.querysets import is_national_group_member

    fresh = {name: get_user_model().objects.get(pk=people[name].pk) for name in ("national_member", "steering")}
    with django_assert_num_queries(1):
        assert is_national_group_member(fresh["national_member"]) is True
    with django_assert_num_queries(1):
        assert is_national_group_member(fresh["steering"]) is False  # a regional seat only
    with django_assert_num_queries(0):
        assert is_national_group_member(fresh["national_member"]) is True
        assert is_national_group_member(fresh["steering"]) is False
        assert is_national_group_member(people["anonymous"]) is False


def test_finished_and_running_summaries(agreement):
    from reporting.models import SummaryReport

    for n, status in enumerate(("queued", "compiling", "rendering", "done", "failed")):
        SummaryReport.objects.create(audience="steering", agreement=agreement, period=f"2025-Q{n % 4 + 1}",
                                     version=n + 1, period_start=dt.date(2025, 1, 1),
                                     period_end=dt.date(2025, 3, 31), status=status)
    assert sorted(SummaryReport.objects.done().values_list("status", flat=True)) == ["done"]
    assert sorted(SummaryReport.objects.in_flight().values_list("status", flat=True)) == [
        "compiling", "queued", "rendering"]


def test_a_national_member_who_works_on_an_agreement_sees_its_summaries_too(people, reports):
    from governance.choices import GroupKind, MemberRole
    from governance.models import Membership, SteeringGroup
    from reporting.models import SummaryReport

    steering = people["steering"]
    Membership.objects.create(group=SteeringGroup.objects.get(kind=GroupKind.NATIONAL), user=steering,
                              role=MemberRole.MEMBER)
    fresh = type(steering).objects.get(pk=steering.pk)
    assert set(SummaryReport.objects.visible_to(fresh).values_list("pk", flat=True)) == {
        reports["ours"].pk, reports["national"].pk}

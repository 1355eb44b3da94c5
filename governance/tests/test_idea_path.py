"""One idea concept (issue 15, item 5): an idea is a project in status "idea" with its preparation record;
one count (the dashboard, the idea list and the API agree); one path idea → proposal → project, on which
the record's stage follows the project's status and an approval gives the project its code and dates."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from governance import services
from governance.models import ProjectIdea
from portfolio.models import Organisation, Priority, Project
from tests.demo_snapshot import seed_demo_for_test

from . import factories as f

pytestmark = pytest.mark.django_db


def _idea(agreement, coordinator, title="Kiertotalouden testialusta"):  # type: ignore[no-untyped-def]
    return services.idea_create(agreement=agreement, user=coordinator, title=title,
                                priority=Priority.objects.get(agreement=agreement, code=1),
                                lead_organisation=Organisation.objects.filter(kind="city").first())


def test_an_approved_idea_becomes_a_project_with_its_code_dates_and_stage(coordinator, steering_member,
                                                                           agreement):
    idea = _idea(agreement, coordinator)
    assert idea.project.code.startswith("IDEA-") and idea.project.start_date is None
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member, project=idea.project)
    decision = f.approve(meeting, proposal, steering_member)
    idea.refresh_from_db()
    project = Project.objects.get(pk=idea.project_id)
    assert (project.status, idea.stage) == ("approved", "project")
    assert project.code == "HEV-001"  # the agreement's series (HEV-KOORD has no number)
    # Dates from the approved years (2026): not before the decision, to the end of the last year.
    assert project.start_date == max(dt.date(2026, 1, 1), decision.decided_on)
    assert project.end_date == dt.date(2026, 12, 31)
    # The provisional code stays in the project's history.
    assert "IDEA-001" in set(project.history.values_list("code", flat=True))  # type: ignore[attr-defined]


def test_an_approval_keeps_a_code_and_dates_already_set(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    before = Project.objects.get(pk=proposal.project_id)
    f.approve(meeting, proposal, steering_member)
    after = Project.objects.get(pk=proposal.project_id)
    assert (after.code, after.start_date, after.end_date) == (before.code, before.start_date, before.end_date)


def test_the_idea_stage_follows_its_proposal(coordinator, steering_member, agreement):
    idea = _idea(agreement, coordinator)
    draft = f.draft(coordinator, agreement, project=idea.project)
    idea.refresh_from_db()
    assert (idea.stage, Project.objects.get(pk=idea.project_id).status) == ("preparing", "idea")
    services.proposal_submit(proposal=draft, user=coordinator)
    idea.refresh_from_db()
    assert (idea.stage, Project.objects.get(pk=idea.project_id).status) == ("proposal", "proposal")


def test_a_rejected_idea_is_at_the_stage_rejected(coordinator, steering_member, agreement):
    idea = _idea(agreement, coordinator)
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member, project=idea.project)
    services.decision_record(proposal=proposal, meeting=meeting, outcome="rejected", user=steering_member,
                             rationale="Päällekkäinen.")
    idea.refresh_from_db()
    assert idea.stage == "rejected"
    assert idea.project.code.startswith("IDEA-")  # not in the portfolio: no code of the series


def test_a_project_created_on_the_project_form_is_an_idea_with_its_record(coordinator, agreement):
    from portfolio.models import MethodCategory
    from portfolio.services import project_create

    project = project_create(agreement=agreement, user=coordinator, data={
        "code": "HEV-050", "title_fi": "Lomakkeelta", "priority": Priority.objects.get(agreement=agreement, code=2),
        "lead_organisation": Organisation.objects.filter(kind="city").first(),
        "methods": [MethodCategory.objects.get(code=1)]})
    assert project.status == "idea"
    assert ProjectIdea.objects.get(project=project).stage == "idea"


def test_the_dashboard_the_idea_list_and_the_api_count_the_same_ideas_in_the_demo():
    seed_demo_for_test()
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="coordinator"))
    dashboard = client.get(reverse("dashboard"))
    portfolio = dashboard.context["portfolio"]
    by_status = {s["code"]: s["count"] for s in portfolio["statuses"]}
    listed = list(client.get(reverse("governance:idea-list")).context["projects"])
    api = client.get("/api/v1/projects/", {"status": "idea", "page_size": 100}).json()
    api_count = api["count"] if isinstance(api, dict) and "count" in api else len(api)
    assert portfolio["idea_count"] == by_status["idea"] == len(listed) == api_count == 4
    assert all(project.idea.stage in ("idea", "preparing") for project in listed)


def test_the_migration_reconciles_ideas_without_records_and_approved_ideas(coordinator, steering_member,
                                                                            agreement):
    from django.apps import apps

    migration = importlib.import_module("governance.migrations.0007_idea_one_concept")
    bare = f.idea_project(agreement)  # an idea without a record (created before ideas had one)
    ProjectIdea.objects.filter(project=bare).delete()
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    decision = f.approve(meeting, proposal, steering_member, approved_lines=[
        {"instrument": "ERDF", "year": 2026, "amount": Decimal("100000.00")}])
    approved = proposal.project
    # As the old code left an approved idea: provisional code, no dates, the record at "proposal".
    Project.objects.filter(pk=approved.pk).update(code="IDEA-007", start_date=None, end_date=None)
    ProjectIdea.objects.filter(project=approved).update(stage="proposal")

    migration.forwards(apps, None)

    assert ProjectIdea.objects.get(project=bare).stage == "idea"
    approved.refresh_from_db()
    assert ProjectIdea.objects.get(project=approved).stage == "project"
    assert approved.code == "HEV-001"
    assert (approved.start_date, approved.end_date) == (max(dt.date(2026, 1, 1), decision.decided_on),
                                                        dt.date(2026, 12, 31))
    assert approved.history.filter(code="HEV-001").exists()  # type: ignore[attr-defined]

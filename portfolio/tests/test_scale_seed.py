"""seed_scale: deterministic and repeatable synthetic data."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from funding.models import FundingLine
from portfolio.models import Project

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple:
    projects = Project.objects.filter(agreement__code__startswith="scale-")
    lines = FundingLine.objects.filter(project__in=projects)
    return (projects.count(), sorted(projects.values_list("title", "status")),
            lines.count(), lines.aggregate(s=Sum("planned_amount"))["s"])


def test_seed_scale_is_deterministic_and_replaces_its_own_data(agreement):
    call_command("seed_scale", agreements=2, projects=40, stdout=open("/dev/null", "w"))
    first = _snapshot()
    call_command("seed_scale", agreements=2, projects=40, stdout=open("/dev/null", "w"))
    assert _snapshot() == first
    assert first[0] == 40 and first[2] > 0
    assert Project.objects.filter(agreement=agreement).exists()  # the real agreement is untouched


def test_seed_scale_replaces_without_history_unless_others_refer_to_its_projects(agreement, coordinator):
    """Its own rows go in bulk, with no history row each; a synthetic project something else refers to (a
    contact here) is deleted the recorded way, its contact with it."""
    from portfolio.models import ProjectContact

    call_command("seed_scale", agreements=2, projects=30, stdout=open("/dev/null", "w"))
    history_before = FundingLine.history.count(), Project.history.count()
    call_command("seed_scale", agreements=2, projects=20, stdout=open("/dev/null", "w"))
    assert (FundingLine.history.count(), Project.history.count()) == history_before
    assert Project.objects.filter(agreement__code__startswith="scale-").count() == 20

    contacted = Project.objects.filter(agreement__code__startswith="scale-").first()
    ProjectContact.objects.create(project=contacted, user=coordinator, organisation=contacted.lead_organisation)
    call_command("seed_scale", agreements=2, projects=10, stdout=open("/dev/null", "w"))
    assert Project.objects.filter(agreement__code__startswith="scale-").count() == 10
    assert not ProjectContact.objects.filter(project_id=contacted.pk).exists()
    assert Project.history.count() > history_before[1]  # the slow way records the deletions

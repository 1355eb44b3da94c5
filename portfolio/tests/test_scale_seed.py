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

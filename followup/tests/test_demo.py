import pytest

from followup.models import Enterprise, IndicatorTarget, IndicatorValue, Milestone, ProjectEnterprise

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (IndicatorTarget.objects.count(), IndicatorValue.objects.count(), Enterprise.objects.count(),
            ProjectEnterprise.objects.count(), Milestone.objects.count(), IndicatorTarget.history.count())


def test_demo_seed_adds_indicators_enterprises_and_milestones_idempotently(settings):
    from django.db.models import Count
    from django.utils import timezone

    from followup.models.indicators import late_q
    from reporting.demo_seed import demo_seed

    demo_seed()
    first = _counts()
    demo_seed()
    assert _counts() == first
    assert all(first)
    shared = Enterprise.objects.annotate(n=Count("project_links__project", distinct=True)).filter(n__gte=2)
    assert shared.exists()  # one enterprise reached by two projects: counted once in the totals
    assert Milestone.objects.filter(late_q(timezone.localdate())).exists()

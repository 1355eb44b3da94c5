"""The demo (`seed_demo`): indicators, enterprises and milestones; a project contact and progress reports in
every state, the money figures unchanged."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from followup.models import Enterprise, IndicatorTarget, IndicatorValue, Milestone, ProgressReport, ProjectEnterprise
from funding.models import SpendingEntry
from portfolio.models import Project

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


def test_seed_demo_adds_the_contact_and_reports_in_every_state_idempotently(settings):
    call_command("seed_demo", verbosity=0)
    from django.contrib.auth import get_user_model

    contact = get_user_model().objects.get(username="contact")
    assert contact.check_password(settings.DEMO_PASSWORD)
    own = list(Project.objects.visible_to(contact))
    assert 1 <= len(own) <= 2
    states = set(ProgressReport.objects.values_list("review_state", flat=True))
    assert {"draft", "submitted", "returned", "accepted"} <= states
    spent = SpendingEntry.objects.aggregate(s=Sum("amount"))["s"]
    assert not SpendingEntry.objects.filter(source="report").exists()  # accepted spending = the ledger's
    counts = list(ProgressReport.objects.order_by("pk").values_list("pk", "review_state"))
    call_command("seed_demo", verbosity=0)
    assert list(ProgressReport.objects.order_by("pk").values_list("pk", "review_state")) == counts
    assert SpendingEntry.objects.aggregate(s=Sum("amount"))["s"] == spent

"""The demo (`seed_demo`): a project contact and progress reports in every state, the money figures unchanged."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from followup.models import ProgressReport
from funding.models import SpendingEntry
from portfolio.models import Project

pytestmark = pytest.mark.django_db


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

"""Defect 9: deleting a meeting that has proposals in the admin was a 500 (the proposals' meeting would be
set to NULL, which their state forbids). The admin refuses and says why; a meeting without proposals can
still be deleted."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from governance.models import Meeting, Proposal
from governance.tests.factories import meeting, on_agenda

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(admin_user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    return client


def test_deleting_a_meeting_with_proposals_is_refused_with_a_reason(admin_client_, coordinator, agreement):
    meet = meeting(coordinator, agreement)
    proposal = on_agenda(coordinator, agreement, meet)
    url = reverse("admin:governance_meeting_delete", args=[meet.pk])
    page = admin_client_.get(url)
    assert page.status_code == 200
    assert proposal.title in page.content.decode()
    assert "move them to another meeting" in page.content.decode()

    response = admin_client_.post(url, {"post": "yes"})
    # Django's admin answers the refusal with its "Cannot delete" page naming the blocking proposal.
    assert response.status_code == 200, response.status_code
    assert "Cannot delete meeting" in response.content.decode()
    assert proposal.title in response.content.decode()
    assert Meeting.objects.filter(pk=meet.pk).exists()
    assert Proposal.objects.get(pk=proposal.pk).meeting_id == meet.pk


def test_bulk_delete_of_a_meeting_with_proposals_is_refused(admin_client_, coordinator, agreement):
    meet = meeting(coordinator, agreement)
    on_agenda(coordinator, agreement, meet)
    response = admin_client_.post(reverse("admin:governance_meeting_changelist"),
                                  {"action": "delete_selected", "_selected_action": [meet.pk], "post": "yes"})
    assert response.status_code == 200, response.status_code
    assert "Cannot delete meeting" in response.content.decode()
    assert "move them to another meeting" in response.content.decode()
    assert Meeting.objects.filter(pk=meet.pk).exists()


def test_a_meeting_without_proposals_can_be_deleted(admin_client_, coordinator, agreement):
    meet = meeting(coordinator, agreement)
    response = admin_client_.post(reverse("admin:governance_meeting_delete", args=[meet.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Meeting.objects.filter(pk=meet.pk).exists()

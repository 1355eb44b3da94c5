"""Issue 15, point 6: decision forms are offered only where a decision can be recorded, and adding to a
published agenda warns."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.models import AgendaItem
from governance.tests import factories as f

pytestmark = pytest.mark.django_db

PUBLISHED_WARNING = "The agenda has already been published and sent to the members"


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_decision_form_is_not_offered_for_a_decided_proposal(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    f.approve(meeting, proposal, steering_member)
    url = reverse("governance:decision-record", args=[meeting.pk, proposal.pk])
    response = _client(steering_member).get(url)
    assert response.status_code == 302 and response["Location"] == proposal.get_absolute_url()
    page = _client(steering_member).get(url, follow=True).content.decode()
    assert "This proposal has already been decided" in page
    assert 'name="outcome"' not in page
    assert url not in _client(steering_member).get(proposal.get_absolute_url()).content.decode()


def test_decision_form_is_not_offered_before_the_meeting_starts(coordinator, steering_member, agreement):
    later = timezone.now() + dt.timedelta(days=2)
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member, starts_at=later)
    url = reverse("governance:decision-record", args=[meeting.pk, proposal.pk])
    client = _client(steering_member)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert url not in page
    assert "its decisions can be recorded once it has started" in page


def test_decision_form_is_offered_for_a_proposal_on_the_agenda_of_a_started_meeting(coordinator, steering_member,
                                                                                      agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    url = reverse("governance:decision-record", args=[meeting.pk, proposal.pk])
    client = _client(steering_member)
    assert url in client.get(meeting.get_absolute_url()).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and 'name="outcome"' in response.content.decode()


def test_adding_an_item_to_a_published_agenda_warns(coordinator, steering_member, agreement):
    meeting, _ = f.deciding_meeting(coordinator, agreement, steering_member)
    client = _client(coordinator)
    assert PUBLISHED_WARNING in client.get(meeting.get_absolute_url()).content.decode()
    response = client.post(reverse("governance:meeting-item-add", args=[meeting.pk]), {"title": "Muut asiat"},
                           follow=True)
    page = response.content.decode()
    assert "The item was added to the agenda." in page and PUBLISHED_WARNING in page
    assert AgendaItem.objects.filter(meeting=meeting, title="Muut asiat").exists()


def test_adding_a_proposal_to_a_published_agenda_warns(coordinator, steering_member, agreement):
    meeting, _ = f.deciding_meeting(coordinator, agreement, steering_member)
    proposal = f.submitted(coordinator, agreement)
    response = _client(coordinator).post(reverse("governance:proposal-agenda-add", args=[proposal.pk]),
                                         {"meeting": meeting.pk}, follow=True)
    page = response.content.decode()
    assert "The proposal was put on the agenda." in page and PUBLISHED_WARNING in page


def test_adding_to_a_planned_agenda_does_not_warn(coordinator, agreement):
    meeting = f.meeting(coordinator, agreement)
    response = _client(coordinator).post(reverse("governance:meeting-item-add", args=[meeting.pk]),
                                         {"title": "Avaus"}, follow=True)
    page = response.content.decode()
    assert "The item was added to the agenda." in page and PUBLISHED_WARNING not in page
    services.meeting_publish_agenda(meeting=meeting, user=coordinator)


def test_waiting_list_and_dashboard_offer_recording_only_once_the_meeting_started(coordinator, steering_member,
                                                                                  agreement):
    from governance import selectors

    later = timezone.now() + dt.timedelta(days=2)
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member, starts_at=later)
    (block,) = selectors.waiting_for_decision(user=steering_member)
    assert block["meeting"] == meeting and block["can_record"] is False
    assert selectors.dashboard_governance(agreement=agreement, user=steering_member)["can_record"] is False
    url = reverse("governance:decision-record", args=[meeting.pk, proposal.pk])
    assert url not in _client(steering_member).get(reverse("governance:waiting")).content.decode()

"""Defect 9: an empty POST to a governance action from a user who may not act must be a 403, not a redirect
with "fill in the form" (the permission is checked before the form). The users here can SEE every object
(ministry staff read everything; a plain steering-group member reads their group's meetings) but may change
nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from governance.models import ProjectIdea
from governance.tests.factories import add_member, approve, deciding_meeting, draft, idea_project, meeting, on_agenda

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(coordinator, steering_member, agreement):  # type: ignore[no-untyped-def]
    meet, (decided_proposal,) = deciding_meeting(coordinator, agreement, steering_member)
    decision = approve(meet, decided_proposal, steering_member)
    planned = meeting(coordinator, agreement, title="Johtoryhmä 2/2026")
    agenda_proposal = on_agenda(coordinator, agreement, planned)
    draft_proposal = draft(coordinator, agreement)
    idea = ProjectIdea.objects.create(project=idea_project(agreement), created_by=coordinator)
    return {"meeting": meet, "planned": planned, "decision": decision, "agenda": agenda_proposal,
            "draft": draft_proposal, "idea": idea, "group": meet.group}


def _actions(o: dict) -> list[str]:  # type: ignore[type-arg]
    g = "governance:"
    return [
        # The query strings are the ones the pages link to (the project, the meeting of a correction).
        reverse(g + "proposal-create") + f"?project={o['draft'].project_id}",
        reverse(g + "proposal-edit", args=[o["draft"].pk]),
        reverse(g + "proposal-assess", args=[o["draft"].pk]),
        reverse(g + "proposal-attach", args=[o["draft"].pk]),
        reverse(g + "proposal-submit", args=[o["draft"].pk]),
        reverse(g + "proposal-withdraw", args=[o["draft"].pk]),
        reverse(g + "proposal-agenda-add", args=[o["draft"].pk]),
        reverse(g + "proposal-agenda-remove", args=[o["agenda"].pk]),
        reverse(g + "meeting-create"),
        reverse(g + "meeting-edit", args=[o["planned"].pk]),
        reverse(g + "meeting-publish", args=[o["planned"].pk]),
        reverse(g + "meeting-item-add", args=[o["planned"].pk]),
        reverse(g + "meeting-attendance", args=[o["meeting"].pk]),
        reverse(g + "meeting-minutes", args=[o["meeting"].pk]),
        reverse(g + "meeting-confirm", args=[o["meeting"].pk]),
        reverse(g + "decision-record", args=[o["planned"].pk, o["agenda"].pk]),
        reverse(g + "decision-correct", args=[o["decision"].pk]) + f"?meeting={o['planned'].pk}",
        reverse(g + "group-detail", args=[o["group"].pk]),
        reverse(g + "criteria-create", args=[o["group"].pk]),
        reverse(g + "idea-create"),
        reverse(g + "idea-detail", args=[o["idea"].pk]),
        reverse(g + "idea-stage", args=[o["idea"].pk]),
    ]


def _refused(user, objects) -> list[str]:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    wrong = []
    for url in _actions(objects):
        response = client.post(url, {})
        if response.status_code != 403:
            wrong.append(f"{url}: {response.status_code} {response.get('Location', '')}")
    return wrong


def test_an_empty_post_from_ministry_staff_is_refused_everywhere(ministry_user, objects):
    wrong = _refused(ministry_user, objects)
    assert wrong == [], "\n".join(wrong)


def test_an_empty_post_from_a_member_without_a_recording_role_is_refused(objects, agreement):
    member = add_member(objects["group"], username="plainmember")
    wrong = _refused(member, objects)
    assert wrong == [], "\n".join(wrong)

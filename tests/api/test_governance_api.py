"""Proposals, meetings and decisions over the API: the workflow through the domain services."""

from __future__ import annotations

import pytest

from governance.choices import GroupKind
from governance.models import Decision, Meeting, Proposal, SteeringGroup
from portfolio.models import Project

pytestmark = pytest.mark.django_db


def _ids(response) -> set[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def group(agreement):  # type: ignore[no-untyped-def]
    group = SteeringGroup.objects.get(kind=GroupKind.REGIONAL, agreement=agreement)
    group.quorum = 1
    group.save(update_fields=["quorum"])
    return group


def _proposal(api, project) -> dict:  # type: ignore[no-untyped-def]
    response = api.post("/api/v1/proposals/", {
        "project": project.pk, "title": "Esitys", "plan": "Suunnitelma",
        "funding_lines": [{"instrument": "ERDF", "year": 2026, "amount": "60000.00"},
                          {"instrument": "CITY", "year": 2026, "amount": "40000.00"}],
    }, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_full_workflow_from_draft_to_approval(clients, portfolio, group, steering_member):
    coordinator, steering = clients["coordinator"], clients["steering"]
    project = portfolio["idea"]
    proposal = _proposal(coordinator, project)
    assert proposal["status"] == "draft" and len(proposal["funding_lines"]) == 2

    response = coordinator.post(f"/api/v1/proposals/{proposal['id']}/submit/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"

    meeting = coordinator.post("/api/v1/meetings/", {"group": group.pk, "title": "Johtoryhmä 2/2026",
                                                     "starts_at": "2026-03-01T10:00:00+02:00",
                                                     "location": "Helsinki"}, format="json")
    assert meeting.status_code == 201, meeting.content
    meeting_id = meeting.json()["id"]
    response = coordinator.post(f"/api/v1/proposals/{proposal['id']}/add-to-agenda/", {"meeting": meeting_id},
                                format="json")
    assert response.status_code == 200 and response.json()["status"] == "on_agenda"
    assert coordinator.post(f"/api/v1/meetings/{meeting_id}/publish-agenda/").json()["status"] == "published"
    response = steering.post(f"/api/v1/meetings/{meeting_id}/attendance/", {"attendees": [steering_member.pk]},
                             format="json")
    assert response.status_code == 200, response.content

    from governance.tests.factories import ensure_frame

    ensure_frame(project.agreement, "ERDF", 2026)  # EU money is committed within a frame only
    response = steering.post("/api/v1/decisions/", {
        "proposal": proposal["id"], "meeting": meeting_id, "outcome": "approved",
        "approved_lines": [{"instrument": "ERDF", "year": 2026, "amount": "60000.00"}],
    }, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["outcome"] == "approved"
    project.refresh_from_db()
    assert project.status == "approved"
    assert Proposal.objects.get(pk=proposal["id"]).status == "decided"
    # The decision shows up nested in the project.
    nested = coordinator.get(f"/api/v1/projects/{project.pk}/").json()["decisions"]
    assert [d["id"] for d in nested] == [response.json()["id"]]

    # Minutes, then the record is permanent: a second decision on the same proposal is refused.
    steering.post(f"/api/v1/meetings/{meeting_id}/minutes/", {"minutes": "Pöytäkirja"}, format="json")
    response = steering.post(f"/api/v1/meetings/{meeting_id}/confirm-minutes/")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    again = steering.post("/api/v1/decisions/", {"proposal": proposal["id"], "meeting": meeting_id,
                                                 "outcome": "rejected"}, format="json")
    assert again.status_code == 409
    assert Decision.objects.filter(proposal_id=proposal["id"]).count() == 1

    # A correction is a new decision at a later meeting; the original stays as it was.
    original_id = response.json()["id"]
    later = coordinator.post("/api/v1/meetings/", {"group": group.pk, "title": "Johtoryhmä 3/2026",
                                                   "starts_at": "2026-04-01T10:00:00+03:00",
                                                   "online_url": "https://meet.example.invalid/x"},
                             format="json").json()["id"]
    item = coordinator.post(f"/api/v1/meetings/{later}/items/", {"title": "Oikaisu"}, format="json")
    assert item.status_code == 200 and item.json()["other_items"][0]["title"] == "Oikaisu"
    assert coordinator.post(f"/api/v1/meetings/{later}/publish-agenda/").status_code == 200
    steering.post(f"/api/v1/meetings/{later}/attendance/", {"attendees": [steering_member.pk]}, format="json")
    no_reason = steering.post(f"/api/v1/decisions/{original_id}/correct/", {"meeting": later,
                                                                             "outcome": "rejected"}, format="json")
    assert no_reason.status_code == 400 and "rationale" in no_reason.json()["errors"]
    corrected = steering.post(f"/api/v1/decisions/{original_id}/correct/", {
        "meeting": later, "outcome": "rejected", "rationale": "Rahoitus ei toteutunut"}, format="json")
    assert corrected.status_code == 200, corrected.content
    assert corrected.json()["corrects"] == original_id
    assert Decision.objects.get(pk=original_id).outcome == "approved"


def test_illegal_transition_is_409_and_changes_nothing(clients, portfolio, governance_records):
    draft = governance_records["draft"]
    response = clients["coordinator"].post(f"/api/v1/proposals/{draft.pk}/remove-from-agenda/")
    assert response.status_code == 409
    assert response.json()["code"]
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_incomplete_draft_cannot_be_submitted(clients, portfolio, governance_records):
    response = clients["coordinator"].post(f"/api/v1/proposals/{governance_records['draft'].pk}/submit/")
    assert response.status_code == 409
    assert Proposal.objects.get(pk=governance_records["draft"].pk).status == "draft"


def test_decision_on_a_proposal_not_on_the_agenda_is_refused(clients, portfolio, governance_records, group):
    response = clients["steering"].post("/api/v1/decisions/", {
        "proposal": governance_records["draft"].pk, "meeting": governance_records["meeting"].pk,
        "outcome": "rejected"}, format="json")
    assert response.status_code == 409
    assert not Decision.objects.filter(proposal=governance_records["draft"]).exists()


def test_status_cannot_be_set_through_update(clients, portfolio, governance_records):
    draft = governance_records["draft"]
    response = clients["coordinator"].patch(f"/api/v1/proposals/{draft.pk}/", {"status": "decided",
                                                                                "title": "Uusi"}, format="json")
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.title == "Uusi"


def test_only_drafts_can_be_edited(clients, portfolio, governance_records):
    submitted = governance_records["proposal"]
    response = clients["coordinator"].patch(f"/api/v1/proposals/{submitted.pk}/", {"title": "X"}, format="json")
    assert response.status_code == 409


def test_proposal_update_honours_if_match(clients, portfolio, governance_records):
    api = clients["coordinator"]
    draft = governance_records["draft"]
    etag = api.get(f"/api/v1/proposals/{draft.pk}/")["ETag"]
    assert api.patch(f"/api/v1/proposals/{draft.pk}/", {"title": "A"}, format="json",
                     HTTP_IF_MATCH=etag).status_code == 200
    assert api.patch(f"/api/v1/proposals/{draft.pk}/", {"title": "B"}, format="json",
                     HTTP_IF_MATCH=etag).status_code == 412
    assert Proposal.objects.get(pk=draft.pk).title == "A"


def test_ministry_and_steering_cannot_prepare_proposals(clients, portfolio):
    payload = {"project": portfolio["idea"].pk, "title": "X"}
    assert clients["ministry"].post("/api/v1/proposals/", payload, format="json").status_code == 403
    assert clients["steering"].post("/api/v1/proposals/", payload, format="json").status_code == 403


def test_coordinator_cannot_record_decisions(clients, portfolio, governance_records):
    response = clients["coordinator"].post("/api/v1/decisions/", {
        "proposal": governance_records["proposal"].pk, "meeting": governance_records["meeting"].pk,
        "outcome": "rejected"}, format="json")
    assert response.status_code == 403


def test_decisions_cannot_be_changed_or_deleted(clients, governance_records):
    decision = governance_records["decision"]
    for method in ("patch", "put", "delete"):
        response = getattr(clients["steering"], method)(f"/api/v1/decisions/{decision.pk}/", {}, format="json")
        assert response.status_code == 405


def test_other_agreements_coordinator_sees_no_drafts_or_meetings(clients, governance_records):
    other = clients["other_coordinator"]
    assert governance_records["draft"].pk not in _ids(other.get("/api/v1/proposals/"))
    assert other.get(f"/api/v1/proposals/{governance_records['draft'].pk}/").status_code == 404
    assert other.post(f"/api/v1/proposals/{governance_records['draft'].pk}/withdraw/").status_code == 404
    assert _ids(other.get("/api/v1/meetings/")) == set()


def test_ministry_reads_everything(clients, governance_records):
    ministry = clients["ministry"]
    assert {governance_records["draft"].pk, governance_records["proposal"].pk} <= _ids(
        ministry.get("/api/v1/proposals/"))
    assert _ids(ministry.get("/api/v1/decisions/")) == {governance_records["decision"].pk}
    assert ministry.post(f"/api/v1/proposals/{governance_records['draft'].pk}/withdraw/").status_code == 403


def test_governance_filters(clients, portfolio, governance_records):
    api = clients["coordinator"]
    assert _ids(api.get("/api/v1/proposals/", {"status": "draft"})) == {governance_records["draft"].pk}
    assert _ids(api.get("/api/v1/proposals/", {"project": portfolio["running"].pk})) == {
        governance_records["decided"].pk}
    assert _ids(api.get("/api/v1/decisions/", {"outcome": "approved"})) == {governance_records["decision"].pk}
    assert _ids(api.get("/api/v1/meetings/", {"status": "planned"})) == {governance_records["meeting"].pk}
    assert _ids(api.get("/api/v1/meetings/", {"q": "johtoryhmä", "ordering": "-starts_at"})) == {
        governance_records["meeting"].pk}
    assert _ids(api.get("/api/v1/decisions/", {"q": "liikkuvuus", "ordering": "decided_at"})) == {
        governance_records["decision"].pk}
    assert api.get("/api/v1/proposals/", {"ordering": "-title"}).status_code == 200


def test_meeting_validation(clients, group):
    response = clients["coordinator"].post("/api/v1/meetings/", {"group": group.pk, "title": "X",
                                                                 "starts_at": "not a date"}, format="json")
    assert response.status_code == 400
    assert "starts_at" in response.json()["errors"]
    response = clients["coordinator"].post("/api/v1/meetings/", {"group": group.pk, "title": "X",
                                                                 "starts_at": "2026-03-01T10:00:00Z"},
                                           format="json")
    assert response.status_code == 400  # neither a place nor a link
    assert not Meeting.objects.filter(title="X").exists()


def test_project_status_follows_only_decisions(clients, portfolio):
    before = Project.objects.get(pk=portfolio["idea"].pk).status
    clients["coordinator"].patch(f"/api/v1/projects/{portfolio['idea'].pk}/", {"status": "running"},
                                 format="json", HTTP_IF_MATCH='"1"')
    assert Project.objects.get(pk=portfolio["idea"].pk).status == before

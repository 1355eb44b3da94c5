"""The permission matrix of every governance page × role, and the wiring of the workflow actions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from governance import services
from governance.models import Decision, Meeting, Proposal
from governance.tests import factories as f

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "plain", "coordinator", "steering", "ministry", "other_coordinator"]


@pytest.fixture
def scenario(coordinator, steering_member, agreement, other_coordinator):  # type: ignore[no-untyped-def]
    from portfolio.models import Organisation, Priority

    meeting, (decided, waiting) = f.deciding_meeting(coordinator, agreement, steering_member, proposals=2)
    decision = f.approve(meeting, decided, steering_member)
    draft = f.draft(coordinator, agreement, title="Luonnos")
    idea = services.idea_create(agreement=agreement, user=coordinator, title="Uusi idea",
                                priority=Priority.objects.get(agreement=agreement, code=1),
                                lead_organisation=Organisation.objects.filter(kind="city").first())
    return {"meeting": meeting, "decided": decided, "waiting": waiting, "decision": decision, "draft": draft,
            "idea": idea, "group": meeting.group}


@pytest.fixture
def clients(coordinator, steering_member, ministry_user, other_coordinator, plain_user):  # type: ignore[no-untyped-def]
    def logged(user):  # type: ignore[no-untyped-def]
        client = Client()
        client.force_login(user)
        return client

    return {"anonymous": Client(), "plain": logged(plain_user), "coordinator": logged(coordinator),
            "steering": logged(steering_member), "ministry": logged(ministry_user),
            "other_coordinator": logged(other_coordinator)}


# expected status per role: anonymous, plain, coordinator, steering, ministry, other_coordinator
READ_ALL = (302, 403, 200, 200, 200, 200)
READ_OWN = (302, 403, 200, 200, 200, 404)
PAGES = {
    "index": (lambda s: reverse("governance:index"), READ_ALL),
    "waiting": (lambda s: reverse("governance:waiting"), READ_ALL),
    "proposal-list": (lambda s: reverse("governance:proposal-list"), READ_ALL),
    "meeting-list": (lambda s: reverse("governance:meeting-list"), READ_ALL),
    "group-list": (lambda s: reverse("governance:group-list"), READ_ALL),
    "idea-list": (lambda s: reverse("governance:idea-list"), READ_ALL),
    "proposal-detail-draft": (lambda s: reverse("governance:proposal-detail", args=[s["draft"].pk]), READ_OWN),
    "proposal-detail-decided": (lambda s: reverse("governance:proposal-detail", args=[s["decided"].pk]), READ_OWN),
    "meeting-detail": (lambda s: reverse("governance:meeting-detail", args=[s["meeting"].pk]), READ_OWN),
    "meeting-pdf": (lambda s: reverse("governance:meeting-pdf", args=[s["meeting"].pk]), READ_OWN),
    "decision-detail": (lambda s: reverse("governance:decision-detail", args=[s["decision"].pk]), READ_OWN),
    "group-detail": (lambda s: reverse("governance:group-detail", args=[s["group"].pk]), READ_OWN),
    "group-calendar": (lambda s: reverse("governance:group-calendar", args=[s["group"].pk]), READ_OWN),
    "idea-detail": (lambda s: reverse("governance:idea-detail", args=[s["idea"].pk]), READ_OWN),
    "proposal-create": (lambda s: reverse("governance:proposal-create") + f"?project={s['idea'].project_id}",
                        (302, 403, 200, 403, 403, 404)),
    "proposal-edit": (lambda s: reverse("governance:proposal-edit", args=[s["draft"].pk]),
                      (302, 403, 200, 403, 403, 404)),
    "proposal-assess": (lambda s: reverse("governance:proposal-assess", args=[s["draft"].pk]),
                        (302, 403, 404, 403, 403, 404)),  # no criteria defined: 404 for the preparer
    "meeting-create": (lambda s: reverse("governance:meeting-create"), (302, 403, 200, 200, 403, 403)),
    "criteria-create": (lambda s: reverse("governance:criteria-create", args=[s["group"].pk]),
                        (302, 403, 200, 200, 403, 404)),  # another agreement's group: not found
    "idea-create": (lambda s: reverse("governance:idea-create"), (302, 403, 200, 403, 403, 200)),
    "decision-record": (lambda s: reverse("governance:decision-record", args=[s["meeting"].pk, s["waiting"].pk]),
                        (302, 403, 403, 200, 403, 404)),
    "decision-correct": (lambda s: reverse("governance:decision-correct", args=[s["decision"].pk])
                         + f"?meeting={s['meeting'].pk}", (302, 403, 403, 200, 403, 404)),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_permission_matrix(scenario, clients, page):
    url_of, expected = PAGES[page]
    url = url_of(scenario)
    got = {role: clients[role].get(url).status_code for role in ROLES}
    assert got == dict(zip(ROLES, expected, strict=True))


def test_anonymous_is_sent_to_login(scenario, clients):
    response = clients["anonymous"].get(reverse("governance:index"))
    assert response.url.startswith(reverse("login"))


def test_other_agreements_draft_not_listed(scenario, clients):
    response = clients["other_coordinator"].get(reverse("governance:proposal-list"))
    assert "Luonnos" not in response.content.decode()
    assert "Luonnos" in clients["coordinator"].get(reverse("governance:proposal-list")).content.decode()


def test_proposal_list_htmx_returns_rows_only(scenario, clients):
    response = clients["coordinator"].get(reverse("governance:proposal-list"), {"status": "draft"},
                                          headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and "Luonnos" in body


def test_proposal_list_filters_by_status(scenario, clients):
    body = clients["coordinator"].get(reverse("governance:proposal-list"), {"status": "decided"}).content.decode()
    assert scenario["decided"].title in body and "Luonnos" not in body


def test_proposal_list_query_count_is_constant(scenario, clients, django_assert_max_num_queries, coordinator,
                                               agreement):
    for _ in range(5):
        f.draft(coordinator, agreement)
    with django_assert_max_num_queries(25):
        clients["coordinator"].get(reverse("governance:proposal-list"))


# --- actions ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role,status", [("steering", 403), ("ministry", 403), ("other_coordinator", 404),
                                         ("plain", 403)])
def test_submit_refused_for_non_preparers(scenario, clients, role, status):
    response = clients[role].post(reverse("governance:proposal-submit", args=[scenario["draft"].pk]))
    assert response.status_code == status
    assert Proposal.objects.get(pk=scenario["draft"].pk).status == "draft"


def test_coordinator_submits_via_page(scenario, clients):
    response = clients["coordinator"].post(reverse("governance:proposal-submit", args=[scenario["draft"].pk]))
    assert response.status_code == 302
    assert Proposal.objects.get(pk=scenario["draft"].pk).status == "submitted"


def test_illegal_transition_is_a_message_not_an_error(scenario, clients):
    url = reverse("governance:proposal-submit", args=[scenario["decided"].pk])
    response = clients["coordinator"].post(url, follow=True)
    assert response.status_code == 200
    assert "Cannot submit the proposal: the proposal is “Decided”" in response.content.decode()
    assert Proposal.objects.get(pk=scenario["decided"].pk).status == "decided"


def test_get_does_not_change_state(scenario, clients):
    response = clients["coordinator"].get(reverse("governance:proposal-submit", args=[scenario["draft"].pk]))
    assert response.status_code == 405


def test_csrf_is_enforced(scenario, coordinator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post(reverse("governance:proposal-submit", args=[scenario["draft"].pk]))
    assert response.status_code == 403
    assert Proposal.objects.get(pk=scenario["draft"].pk).status == "draft"


def test_chair_records_decision_via_form(scenario, clients):
    url = reverse("governance:decision-record", args=[scenario["meeting"].pk, scenario["waiting"].pk])
    response = clients["steering"].post(url, {
        "outcome": "conditional", "method": "vote", "votes_for": "2", "votes_against": "0", "votes_abstain": "1",
        "grant-ERDF-2026": "100 000", "grant-CITY-2026": "70000,50", "conditions": "Tarkennetaan budjetti.",
        "rationale": "Hyvä esitys."})
    assert response.status_code == 302
    decision = Decision.objects.get(proposal=scenario["waiting"])
    assert decision.outcome == "conditional" and decision.votes_for == 2
    assert sorted(decision.funding_lines.values_list("amount", flat=True)) == [Decimal("70000.50"),
                                                                             Decimal("100000.00")]


def test_decision_form_errors_keep_input(scenario, clients):
    url = reverse("governance:decision-record", args=[scenario["meeting"].pk, scenario["waiting"].pk])
    response = clients["steering"].post(url, {"outcome": "conditional", "method": "consensus",
                                              "grant-ERDF-2026": "100000", "rationale": "Perustelu X"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Write the conditions" in body and "Perustelu X" in body
    assert not Decision.objects.filter(proposal=scenario["waiting"]).exists()


def test_coordinator_cannot_post_a_decision(scenario, clients):
    url = reverse("governance:decision-record", args=[scenario["meeting"].pk, scenario["waiting"].pk])
    response = clients["coordinator"].post(url, {"outcome": "approved", "method": "consensus",
                                                 "grant-ERDF-2026": "1"})
    assert response.status_code == 403
    assert not Decision.objects.filter(proposal=scenario["waiting"]).exists()


def test_minutes_confirm_via_page_makes_decisions_permanent(scenario, clients):
    meeting = scenario["meeting"]
    clients["steering"].post(reverse("governance:meeting-minutes", args=[meeting.pk]), {"minutes": "Pöytäkirja"})
    clients["steering"].post(reverse("governance:meeting-confirm", args=[meeting.pk]))
    assert Meeting.objects.get(pk=meeting.pk).status == "confirmed"
    body = clients["steering"].get(reverse("governance:meeting-detail", args=[meeting.pk])).content.decode()
    assert "permanent record" in body and 'action="' + reverse("governance:meeting-confirm", args=[meeting.pk]) \
        not in body


def test_coordinator_builds_and_publishes_agenda(coordinator, clients, agreement):
    proposal = f.submitted(coordinator, agreement)
    meeting = f.meeting(coordinator, agreement)
    client = clients["coordinator"]
    client.post(reverse("governance:proposal-agenda-add", args=[proposal.pk]), {"meeting": meeting.pk})
    client.post(reverse("governance:meeting-item-add", args=[meeting.pk]), {"title": "Tilannekatsaus"})
    client.post(reverse("governance:meeting-publish", args=[meeting.pk]))
    meeting.refresh_from_db()
    proposal.refresh_from_db()
    assert (meeting.status, proposal.status, meeting.other_items.count()) == ("published", "on_agenda", 1)


def test_proposal_create_and_edit_pages(scenario, clients):
    project = scenario["idea"].project
    client = clients["coordinator"]
    response = client.post(reverse("governance:proposal-create") + f"?project={project.pk}", {
        "title": "Idean esitys", "plan": "Suunnitelma", "request-ERDF-2026": "5000", "request-CITY-2026": "3333,33"})
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="Idean esitys")
    assert proposal.funding_lines.count() == 2
    response = client.post(reverse("governance:proposal-edit", args=[proposal.pk]), {
        "title": "Idean esitys", "plan": "Suunnitelma", "request-ERDF-2026": "abc", "request-CITY-2026": "3333,33"})
    assert response.status_code == 400
    body = response.content.decode()
    # The message sits next to the cell (described by it), the typed text is kept, nothing is saved.
    assert 'id="err_request-ERDF-2026">“abc” is not an amount in euros.' in body
    assert 'aria-describedby="err_request-ERDF-2026' in body and 'value="abc"' in body
    assert {(line.instrument.code, line.amount) for line in proposal.funding_lines.select_related("instrument")} \
        == {("ERDF", Decimal("5000.00")), ("CITY", Decimal("3333.33"))}


def test_attachment_upload_and_download(scenario, clients):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("governance:proposal-attach", args=[scenario["draft"].pk])
    clients["coordinator"].post(url, {"file": SimpleUploadedFile("../../suunnitelma.pdf", b"%PDF-1.4 test")})
    clients["coordinator"].post(url, {"file": SimpleUploadedFile("paha.pdf", b"<html>not a pdf")})
    attachments = list(scenario["draft"].attachments.all())
    assert [a.original_name for a in attachments] == ["suunnitelma.pdf"]
    assert ".." not in attachments[0].file.name and "suunnitelma" not in attachments[0].file.name
    download = reverse("governance:attachment-download", args=[scenario["draft"].pk, attachments[0].pk])
    response = clients["steering"].get(download)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "attachment" in response["Content-Disposition"]
    assert clients["other_coordinator"].get(download).status_code == 404


def test_dashboard_partial_for_steering_member_shows_agenda_and_effect(scenario, clients):
    body = clients["steering"].get(reverse("governance:index")).content.decode()
    assert scenario["waiting"].title in body
    assert "Priority-4 rule" in body


def test_calendar_feed_lists_upcoming_meetings(scenario, clients):
    from icalendar import Calendar

    response = clients["steering"].get(reverse("governance:group-calendar", args=[scenario["group"].pk]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = [c for c in calendar.walk("VEVENT")]
    assert [str(e["summary"]) for e in events] == [scenario["meeting"].title]
    assert str(events[0]["uid"]).startswith(f"meeting-{scenario['meeting'].pk}@")


def test_calendar_feed_accepts_api_token(scenario, steering_member):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=steering_member)
    url = reverse("governance:group-calendar", args=[scenario["group"].pk])
    response = Client().get(url, headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200 and scenario["meeting"].title.encode() in response.content
    assert Client().get(url, headers={"Authorization": "Token wrong"}).status_code == 401


def test_chair_adds_a_substitute_member(scenario, clients, plain_user, steering_member):
    from django.contrib.auth.models import Group as AuthGroup

    from governance.models import Membership

    plain_user.groups.add(AuthGroup.objects.get(name="steering"))
    chair_seat = Membership.objects.get(group=scenario["group"], user=steering_member)
    url = reverse("governance:group-detail", args=[scenario["group"].pk])
    response = clients["steering"].post(url, {"member": plain_user.pk, "role": "member",
                                              "substitute_for": chair_seat.pk, "term_start": "2026-01-01",
                                              "term_end": "2027-12-31"})
    assert response.status_code == 302
    seat = Membership.objects.get(group=scenario["group"], user=plain_user)
    assert seat.substitute_for == chair_seat and str(seat.term_end) == "2027-12-31"
    refused = clients["coordinator"].post(url, {"member": plain_user.pk, "role": "chair"})
    assert refused.status_code == 403
    assert Membership.objects.get(pk=seat.pk).role == "member"


def _snapshot():  # type: ignore[no-untyped-def]
    from governance.models import AgendaItem, Decision, ProposalAttachment, ProposalTransition

    return (sorted(Proposal.objects.values_list("pk", "status", "meeting_id")),
            sorted(Meeting.objects.values_list("pk", "status", "minutes")),
            Decision.objects.count(), ProposalTransition.objects.count(), AgendaItem.objects.count(),
            ProposalAttachment.objects.count(), sorted(Meeting.attendees.through.objects.values_list("pk", flat=True)))


POST_ACTIONS = {
    "submit": lambda s: (reverse("governance:proposal-submit", args=[s["draft"].pk]), {}),
    "withdraw": lambda s: (reverse("governance:proposal-withdraw", args=[s["waiting"].pk]), {"reason": "x"}),
    "agenda-remove": lambda s: (reverse("governance:proposal-agenda-remove", args=[s["waiting"].pk]), {}),
    "edit": lambda s: (reverse("governance:proposal-edit", args=[s["draft"].pk]),
                       {"title": "Muutettu", "plan": "x"}),
    "publish": lambda s: (reverse("governance:meeting-publish", args=[s["meeting"].pk]), {}),
    "item-add": lambda s: (reverse("governance:meeting-item-add", args=[s["meeting"].pk]), {"title": "Muu asia"}),
    "attendance": lambda s: (reverse("governance:meeting-attendance", args=[s["meeting"].pk]), {"attendees": []}),
    "minutes": lambda s: (reverse("governance:meeting-minutes", args=[s["meeting"].pk]), {"minutes": "Muutettu"}),
    "confirm": lambda s: (reverse("governance:meeting-confirm", args=[s["meeting"].pk]), {}),
    "decide": lambda s: (reverse("governance:decision-record", args=[s["meeting"].pk, s["waiting"].pk]),
                         {"outcome": "rejected", "method": "consensus"}),
}


@pytest.mark.parametrize("role", ["anonymous", "plain", "ministry", "other_coordinator"])
def test_no_write_by_unauthorised_roles(scenario, clients, role):
    """Every workflow action by a role that may not take it is refused (login / 403 / 404 or a refusal
    message) and leaves the database as it was."""
    before = _snapshot()
    for name, make in POST_ACTIONS.items():
        url, data = make(scenario)
        response = clients[role].post(url, data)
        assert response.status_code in (302, 403, 404), (name, response.status_code)
        if role != "anonymous" and response.status_code == 302:
            # a redirect back to the object is only allowed when the service refused the step
            assert not response.url.startswith(reverse("login")), name
    assert _snapshot() == before


@pytest.mark.parametrize("role,actions", [
    ("coordinator", ["attendance", "minutes", "confirm", "decide"]),
    ("steering", ["submit", "withdraw", "edit"]),
])
def test_roles_cannot_take_each_others_steps(scenario, clients, role, actions):
    before = _snapshot()
    for name in actions:
        url, data = POST_ACTIONS[name](scenario)
        assert clients[role].post(url, data).status_code == 403, name
    assert _snapshot() == before


def test_meeting_page_queries_grow_by_a_few_per_agenda_item(coordinator, steering_member, agreement,
                                                            steering_client, django_assert_max_num_queries):
    """Each agenda item costs a handful of queries for its funding effect (one funding summary per page)."""
    meeting, _ = f.deciding_meeting(coordinator, agreement, steering_member, proposals=4)
    with django_assert_max_num_queries(50):
        steering_client.get(reverse("governance:meeting-detail", args=[meeting.pk]))


def test_coordinator_moves_a_planned_meeting(coordinator, clients, agreement):
    meeting = f.meeting(coordinator, agreement)
    url = reverse("governance:meeting-edit", args=[meeting.pk])
    assert clients["coordinator"].get(url).status_code == 200
    response = clients["coordinator"].post(url, {"title": meeting.title, "starts_at": "2027-02-03T13:00",
                                                 "location": "Vantaan kaupungintalo"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.location == "Vantaan kaupungintalo" and meeting.starts_at.year == 2027
    assert clients["ministry"].get(url).status_code == 403


def test_idea_to_proposal_through_the_pages(clients, agreement, coordinator, steering_member):
    from governance.models import ProjectIdea
    from portfolio.models import Organisation, Priority

    client = clients["coordinator"]
    response = client.post(reverse("governance:idea-create"), {
        "title": "Kaupunkiviljelyn kokeilu", "summary": "Ruoantuotanto kaupungissa",
        "priority": Priority.objects.get(agreement=agreement, code=1).pk,
        "lead_organisation": Organisation.objects.filter(kind="city").first().pk, "need": "Tarve"})
    assert response.status_code == 302
    idea = ProjectIdea.objects.get(project__title="Kaupunkiviljelyn kokeilu")
    client.post(reverse("governance:idea-detail", args=[idea.pk]), {"need": "Tarkennettu tarve",
                                                                      "programme_fit": "EAKR TL1"})
    client.post(reverse("governance:idea-stage", args=[idea.pk]), {"stage": "preparing"})
    idea.refresh_from_db()
    assert (idea.need, idea.programme_fit, idea.stage) == ("Tarkennettu tarve", "EAKR TL1", "preparing")
    assert clients["steering"].post(reverse("governance:idea-detail", args=[idea.pk]),
                                    {"need": "x"}).status_code == 403

    # The chair sets criteria; the coordinator's proposal is assessed against them through the page.
    group = f.regional_group(agreement)
    clients["steering"].post(reverse("governance:criteria-create", args=[group.pk]), {
        "title": "Hakukriteerit 2026", "text": "", "items": "Painopisteen mukainen\nKansainvälisyys",
        "valid_from": "2025-01-01"})
    client.post(reverse("governance:proposal-create") + f"?project={idea.project_id}", {
        "title": "Esitys", "plan": "Suunnitelma", "request-ERDF-2026": "1000"})
    proposal = Proposal.objects.get(project=idea.project)
    items = list(proposal.criteria.items.all())
    assert len(items) == 2
    data = {f"answer_{i.pk}": "met" for i in items} | {f"note_{i.pk}": "ok" for i in items}
    assert client.post(reverse("governance:proposal-assess", args=[proposal.pk]), data).status_code == 302
    client.post(reverse("governance:proposal-submit", args=[proposal.pk]))
    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"


def test_rejecting_with_the_prefilled_amounts_ignores_them(scenario, clients):
    url = reverse("governance:decision-record", args=[scenario["meeting"].pk, scenario["waiting"].pk])
    form = clients["steering"].get(url).content.decode()
    assert 'name="grant-ERDF-2026" value="120000.00"' in form  # prefilled with the request (in English)
    response = clients["steering"].post(url, {"outcome": "rejected", "method": "consensus",
                                              "grant-ERDF-2026": "120000.00", "rationale": "Ei rahoitusta."})
    assert response.status_code == 302
    decision = Decision.objects.get(proposal=scenario["waiting"])
    assert decision.outcome == "rejected" and not decision.funding_lines.exists()


def test_proposal_list_links_a_decided_proposal_to_its_decision(scenario, clients):
    """Issue 15: nothing a user browses linked the decision pages but a meeting's or a proposal's own page."""
    url = reverse("governance:decision-detail", args=[scenario["decision"].pk])
    for role in ("coordinator", "steering", "ministry"):
        assert f'href="{url}"' in clients[role].get(reverse("governance:proposal-list")).content.decode(), role
    assert url not in clients["other_coordinator"].get(reverse("governance:proposal-list")).content.decode()

"""The permanent record through the admin, the minutes PDF, and the selectors the other apps include."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.db.models import Sum
from django.test import RequestFactory
from django.urls import reverse

from funding.models import FundingLine
from governance import selectors, services
from governance.models import Decision, Meeting
from governance.pdf import RefusedURL, static_only_url_fetcher
from governance.tests import factories as f
from tests.factories import FundingFrameFactory, ProjectFactory, instrument

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(coordinator, steering_member, agreement):  # type: ignore[no-untyped-def]
    meeting, (approved, rejected) = f.deciding_meeting(coordinator, agreement, steering_member, proposals=2)
    f.approve(meeting, approved, steering_member, conditions="", rationale="Vahva ekosysteemivaikutus.")
    services.decision_record(proposal=rejected, meeting=meeting, outcome="rejected", user=steering_member,
                             rationale="Päällekkäinen hankkeen HEV-005 kanssa.")
    services.meeting_update_minutes(meeting=meeting, minutes="Kokous avattiin klo 13.", user=steering_member)
    services.meeting_confirm_minutes(meeting=meeting, user=steering_member)
    return Meeting.objects.get(pk=meeting.pk)


# --- admin -----------------------------------------------------------------------------------------------

def _admin_request(admin_user):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    return request


def test_admin_cannot_change_or_delete_confirmed_decision(confirmed, admin_user):
    decision = confirmed.decisions.first()
    model_admin = site._registry[Decision]
    request = _admin_request(admin_user)
    assert not model_admin.has_change_permission(request, decision)
    assert not model_admin.has_delete_permission(request, decision)
    assert not model_admin.has_add_permission(request)
    inline = model_admin.get_inline_instances(request, decision)
    # The lines and recusals stay visible (read-only): shown, but nothing can be added, changed or deleted.
    assert [type(i).__name__ for i in inline] == ["DecisionFundingLineInline", "RecusalInline"]
    assert not any(i.has_add_permission(request, decision) or i.has_change_permission(request, decision)
                   or i.has_delete_permission(request, decision) for i in inline)


def test_admin_post_to_confirmed_decision_changes_nothing(confirmed, admin_client_logged):
    decision = confirmed.decisions.get(outcome="approved")
    url = reverse("admin:governance_decision_change", args=[decision.pk])
    response = admin_client_logged.post(url, {"outcome": "rejected", "method": "consensus",
                                              "rationale": "muutettu", "decided_at_0": "2026-01-01",
                                              "decided_at_1": "10:00"})
    assert response.status_code == 403
    delete = admin_client_logged.post(reverse("admin:governance_decision_delete", args=[decision.pk]),
                                      {"post": "yes"})
    assert delete.status_code == 403
    decision.refresh_from_db()
    assert (decision.outcome, decision.rationale) == ("approved", "Vahva ekosysteemivaikutus.")


def test_admin_can_view_confirmed_decision(confirmed, admin_client_logged):
    decision = confirmed.decisions.get(outcome="approved")
    response = admin_client_logged.get(reverse("admin:governance_decision_change", args=[decision.pk]))
    assert response.status_code == 200
    # Shown read-only: the recorded rationale is on the page, but not as an editable field.
    html = response.content.decode()
    assert "Vahva ekosysteemivaikutus." in html
    assert 'name="rationale"' not in html


def test_admin_cannot_change_confirmed_meeting(confirmed, admin_user):
    model_admin = site._registry[Meeting]
    request = _admin_request(admin_user)
    assert not model_admin.has_change_permission(request, confirmed)
    assert not model_admin.has_delete_permission(request, confirmed)


def test_admin_still_changes_open_meeting(coordinator, agreement, admin_user):
    meeting = f.meeting(coordinator, agreement)
    assert site._registry[Meeting].has_change_permission(_admin_request(admin_user), meeting)


# --- PDF -------------------------------------------------------------------------------------------------

def test_minutes_pdf_contains_the_decisions(confirmed, steering_client):
    from pypdf import PdfReader

    response = steering_client.get(reverse("governance:meeting-pdf", args=[confirmed.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    squashed = " ".join(text.split())
    for decision in confirmed.decisions.select_related("proposal__project"):
        assert decision.proposal.project.code in squashed
    assert "Vahva ekosysteemivaikutus." in squashed
    assert "Päällekkäinen hankkeen HEV-005 kanssa." in squashed
    assert "Kokous avattiin klo 13." in squashed


def test_pdf_url_fetcher_serves_only_local_static_files():
    from django.contrib.staticfiles import finders

    served = static_only_url_fetcher("/static/css/portal.css")
    with open(finders.find("css/portal.css"), "rb") as handle:
        assert served["string"] == handle.read() and served["string"]
    assert served["mime_type"] == "text/css"
    for url in ("http://169.254.169.254/latest/meta-data/", "file:///etc/passwd", "/static/../../etc/passwd",
                "https://example.com/static/css/portal.css", "/media/x.pdf"):
        with pytest.raises(RefusedURL):
            static_only_url_fetcher(url)


# --- selectors -------------------------------------------------------------------------------------------

def _granted(agreement, **filters):  # type: ignore[no-untyped-def]
    return FundingLine.objects.filter(project__agreement=agreement, project__status__in=["approved", "running",
                                                                                        "closed"],
                                      **filters).aggregate(t=Sum("granted_amount"))["t"] or Decimal("0.00")


def test_funding_effect_against_frame_and_split(coordinator, agreement):
    running = ProjectFactory(agreement=agreement, status="running")
    FundingLine.objects.create(project=running, instrument=instrument("ERDF"), year=2026,
                               granted_amount=Decimal("420000.00"))
    FundingLine.objects.create(project=running, instrument=instrument("CITY"), year=2026,
                               granted_amount=Decimal("280000.00"))
    erdf_before = _granted(agreement, instrument__code="ERDF", year=2026)
    FundingFrameFactory(agreement=agreement, instrument=instrument("ERDF"), year=2026,
                        amount=erdf_before + Decimal("100000.00"))
    local_before = _granted(agreement, instrument__share_group="local")
    total_before = _granted(agreement)
    proposal = f.submitted(coordinator, agreement)  # ERDF 120 000 + CITY 80 000 in 2026
    effect = selectors.proposal_funding_effect(proposal=proposal)
    erdf = next(row for row in effect["frames"] if row["code"] == "ERDF")
    assert (erdf["used_before"], erdf["used_after"]) == (erdf_before, erdf_before + Decimal("120000.00"))
    assert erdf["over"] and not effect["frames_ok"]
    assert erdf["remaining_after"] == Decimal("-20000.00")
    cent = Decimal("0.01")
    assert effect["split_before"]["local_percent"] == (local_before * 100 / total_before).quantize(cent)
    assert effect["split_after"]["local_percent"] == (
        (local_before + Decimal("80000.00")) * 100 / (total_before + Decimal("200000.00"))).quantize(cent)
    assert effect["requested_total"] == Decimal("200000.00")


def test_priority4_rule_before_and_after(coordinator, agreement):
    from portfolio.models import Priority

    totals = {code: _granted(agreement, project__priority__code=code) for code in (1, 2, 3, 4)}
    lowest = min(totals[c] for c in (1, 2, 3))
    for code in (1, 2, 3):  # lift priorities 1–3 to the same level, above priority 4
        project = ProjectFactory(agreement=agreement, status="running",
                                 priority=Priority.objects.get(agreement=agreement, code=code))
        FundingLine.objects.create(project=project, instrument=instrument("ERDF"), year=2025,
                                   granted_amount=lowest - totals[code] + totals[4] + Decimal("150000.00"))
    p4 = f.idea_project(agreement, priority=Priority.objects.get(agreement=agreement, code=4))
    proposal = f.submitted(coordinator, agreement, project=p4)  # +200 000 to priority 4: above the others
    effect = selectors.proposal_funding_effect(proposal=proposal)
    assert effect["priority4_before"] is True and effect["priority4_after"] is False


def test_dashboard_governance_for_roles(coordinator, steering_member, ministry_user, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    draft = f.draft(coordinator, agreement)
    chair = selectors.dashboard_governance(agreement=agreement, user=steering_member)
    assert chair["next_meeting"] == meeting and chair["is_member"] and chair["can_record"]
    assert [row["proposal"] for row in chair["agenda"]] == [proposal] and chair["agenda"][0]["effect"]
    assert chair["to_prepare"] == []
    coord = selectors.dashboard_governance(agreement=agreement, user=coordinator)
    assert draft in coord["to_prepare"] and not coord["can_record"]
    assert coord["agenda"][0]["effect"] is None
    ministry = selectors.dashboard_governance(agreement=agreement, user=ministry_user)
    assert ministry["next_meeting"] == meeting and not ministry["to_prepare"]


def test_project_decisions_history(coordinator, steering_member, agreement, other_coordinator):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    decision = f.approve(meeting, proposal, steering_member)
    history = selectors.project_decisions(project=proposal.project)
    assert history["proposals"] == [proposal] and history["latest_decision"] == decision and history["approved"]
    assert [t.to_status for t in history["proposals"][0].transitions.all()] == [
        "draft", "submitted", "on_agenda", "decided"]
    assert history["proposals"][0].requested_total == Decimal("200000.00")
    assert selectors.project_decisions(project=proposal.project, user=coordinator)["can_propose"]
    assert not selectors.project_decisions(project=proposal.project, user=steering_member)["can_propose"]
    draft = f.draft(coordinator, agreement)
    assert not selectors.project_decisions(project=draft.project, user=coordinator)["can_propose"]
    hidden = selectors.project_decisions(project=draft.project, user=other_coordinator)
    assert hidden["proposals"] == []


def test_similar_projects_by_priority_theme_and_words(coordinator, agreement):
    from portfolio.models import Priority, Theme

    theme = Theme.objects.create(agreement=agreement, slug="liikkuminen", name="Liikkumiskokeilut")
    p1 = Priority.objects.get(agreement=agreement, code=1)
    p3 = Priority.objects.get(agreement=agreement, code=3)
    idea = f.idea_project(agreement, title="Älyliikenteen kokeilualusta", priority=p1)
    idea.themes.add(theme)
    close = ProjectFactory(agreement=agreement, title="Älyliikenteen testiympäristö", priority=p1)
    close.themes.add(theme)
    unrelated = ProjectFactory(agreement=agreement, title="Varhaiskasvatuksen oppimisympäristö", priority=p3,
                               methods=[3])
    rows = selectors.similar_projects(project=idea, user=coordinator)
    codes = [row["project"].code for row in rows]
    assert codes[0] == close.code and unrelated.code not in codes
    assert rows[0]["same_priority"] and rows[0]["themes"] == [theme] and "älyliikenteen" in rows[0]["words"]


def test_similar_projects_match_another_agreements_theme_by_its_identifier(coordinator, agreement, other_agreement):
    """Each agreement has its own themes (issue 13): another agreement's "mobility" is still a shared theme."""
    from portfolio.models import Priority, Theme

    own = Theme.objects.get(agreement=agreement, slug="mobility")
    theirs = Theme.objects.create(agreement=other_agreement, slug="mobility", name_fi="Liikkuminen")
    idea = f.idea_project(agreement, title="Zq kokeilu", priority=Priority.objects.get(agreement=agreement, code=3),
                          methods=[3])
    idea.themes.add(own)
    other = ProjectFactory(agreement=other_agreement, title="Zx toinen", status="running", methods=[3],
                           priority=Priority.objects.get(agreement=other_agreement, code=1))
    other.themes.add(theirs)
    rows = selectors.similar_projects(project=idea, user=coordinator)
    row = next(r for r in rows if r["project"] == other)
    assert row["themes"] == [theirs] and row["other_agreement"]


def test_dashboard_partial_renders(coordinator, steering_member, agreement, rf):
    from django.template.loader import render_to_string

    meeting, _ = f.deciding_meeting(coordinator, agreement, steering_member)
    request = rf.get("/")
    request.user = steering_member
    request.session = {}
    html = render_to_string("governance/partials/dashboard_governance.html",
                            {"governance": selectors.dashboard_governance(agreement=agreement, user=steering_member)},
                            request=request)
    assert meeting.title in html and "decide/" in html


def test_project_decisions_partial_renders(coordinator, steering_member, agreement):
    from django.template.loader import render_to_string

    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    f.approve(meeting, proposal, steering_member)
    html = render_to_string("governance/partials/project_decisions.html",
                            {"decisions": selectors.project_decisions(project=proposal.project)})
    assert proposal.title in html and "120" in html


def test_seeded_demo_passes_through_the_record(agreement):
    """The demo's confirmed meeting is permanent and its decisions were written before confirmation."""
    from reporting.demo_seed import demo_seed

    demo_seed()
    demo_seed()  # idempotent: the second run must not trip over the permanent record
    meeting = Meeting.objects.get(title="Johtoryhmän kokous 3/2026")
    assert meeting.status == "confirmed" and meeting.decisions.count() == 3
    assert Decision.objects.permanent().filter(meeting=meeting).count() == 3
    # The further demo agreements' past meetings are confirmed too, their decisions permanent.
    from reporting.demo_agreements import DEMO_AGREEMENTS

    further = sum(len(spec["meetings"]["past"][1]) for spec in DEMO_AGREEMENTS)
    assert Decision.objects.permanent().count() == 3 + further == 7
    assert FundingLine.objects.aggregate(t=Sum("granted_amount"))["t"] > 0


def test_confirmed_meeting_cannot_be_saved_or_deleted(confirmed):
    from governance.models import PermanentRecordError

    confirmed.minutes = "Muutettu jälkikäteen"
    with pytest.raises(PermanentRecordError):
        confirmed.save()
    with pytest.raises(PermanentRecordError):
        confirmed.delete()
    assert Meeting.objects.get(pk=confirmed.pk).minutes == "Kokous avattiin klo 13."


def test_similar_projects_come_from_every_agreement_the_user_sees(coordinator, agreement, other_agreement):
    """Overlap across the country (issue 13): another agreement's decided project is suggested, its drafts
    never (visible_to)."""
    from portfolio.models import Priority

    p1 = Priority.objects.get(agreement=agreement, code=1)
    idea = f.idea_project(agreement, title="Älyliikenteen kokeilualusta satamaan", priority=p1)
    there = Priority.objects.get(agreement=other_agreement, code=1)
    decided = ProjectFactory(agreement=other_agreement, title="Älyliikenteen kokeilualusta", priority=there,
                             status="running")
    draft = ProjectFactory(agreement=other_agreement, title="Älyliikenteen kokeilualusta", priority=there,
                           status="idea")
    rows = selectors.similar_projects(project=idea, user=coordinator)
    found = {row["project"].code: row for row in rows}
    assert decided.code in found and draft.code not in found
    assert found[decided.code]["other_agreement"] and found[decided.code]["same_priority"]


def test_similar_projects_match_inflected_finnish_on_postgresql(coordinator, agreement, other_agreement):
    """PostgreSQL: the Finnish full-text configuration and trigrams match forms that share no exact word."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    from portfolio.models import Priority

    idea = f.idea_project(agreement, title="Kiertotalouden kokeilut", priority=Priority.objects.get(
        agreement=agreement, code=2))
    other = ProjectFactory(agreement=other_agreement, title="Kiertotalouskokeilu", status="running",
                           priority=Priority.objects.get(agreement=other_agreement, code=3), methods=[3])
    rows = selectors.similar_projects(project=idea, user=coordinator)
    assert other.code in [row["project"].code for row in rows]
    assert not (selectors._words(idea.title) & selectors._words(other.title))  # no shared word: the text did it

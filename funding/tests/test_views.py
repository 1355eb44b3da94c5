"""Wiring, permissions and the htmx partial of the funding screens."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from funding.models import FundingFrame, FundingLine
from funding.selectors import dashboard_funding, lines_fingerprint, project_financing_plan
from funding.tests.conftest import add_frame, add_line, make_project

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def project(clean_agreement):  # type: ignore[no-untyped-def]
    p = make_project(clean_agreement, priority=2, start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 12, 31))
    add_line(p, "ERDF", 2025, planned="600.00", granted="600.00")
    add_line(p, "CITY", 2025, planned="400.00", granted="400.00")
    return p


def _urls(project, frame):  # type: ignore[no-untyped-def]
    return [reverse("funding:index"), reverse("funding:frame-create"), reverse("funding:frame-detail", args=[frame.pk]),
            reverse("funding:frame-correct", args=[frame.pk]), reverse("funding:splits"),
            reverse("funding:project-plan", args=[project.pk]), reverse("funding:what-if")]


def test_anonymous_users_are_sent_to_login(project, clean_agreement):
    frame = add_frame(clean_agreement, "ERDF", 2025, "1000")
    for url in _urls(project, frame):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_users_without_a_portal_role_are_refused(project, clean_agreement, plain_user):
    frame = add_frame(clean_agreement, "ERDF", 2025, "1000")
    client = Client()
    client.force_login(plain_user)
    for url in _urls(project, frame):
        assert client.get(url).status_code == 403, url


def test_index_lists_frames_with_decision_and_use(coordinator_client, clean_agreement, project):
    add_frame(clean_agreement, "ERDF", 2025, "1000.00", ref="TEM/77/2024")
    response = coordinator_client.get(reverse("funding:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "TEM/77/2024" in html and response.context["shows_pending"] is True
    assert reverse("funding:frame-create") in html


def test_readers_see_frames_but_no_write_links(steering_client, ministry_client, clean_agreement, project):
    frame = add_frame(clean_agreement, "ERDF", 2025, "1000.00", ref="TEM/77/2024")
    for client in (steering_client, ministry_client):
        html = client.get(reverse("funding:index") + f"?agreement={clean_agreement.pk}").content.decode()
        assert "TEM/77/2024" in html
        assert reverse("funding:frame-correct", args=[frame.pk]) not in html


def test_foreign_coordinator_reads_frames_without_pending_proposals(other_coordinator_client, clean_agreement,
                                                                      project):
    add_frame(clean_agreement, "ERDF", 2025, "1000.00", ref="TEM/77/2024")
    response = other_coordinator_client.get(reverse("funding:index") + f"?agreement={clean_agreement.pk}")
    assert response.status_code == 200
    assert response.context["shows_pending"] is False
    assert other_coordinator_client.get(
        reverse("funding:frame-create") + f"?agreement={clean_agreement.pk}").status_code == 403


def test_coordinator_creates_and_corrects_a_frame_with_history(coordinator_client, clean_agreement):
    response = coordinator_client.post(reverse("funding:frame-create"), {
        "instrument": "ERDF", "year": 2025, "amount": "1000.00", "decision_reference": "TEM/1/2024",
        "decision_date": "2024-12-15"})
    frame = FundingFrame.objects.get(agreement=clean_agreement)
    assert response.status_code == 302 and frame.amount == D("1000.00")
    response = coordinator_client.post(reverse("funding:frame-correct", args=[frame.pk]), {
        "amount": "1250.50", "decision_reference": "TEM/9/2025", "decision_date": "2025-06-01",
        "reason": "Supplementary allocation", "instrument": "ESF", "year": 2027})  # disabled fields are ignored
    frame.refresh_from_db()
    assert response.status_code == 302
    assert (frame.instrument.code, frame.year, frame.amount) == ("ERDF", 2025, D("1250.50"))
    detail = coordinator_client.get(reverse("funding:frame-detail", args=[frame.pk])).content.decode()
    assert "TEM/1/2024" in detail and "TEM/9/2025" in detail and "Supplementary allocation" in detail


def test_frame_form_errors_keep_input(coordinator_client, clean_agreement):
    response = coordinator_client.post(reverse("funding:frame-create"), {
        "instrument": "ERDF", "year": 2031, "amount": "-5", "decision_reference": "TEM/keep", "decision_date": ""})
    assert response.status_code == 200
    assert not FundingFrame.objects.exists()
    assert "TEM/keep" in response.content.decode()


def test_steering_member_cannot_write_frames(steering_client, clean_agreement):
    response = steering_client.post(reverse("funding:frame-create"), {
        "instrument": "ERDF", "year": 2025, "amount": "1", "decision_reference": "x", "decision_date": "2024-12-15"})
    assert response.status_code == 403 and not FundingFrame.objects.exists()


def test_plan_grid_saves_the_whole_plan(coordinator_client, project):
    url = reverse("funding:project-plan", args=[project.pk])
    page = coordinator_client.get(url)
    assert page.status_code == 200
    fingerprint = page.context["fingerprint"]
    response = coordinator_client.post(url, {
        "fingerprint": fingerprint, "action": "save",
        "ERDF-2025-planned": "700.00", "ERDF-2025-granted": "600", "CITY-2026-planned": "1 000,50"})
    assert response.status_code == 302
    stored = dict(((line.instrument.code, line.year), line.planned_amount)
                  for line in FundingLine.objects.filter(project=project).select_related("instrument"))
    # CITY 2025 has granted money: the plan drops its planned amount, the recorded money stays.
    assert stored == {("ERDF", 2025): D("700.00"), ("CITY", 2025): D("0.00"), ("CITY", 2026): D("1000.50")}


def test_plan_grid_bad_input_writes_nothing_and_keeps_what_was_typed(coordinator_client, project):
    url = reverse("funding:project-plan", args=[project.pk])
    before = list(FundingLine.objects.filter(project=project).values_list("pk", "planned_amount"))
    response = coordinator_client.post(url, {"fingerprint": lines_fingerprint(project=project), "action": "save",
                                             "ERDF-2025-planned": "lots", "CITY-2025-planned": "-3"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="lots"' in html and 'aria-invalid="true"' in html
    assert list(FundingLine.objects.filter(project=project).values_list("pk", "planned_amount")) == before


def test_plan_grid_detects_a_concurrent_edit(coordinator_client, project):
    url = reverse("funding:project-plan", args=[project.pk])
    stale = lines_fingerprint(project=project)
    FundingLine.objects.filter(project=project, instrument__code="ERDF").update(planned_amount=D("650.00"))
    response = coordinator_client.post(url, {"fingerprint": stale, "action": "save", "ERDF-2025-planned": "1"})
    assert response.status_code == 400
    assert FundingLine.objects.get(project=project, instrument__code="ERDF").planned_amount == D("650.00")


def test_plan_grid_htmx_gets_the_partial_and_check_writes_nothing(coordinator_client, project):
    url = reverse("funding:project-plan", args=[project.pk])
    before = FundingLine.history.count()
    response = coordinator_client.post(url, {"fingerprint": lines_fingerprint(project=project), "action": "check",
                                             "ERDF-2025-planned": "5"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="plan-form">') and "<h1>" not in html
    assert FundingLine.history.count() == before
    response = coordinator_client.post(url, {"fingerprint": lines_fingerprint(project=project), "action": "save",
                                             "ERDF-2025-planned": "5"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == project.get_absolute_url()


def test_plan_grid_is_for_the_agreements_coordinators(steering_client, ministry_client, other_coordinator_client,
                                                      project):
    url = reverse("funding:project-plan", args=[project.pk])
    for client in (steering_client, ministry_client, other_coordinator_client):
        assert client.get(url).status_code == 403
        assert client.post(url, {"ERDF-2025-planned": "1"}).status_code == 403
    assert FundingLine.objects.get(project=project, instrument__code="ERDF").planned_amount == D("600.00")


def test_plan_grid_requires_csrf(coordinator, project):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post(reverse("funding:project-plan", args=[project.pk]), {"ERDF-2025-planned": "1"})
    assert response.status_code == 403


def test_splits_page_for_agreement_and_country(ministry_client, clean_agreement, project):
    supra = make_project(clean_agreement, is_supra_regional=True, code="SUPRA-1")
    add_line(supra, "CITY", 2025, planned="40", granted="40")
    add_line(supra, "ERDF", 2025, planned="60", granted="60")
    own = f"Local vs EU and state funding: {clean_agreement.name}"
    pages = {f"?agreement={clean_agreement.pk}": own,
             "?scope=country&basis=planned": "Local vs EU and state funding: the whole country",
             f"?agreement={clean_agreement.pk}&basis=nonsense": own}
    for query, heading in pages.items():
        response = ministry_client.get(reverse("funding:splits") + query)
        assert response.status_code == 200
        html = response.content.decode()
        assert f"<h1>{heading}</h1>" in html, query
        # The supra-regional project is listed apart from the regular split.
        assert "SUPRA-1" in html, query
    # An unknown basis falls back to granted amounts (the selected option says so).
    nonsense = ministry_client.get(reverse("funding:splits") + f"?agreement={clean_agreement.pk}&basis=nonsense")
    assert '<option value="granted" selected>' in nonsense.content.decode()


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count()
            for app in ("funding", "governance", "portfolio") for model in apps.get_app_config(app).get_models()}


def test_what_if_shows_the_effect_and_writes_nothing(coordinator_client, clean_agreement, project):
    from funding.tests.test_selectors import _governance

    add_frame(clean_agreement, "ERDF", 2026, "1000.00")
    pending = make_project(clean_agreement, priority=4, status="proposal")
    proposal = _governance(clean_agreement, pending, "submitted", "ERDF", 2026, "900.00")
    line = proposal.funding_lines.get()
    before = _row_counts()
    response = coordinator_client.get(reverse("funding:what-if"), {
        "agreement": clean_agreement.pk, "run": "1", "proposal": proposal.pk, f"amount-{line.pk}": "1200",
        "extra-priority": "1", "extra-instrument": "CITY", "extra-year": "2026", "extra-amount": "800"})
    assert response.status_code == 200
    effect = response.context["effect"]
    erdf = next(u for u in effect["frames"] if u["code"] == "ERDF" and u["year"] == 2026)
    assert erdf["pending"] == D("1200.00") and erdf["projected_overrun"] is True
    assert effect["priority4_before"] is True and effect["priority4_after"] is False
    assert effect["split_after"]["total"] == D("1000.00") + D("1200.00") + D("800.00")
    assert _row_counts() == before


def test_what_if_reports_bad_amounts(coordinator_client, clean_agreement):
    response = coordinator_client.get(reverse("funding:what-if"), {
        "run": "1", "extra-priority": "1", "extra-instrument": "ERDF", "extra-year": "2026", "extra-amount": "x"})
    assert response.status_code == 200 and response.context["errors"]


def test_what_if_is_for_coordinators(steering_client, other_coordinator_client, clean_agreement):
    assert steering_client.get(reverse("funding:what-if")).status_code == 403
    assert other_coordinator_client.get(reverse("funding:what-if"),
                                        {"agreement": clean_agreement.pk}).status_code == 403


def test_dashboard_partial_links_figures_to_the_filtered_project_list(coordinator, clean_agreement, project):
    from django.utils import timezone

    year = timezone.localdate().year
    add_frame(clean_agreement, "ERDF", year, "1000.00")
    html = render_to_string("funding/partials/dashboard_funding.html",
                            {"funding": dashboard_funding(agreement=clean_agreement, user=coordinator)})
    base = reverse("portfolio:project-list")
    assert f"{base}?agreement={clean_agreement.pk}&amp;priority=2" in html
    assert f"{base}?agreement={clean_agreement.pk}&amp;instrument=ERDF&amp;year=2025" in html
    assert "<caption>" in html and 'role="img"' in html


def test_project_financing_partial_renders_totals(coordinator, project):
    from django.utils import translation

    with translation.override("fi"):  # Finnish number format: 1 000,00
        html = render_to_string("funding/partials/project_financing.html",
                                {"plan": project_financing_plan(project=project, user=coordinator)})
    assert "1 000,00" in html.replace("\xa0", " ")
    assert reverse("funding:project-plan", args=[project.pk]) in html


def test_funding_pages_use_a_bounded_number_of_queries(coordinator_client, coordinator, clean_agreement,
                                                       django_assert_max_num_queries):
    for n in range(12):  # more projects and lines must not mean more queries
        p = make_project(clean_agreement, priority=n % 4 + 1)
        add_line(p, "ERDF", 2021 + n % 7, planned="10", granted="10")
        add_line(p, "CITY", 2021 + n % 7, planned="5", granted="5")
        add_frame(clean_agreement, "ERDF", 2021 + n % 7, "100") if n < 7 else None
    coordinator_client.get(reverse("funding:index"))  # warm the session and per-user caches
    with django_assert_max_num_queries(25):
        assert coordinator_client.get(reverse("funding:index")).status_code == 200
    with django_assert_max_num_queries(25):
        dashboard_funding(agreement=clean_agreement, user=coordinator)


def test_plan_grid_can_add_a_year_outside_the_projects_dates(coordinator_client, project):
    url = reverse("funding:project-plan", args=[project.pk])
    assert "ERDF-2027-planned" not in coordinator_client.get(url).content.decode()
    assert "ERDF-2027-planned" in coordinator_client.get(url + "?years=all").content.decode()
    response = coordinator_client.post(url + "?years=all", {
        "fingerprint": lines_fingerprint(project=project), "action": "save",
        "ERDF-2025-planned": "600.00", "ERDF-2025-granted": "600.00", "CITY-2025-planned": "400.00",
        "CITY-2025-granted": "400.00", "ERDF-2027-planned": "10.00"})
    assert response.status_code == 302
    assert FundingLine.objects.get(project=project, year=2027).planned_amount == D("10.00")
    assert FundingLine.objects.filter(project=project).count() == 3


def test_plan_grid_warns_about_a_frame_overrun_but_saves(coordinator_client, clean_agreement, project):
    add_frame(clean_agreement, "ERDF", 2026, "100.00")
    url = reverse("funding:project-plan", args=[project.pk])
    response = coordinator_client.post(url, {
        "fingerprint": lines_fingerprint(project=project), "action": "check",
        "ERDF-2025-planned": "600", "ERDF-2025-granted": "600", "CITY-2025-planned": "400",
        "CITY-2025-granted": "400", "ERDF-2026-planned": "150"})
    assert response.status_code == 200
    assert any("ERDF 2026" in w for w in response.context["warnings"])
    assert not FundingLine.objects.filter(project=project, year=2026).exists()  # a check writes nothing
    response = coordinator_client.post(url, {
        "fingerprint": lines_fingerprint(project=project), "action": "save",
        "ERDF-2025-planned": "600", "ERDF-2025-granted": "600", "CITY-2025-planned": "400",
        "CITY-2025-granted": "400", "ERDF-2026-planned": "150"}, follow=True)
    assert FundingLine.objects.get(project=project, year=2026).planned_amount == D("150.00")
    assert any("ERDF 2026" in str(m) for m in response.context["messages"])


def test_dashboard_funding_of_a_foreign_agreement_shows_only_decided_projects(other_coordinator, clean_agreement):
    decided = make_project(clean_agreement, status="running")
    draft = make_project(clean_agreement, status="idea")
    add_line(decided, "ERDF", 2025, planned="60.00", granted="60.00")
    add_line(draft, "ERDF", 2025, planned="999.00")
    data = dashboard_funding(agreement=clean_agreement, user=other_coordinator)
    assert data["planned"]["total"] == D("60.00")


def test_dashboard_flags_coordination_lines_that_contradict_the_model(coordinator, agreement):
    from portfolio.models import Project

    coordination = Project.objects.get(agreement=agreement, is_coordination_project=True)
    add_line(coordination, "AKKE", 2025, planned="1.00")
    html = render_to_string("funding/partials/dashboard_funding.html",
                            {"funding": dashboard_funding(agreement=agreement, user=coordinator)})
    assert f"{coordination.code}: AKKE 2025" in html


def test_proposal_effect_partial_renders(clean_agreement):
    from funding.selectors import proposal_funding_effect
    from funding.tests.test_selectors import _governance

    add_frame(clean_agreement, "ERDF", 2026, "100.00")
    proposal = _governance(clean_agreement, make_project(clean_agreement, priority=4, status="proposal"),
                           "submitted", "ERDF", 2026, "150.00")
    html = render_to_string("funding/partials/proposal_effect.html",
                            {"effect": proposal_funding_effect(proposal=proposal)})
    assert "ERDF 2026" in html and "✗" in html


def test_dashboard_checks_the_split_on_regular_projects_and_shows_supra_regional_apart(coordinator,
                                                                                       clean_agreement):
    regular = make_project(clean_agreement)
    supra = make_project(clean_agreement, is_supra_regional=True)
    add_line(regular, "ERDF", 2025, granted="60.00")
    add_line(regular, "CITY", 2025, granted="40.00")
    add_line(supra, "ERDF", 2025, granted="90.00")
    add_line(supra, "CITY", 2025, granted="10.00")
    data = dashboard_funding(agreement=clean_agreement, user=coordinator)
    assert data["regular"]["split_ok"] is True and data["granted"]["split_ok"] is False
    with translation.override("en"):
        html = render_to_string("funding/partials/dashboard_funding.html", {"funding": data})
    assert "Supra-regional" in html

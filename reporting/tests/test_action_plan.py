"""The action plan (issue 13): themes under an agreement's priorities, loaded and edited; projects linked only
to their own agreement's themes; coverage figures; numbered, frozen annex versions as PDF; who may do what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from followup.models import Indicator, IndicatorTarget, IndicatorValue
from portfolio.data import hev
from portfolio.models import Priority, Project, Theme
from portfolio.services import agreement_load, priority_descriptions_save, project_update, theme_save
from reporting.action_plan import action_plan_coverage, annex_snapshot
from reporting.models import ActionPlanVersion
from reporting.querysets import FrozenRecordError
from reporting.services import action_plan_version_create
from reporting.tests.pdf_checks import text_outside_the_page
from tests.factories import FundingLineFactory, ProjectFactory, instrument

pytestmark = pytest.mark.django_db

COVERAGE = reverse("action_plan:coverage")
ANNEX = reverse("action_plan:annex")


@pytest.fixture
def fake_annex_pdf(monkeypatch):  # type: ignore[no-untyped-def]
    """A quick stand-in for WeasyPrint (the real PDF has its own test below): different bytes for different
    snapshots and languages, like the real one."""
    import hashlib
    import json

    from reporting.rendering import annex

    def fake(snapshot, language):  # type: ignore[no-untyped-def]
        digest = hashlib.sha256(json.dumps(snapshot, sort_keys=True).encode()).hexdigest()
        return f"%PDF-1.7\n% annex {language} {digest}\n%%EOF\n".encode()

    monkeypatch.setattr(annex, "render_annex_pdf", fake)


def _theme(agreement, slug):  # type: ignore[no-untyped-def]
    return Theme.objects.get(agreement=agreement, slug=slug)


# --- the loader -------------------------------------------------------------------------------------------

def test_load_agreement_loads_the_annex_descriptions_and_themes_under_their_priorities(agreement):
    for code, texts in hev.PRIORITY_DESCRIPTIONS.items():
        priority = Priority.objects.get(agreement=agreement, code=code)
        assert (priority.description_fi, priority.description_sv, priority.description_en) == (
            texts["fi"], texts["sv"], texts["en"])
    themes = {t.slug: t for t in Theme.objects.filter(agreement=agreement).select_related("priority")}
    assert set(themes) == {slug for slug, _code, _names in hev.THEMES}
    for slug, code, names in hev.THEMES:
        assert themes[slug].priority.code == code
        assert themes[slug].name_sv == names["sv"]


def test_load_agreement_twice_changes_nothing(agreement):
    themes_before = list(Theme.objects.filter(agreement=agreement).values())
    history_before = Theme.history.count() + Priority.history.count()
    assert agreement_load().changed == []
    assert list(Theme.objects.filter(agreement=agreement).values()) == themes_before
    assert Theme.history.count() + Priority.history.count() == history_before


def test_load_agreement_keeps_the_coordinators_edits(agreement, coordinator):
    mobility = _theme(agreement, "mobility")
    theme_save(agreement=agreement, theme=mobility, user=coordinator,
               data={"name_fi": "Liikkumisen kokeilut ja palvelut", "priority": Priority.objects.get(
                   agreement=agreement, code=4)})
    priority_descriptions_save(agreement=agreement, user=coordinator,
                               descriptions={1: {"description_fi": "Uusi kuvaus."}})
    assert agreement_load().changed == []
    mobility.refresh_from_db()
    assert mobility.name_fi == "Liikkumisen kokeilut ja palvelut" and mobility.priority.code == 4
    assert Priority.objects.get(agreement=agreement, code=1).description_fi == "Uusi kuvaus."


def test_load_agreement_places_an_existing_unplaced_theme_under_its_priority(agreement):
    Theme.objects.filter(agreement=agreement, slug="talent").update(priority=None)
    assert agreement_load().changed == ["theme talent"]
    assert _theme(agreement, "talent").priority.code == 4


# --- editing, with history --------------------------------------------------------------------------------

def test_theme_priority_of_another_agreement_is_refused(agreement, other_agreement, coordinator):
    with pytest.raises(ValidationError) as exc:
        theme_save(agreement=agreement, user=coordinator, data={
            "slug": "zq-new", "name_fi": "Uusi", "priority": Priority.objects.get(agreement=other_agreement, code=1)})
    assert "priority" in exc.value.message_dict


def test_coordinator_edits_a_theme_in_the_portal_and_the_history_tells_who(agreement, coordinator,
                                                                           coordinator_client):
    mobility = _theme(agreement, "mobility")
    url = reverse("action_plan:theme-edit", args=[mobility.pk])
    assert coordinator_client.get(url).status_code == 200
    response = coordinator_client.post(url, {
        "priority": str(mobility.priority_id), "name_fi": "Liikkumisen kokeilut 2.0", "name_sv": "Mobilitetsförsök",
        "name_en": "Mobility experiments", "slug": "mobility", "position": "5", "version": str(mobility.version)})
    assert response.status_code == 302
    mobility.refresh_from_db()
    assert mobility.name_fi == "Liikkumisen kokeilut 2.0"
    record = mobility.history.latest()
    assert record.history_user == coordinator and record.history_type == "~"
    page = coordinator_client.get(reverse("action_plan:history")).content.decode()
    assert "Liikkumisen kokeilut 2.0" in page and coordinator.get_full_name() in page


def test_a_duplicate_theme_identifier_is_refused_next_to_the_field(agreement, coordinator_client):
    response = coordinator_client.post(reverse("action_plan:theme-create"), {
        "name_fi": "Toinen liikkuminen", "slug": "mobility", "position": "0"})
    assert response.status_code == 400
    assert response.context["form"].errors["slug"] == ["This agreement already has a theme with this identifier."]
    assert Theme.objects.filter(agreement=agreement, slug="mobility").count() == 1


def test_coordinator_saves_the_priority_descriptions_in_every_language(agreement, coordinator,
                                                                       coordinator_client):
    data = {}
    for p in Priority.objects.filter(agreement=agreement):
        for lang in ("fi", "sv", "en"):
            data[f"p{p.code}-description_{lang}"] = getattr(p, f"description_{lang}")
    data["p2-description_sv"] = "Ny beskrivning."
    assert coordinator_client.post(reverse("action_plan:edit"), data).status_code == 302
    p2 = Priority.objects.get(agreement=agreement, code=2)
    assert p2.description_sv == "Ny beskrivning."
    assert p2.description_fi == hev.PRIORITY_DESCRIPTIONS[2]["fi"]
    assert p2.history.latest().history_user == coordinator
    # Only the priority that changed got a history entry.
    assert Priority.history.filter(agreement_id=agreement.pk, history_user=coordinator).count() == 1


def test_steering_member_and_other_coordinators_cannot_edit(agreement, steering_client, other_coordinator_client):
    mobility = _theme(agreement, "mobility")
    assert steering_client.get(reverse("action_plan:edit")).status_code == 404
    # The other agreement's coordinator edits their own agreement's plan, never this one's themes.
    assert agreement.name not in other_coordinator_client.get(reverse("action_plan:edit")).content.decode()
    for client in (steering_client, other_coordinator_client):
        assert client.post(reverse("action_plan:theme-edit", args=[mobility.pk]),
                           {"name_fi": "x", "slug": "mobility"}).status_code == 404
    mobility.refresh_from_db()
    assert mobility.name_fi != "x"


# --- projects link only to their own agreement's themes ---------------------------------------------------

def test_project_service_refuses_a_theme_of_another_agreement(agreement, other_agreement, coordinator):
    project = ProjectFactory(agreement=agreement)
    foreign = Theme.objects.create(agreement=other_agreement, slug="mobility", name_fi="Liikkuminen")
    with pytest.raises(ValidationError) as exc:
        project_update(project=project, data={"themes": [foreign]}, expected_version=project.version,
                       user=coordinator)
    assert exc.value.message_dict["themes"] == ["Choose themes of this project's agreement."]
    assert not project.themes.exists()


def test_project_form_refuses_a_theme_of_another_agreement(agreement, other_agreement, coordinator_client):
    from portfolio.tests.test_project_edit import _post_data

    lead = ProjectFactory(agreement=agreement).lead_organisation
    foreign = Theme.objects.create(agreement=other_agreement, slug="zq-foreign", name_fi="Vieras teema")
    own = _theme(agreement, "mobility")
    response = coordinator_client.post(reverse("portfolio:project-create"),
                                       _post_data(agreement, lead, themes=[str(own.pk), str(foreign.pk)]))
    assert response.status_code in (200, 400)
    assert response.context["form"].errors["themes"] == ["Choose themes of this project's agreement."]
    assert not Project.objects.filter(code="NEW-1").exists()
    # The form offers only the agreement's own themes.
    offered = set(response.context["form"].fields["themes"].queryset.values_list("agreement_id", flat=True))
    assert offered == {agreement.pk}


def test_api_refuses_a_theme_of_another_agreement_with_a_field_error(agreement, other_agreement, coordinator):
    from tests.api.conftest import token_client

    api = token_client(coordinator)
    project = ProjectFactory(agreement=agreement)
    Theme.objects.create(agreement=other_agreement, slug="zq-foreign", name_fi="Vieras teema")
    url = f"/api/v1/projects/{project.pk}/"
    response = api.patch(url, {"themes": ["mobility", "zq-foreign"]}, format="json",
                         HTTP_IF_MATCH=f'"{project.version}"')
    assert response.status_code == 400
    assert "themes" in response.json()["errors"] if "errors" in response.json() else "themes" in response.json()
    assert not project.themes.exists()
    project.refresh_from_db()
    response = api.patch(url, {"themes": ["mobility", "urban-food"]}, format="json",
                         HTTP_IF_MATCH=f'"{project.version}"')
    assert response.status_code == 200, response.json()
    assert sorted(response.json()["themes"]) == ["mobility", "urban-food"]


def test_two_agreements_may_use_the_same_theme_identifier_and_the_list_filter_tells_them_apart(
        agreement, other_agreement, coordinator_client):
    own = ProjectFactory(agreement=agreement, code="ZQ-OWN", status="running")
    other = ProjectFactory(agreement=other_agreement, code="ZQ-OTHER", status="running")
    own.themes.add(_theme(agreement, "mobility"))
    other.themes.add(Theme.objects.create(agreement=other_agreement, slug="mobility", name_fi="Liikkuminen"))
    page = coordinator_client.get(reverse("portfolio:project-list"),
                                  {"theme": "mobility", "agreement": agreement.pk}).content.decode()
    assert "ZQ-OWN" in page and "ZQ-OTHER" not in page


# --- coverage ---------------------------------------------------------------------------------------------

@pytest.fixture
def small_plan(agreement):  # type: ignore[no-untyped-def]
    """Priority 1 with two themes: 'mobility' with a running, an idea and a rejected project; 'urban-food'
    with none. A running project under two themes (mobility and logistics)."""
    p1 = Priority.objects.get(agreement=agreement, code=1)
    running = ProjectFactory(agreement=agreement, priority=p1, status="running", code="ZQ-RUN")
    both = ProjectFactory(agreement=agreement, priority=p1, status="approved", code="ZQ-BOTH")
    idea = ProjectFactory(agreement=agreement, priority=p1, status="idea", code="ZQ-IDEA")
    rejected = ProjectFactory(agreement=agreement, priority=p1, status="rejected", code="ZQ-REJ")
    running.themes.add(_theme(agreement, "mobility"))
    both.themes.add(_theme(agreement, "mobility"), _theme(agreement, "logistics"))
    idea.themes.add(_theme(agreement, "mobility"))
    rejected.themes.add(_theme(agreement, "mobility"))
    FundingLineFactory(project=running, instrument=instrument("ERDF"), year=2025, planned_amount=Decimal("1000.00"),
                       granted_amount=Decimal("800.00"), spent_amount=Decimal("300.00"))
    FundingLineFactory(project=running, instrument=instrument("CITY"), year=2025, planned_amount=Decimal("500.00"),
                       granted_amount=Decimal("500.00"), spent_amount=Decimal("100.00"))
    FundingLineFactory(project=both, instrument=instrument("ERDF"), year=2026, planned_amount=Decimal("200.00"),
                       granted_amount=Decimal("150.00"), spent_amount=Decimal("0.00"))
    # RRF is shown apart, and ideas and rejected projects never count: none of these is in the money.
    FundingLineFactory(project=running, instrument=instrument("RRF"), year=2025, planned_amount=Decimal("999.00"),
                       granted_amount=Decimal("999.00"), spent_amount=Decimal("999.00"))
    FundingLineFactory(project=idea, instrument=instrument("ERDF"), year=2026, planned_amount=Decimal("7000.00"),
                       granted_amount=Decimal("0.00"), spent_amount=Decimal("0.00"))
    FundingLineFactory(project=rejected, instrument=instrument("ERDF"), year=2026, planned_amount=Decimal("9000.00"),
                       granted_amount=Decimal("0.00"), spent_amount=Decimal("0.00"))
    indicator = Indicator.objects.get(code="HEV02")
    IndicatorTarget.objects.create(project=running, indicator=indicator, target_value=10)
    IndicatorValue.objects.create(project=running, indicator=indicator, period_end=dt.date(2025, 6, 30), value=4)
    return {"running": running, "both": both, "idea": idea, "rejected": rejected, "indicator": indicator}


def _row(coverage, slug):  # type: ignore[no-untyped-def]
    rows = [row for p in coverage.priorities for row in p.themes] + coverage.unplaced
    return next(row for row in rows if row.theme.slug == slug)


def test_coverage_counts_projects_money_and_results_per_theme(agreement, coordinator, small_plan):
    coverage = action_plan_coverage(agreement=agreement, user=coordinator)
    mobility = _row(coverage, "mobility")
    # Hand-computed: running (1000+500 planned, 800+500 granted, 300+100 spent) + approved (200, 150, 0).
    assert mobility.money == {"planned": Decimal("1700.00"), "granted": Decimal("1450.00"),
                              "spent": Decimal("400.00")}
    assert mobility.by_stage == {"running": 1, "approved": 1, "idea": 1, "rejected": 1}
    assert mobility.projects == 3  # the rejected project is not in the pipeline
    assert [(r.code, r.achieved, r.target) for r in mobility.results] == [("HEV02", Decimal("4"), Decimal("10"))]
    assert mobility.gaps == []
    logistics = _row(coverage, "logistics")
    assert logistics.money == {"planned": Decimal("200.00"), "granted": Decimal("150.00"), "spent": Decimal("0.00")}
    assert logistics.gaps == ["results"]
    food = _row(coverage, "urban-food")
    assert food.projects == 0 and food.gaps == ["projects", "money", "results"]
    # The priority's row counts each project once, whatever its themes.
    p1 = coverage.priorities[0]
    assert p1.priority.code == 1
    assert p1.total.money["planned"] == Decimal("1700.00")
    assert p1.total.projects == 3


def test_coverage_as_of_a_past_day_leaves_out_later_links(agreement, coordinator, small_plan):
    from django.utils import timezone

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    coverage = action_plan_coverage(agreement=agreement, user=coordinator, as_of=yesterday)
    assert _row(coverage, "mobility").projects == 0  # nothing existed yesterday
    assert coverage.as_of == yesterday


def test_coverage_page_flags_themes_without_projects_and_links_to_the_projects(agreement, coordinator_client,
                                                                             small_plan):
    response = coordinator_client.get(COVERAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"?agreement={agreement.pk}&amp;theme=mobility" in page
    assert 'data-theme="urban-food"' in page
    food_row = page[page.index('data-theme="urban-food"'):]
    food_row = food_row[:food_row.index("</tr>")]
    assert "no-projects" in page[page.rindex("<tr", 0, page.index('data-theme="urban-food"')):][:120]
    assert "No projects" in food_row


def test_coverage_page_in_finnish(agreement, coordinator_client, small_plan):
    from django.utils import translation

    with translation.override("fi"):
        page = coordinator_client.get(COVERAGE, HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "Toimenpidesuunnitelma" in page and "Ei hankkeita" in page


# --- the annex: numbered, frozen versions -------------------------------------------------------------------

def test_annex_lists_only_decided_projects_under_their_themes(agreement, coordinator, small_plan):
    snapshot = annex_snapshot(agreement=agreement, user=coordinator)
    p1 = next(p for p in snapshot["priorities"] if p["code"] == 1)
    assert p1["description"]["fi"] == hev.PRIORITY_DESCRIPTIONS[1]["fi"]
    mobility = next(t for t in p1["themes"] if t["slug"] == "mobility")
    assert [p["code"] for p in mobility["projects"]] == ["ZQ-BOTH", "ZQ-RUN"]
    run = next(p for p in mobility["projects"] if p["code"] == "ZQ-RUN")
    assert run["money"] == {"planned": "1500.00", "granted": "1300.00", "spent": "400.00"}
    assert mobility["money"] == {"planned": "1700.00", "granted": "1450.00", "spent": "400.00"}


def test_regenerating_the_annex_makes_version_2_and_leaves_version_1_unchanged(agreement, coordinator,
                                                                              small_plan, fake_annex_pdf):
    v1 = action_plan_version_create(agreement=agreement, user=coordinator, reason="Johtoryhmä 1.12.")
    v1_bytes = {lang: v1.pdf(lang).read() for lang in ("fi", "sv", "en")}
    v1_snapshot = v1.snapshot
    theme_save(agreement=agreement, theme=_theme(agreement, "mobility"), user=coordinator,
               data={"name_fi": "Liikkuminen uudelleen"})
    v2 = action_plan_version_create(agreement=agreement, user=coordinator)
    assert (v1.number, v2.number) == (1, 2)
    assert v2.snapshot != v1_snapshot
    stored = ActionPlanVersion.objects.get(pk=v1.pk)
    assert stored.snapshot == v1_snapshot and stored.reason == "Johtoryhmä 1.12."
    assert {lang: stored.pdf(lang).read() for lang in ("fi", "sv", "en")} == v1_bytes
    assert v2.pdf("fi").read() != v1_bytes["fi"]
    assert v2.pdf("fi").name != stored.pdf("fi").name


def test_an_annex_version_cannot_be_changed_or_deleted(agreement, coordinator, fake_annex_pdf):
    version = action_plan_version_create(agreement=agreement, user=coordinator)
    version.reason = "changed"
    with pytest.raises(FrozenRecordError):
        version.save()
    with pytest.raises(FrozenRecordError):
        ActionPlanVersion.objects.filter(pk=version.pk).update(reason="changed")
    with pytest.raises(FrozenRecordError):
        version.delete()
    with pytest.raises(FrozenRecordError):
        ActionPlanVersion.objects.filter(pk=version.pk).delete()
    assert ActionPlanVersion.objects.get(pk=version.pk).reason == ""


def test_the_annex_pdf_keeps_its_content_within_the_page(agreement, coordinator, small_plan):
    from reporting.rendering.annex import render_annex_pdf

    # Long names and large amounts: the widest cells the annex has.
    long = ProjectFactory(agreement=agreement, status="running", code="HEV-LONG-CODE-2027",
                          title_fi="Erittäin pitkän nimisen kehittämishankkeen kokeiluympäristöjen yhteiskehittäminen")
    long.themes.add(_theme(agreement, "mobility"))
    FundingLineFactory(project=long, instrument=instrument("ERDF"), year=2025,
                       planned_amount=Decimal("12345678.90"), granted_amount=Decimal("12345678.90"),
                       spent_amount=Decimal("12345678.90"))
    version = action_plan_version_create(agreement=agreement, user=coordinator)
    pdf = version.pdf("fi").read()
    assert pdf.startswith(b"%PDF-")
    assert text_outside_the_page(pdf) == []
    import io

    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Toimenpidesuunnitelma, versio 1" in text and "ZQ-RUN" in text and "ZQ-IDEA" not in text
    # Rendering is from the snapshot alone: the same snapshot gives the same bytes.
    assert render_annex_pdf(version.snapshot, "fi") == pdf


# --- who may read and generate ------------------------------------------------------------------------------

def test_only_the_agreements_coordinators_generate_a_version(agreement, coordinator_client, steering_client,
                                                             fake_annex_pdf):
    assert steering_client.post(ANNEX, {"reason": "x"}).status_code == 404
    assert not ActionPlanVersion.objects.exists()
    response = coordinator_client.post(ANNEX, {"reason": "Kokous"})
    assert response.status_code == 302
    version = ActionPlanVersion.objects.get()
    assert version.number == 1 and version.reason == "Kokous"


def test_who_reads_the_annex_versions(agreement, coordinator, steering_client, coordinator_client,
                                      other_coordinator_client, ministry_user, plain_user, client, fake_annex_pdf):
    from django.test import Client

    version = action_plan_version_create(agreement=agreement, user=coordinator)
    url = reverse("action_plan:annex-download", args=[version.pk, "sv"])
    ministry = Client()
    ministry.force_login(ministry_user)
    nobody = Client()
    nobody.force_login(plain_user)
    stored = version.pdf("sv").read()
    for reader in (coordinator_client, steering_client, ministry):
        response = reader.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf" and response["Cache-Control"] == "no-store"
        assert b"".join(response.streaming_content) == stored
    assert steering_client.get(ANNEX).status_code == 200
    assert other_coordinator_client.get(url).status_code == 404
    assert nobody.get(url).status_code == 404
    assert coordinator_client.get(reverse("action_plan:annex-download", args=[version.pk, "de"])).status_code == 404
    assert client.get(url).status_code == 302  # anonymous: sign in first

"""The action plan (issue 13): themes under an agreement's priorities, loaded and edited; projects linked only
to their own agreement's themes; coverage figures; numbered, frozen annex versions as PDF (made by a task);
who may do what."""

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
from reporting.services import action_plan_annex_make, action_plan_annex_make_again, action_plan_version_create
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


def generated(*, agreement, user, reason=""):  # type: ignore[no-untyped-def]
    """A new version, and the worker's step: the task queued at the commit makes its PDFs."""
    version = action_plan_version_create(agreement=agreement, user=user, reason=reason)
    assert version.state == "making"
    made = action_plan_annex_make(version_id=version.pk)
    assert made is not None and made.state == "ready", made.failure_reason if made else "gone"
    return made


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
    # The steering group reads the plan, so it is told it may not edit it (403, as for deleting a theme).
    assert steering_client.get(reverse("action_plan:edit")).status_code == 403
    # The other agreement's coordinator edits their own agreement's plan, never this one's themes.
    assert agreement.name not in other_coordinator_client.get(reverse("action_plan:edit")).content.decode()
    url = reverse("action_plan:theme-edit", args=[mobility.pk])
    assert steering_client.post(url, {"name_fi": "x", "slug": "mobility"}).status_code == 403
    assert other_coordinator_client.post(url, {"name_fi": "x", "slug": "mobility"}).status_code == 404
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
    v1 = generated(agreement=agreement, user=coordinator, reason="Johtoryhmä 1.12.")
    v1_bytes = {lang: v1.pdf(lang).read() for lang in ("fi", "sv", "en")}
    v1_snapshot = v1.snapshot
    theme_save(agreement=agreement, theme=_theme(agreement, "mobility"), user=coordinator,
               data={"name_fi": "Liikkuminen uudelleen"})
    v2 = generated(agreement=agreement, user=coordinator)
    assert (v1.number, v2.number) == (1, 2)
    assert v2.snapshot != v1_snapshot
    stored = ActionPlanVersion.objects.get(pk=v1.pk)
    assert stored.snapshot == v1_snapshot and stored.reason == "Johtoryhmä 1.12."
    assert {lang: stored.pdf(lang).read() for lang in ("fi", "sv", "en")} == v1_bytes
    assert v2.pdf("fi").read() != v1_bytes["fi"]
    assert v2.pdf("fi").name != stored.pdf("fi").name


def test_an_annex_version_cannot_be_changed_or_deleted(agreement, coordinator, fake_annex_pdf):
    version = generated(agreement=agreement, user=coordinator)
    version.reason = "changed"
    with pytest.raises(FrozenRecordError):
        version.save()
    with pytest.raises(FrozenRecordError, match="^an annex version is frozen$"):
        ActionPlanVersion.objects.filter(pk=version.pk).update(reason="changed")
    with pytest.raises(FrozenRecordError):
        version.delete()
    with pytest.raises(FrozenRecordError, match="^an annex version is frozen$"):
        ActionPlanVersion.objects.filter(pk=version.pk).delete()
    assert ActionPlanVersion.objects.get(pk=version.pk).reason == ""
    # Its PDFs are written once, by the task that makes them; a ready version's PDFs never change.
    with pytest.raises(FrozenRecordError):
        version.save(update_fields=["reason"])
    with pytest.raises(FrozenRecordError):
        version.save(update_fields=["pdf_fi", "state"])


def test_the_annex_pdf_keeps_its_content_within_the_page(agreement, coordinator, small_plan):
    from reporting.rendering.annex import render_annex_pdf

    # Long names and large amounts: the widest cells the annex has.
    long = ProjectFactory(agreement=agreement, status="running", code="HEV-LONG-CODE-2027",
                          title_fi="Erittäin pitkän nimisen kehittämishankkeen kokeiluympäristöjen yhteiskehittäminen")
    long.themes.add(_theme(agreement, "mobility"))
    FundingLineFactory(project=long, instrument=instrument("ERDF"), year=2025,
                       planned_amount=Decimal("12345678.90"), granted_amount=Decimal("12345678.90"),
                       spent_amount=Decimal("12345678.90"))
    version = generated(agreement=agreement, user=coordinator)
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
    assert steering_client.post(ANNEX, {"reason": "x"}).status_code == 403  # reads the annex, may not generate one
    assert not ActionPlanVersion.objects.exists()
    response = coordinator_client.post(ANNEX, {"reason": "Kokous"})
    assert response.status_code == 302
    version = ActionPlanVersion.objects.get()
    assert version.number == 1 and version.reason == "Kokous"


def test_who_reads_the_annex_versions(agreement, coordinator, steering_client, coordinator_client,
                                      other_coordinator_client, ministry_user, plain_user, client, fake_annex_pdf):
    from django.test import Client

    version = generated(agreement=agreement, user=coordinator)
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


# --- the annex's PDFs are made by a task ------------------------------------------------------------------

def _annex_task():  # type: ignore[no-untyped-def]
    from config.jobs import job

    return job("reporting.action_plan_annex_make_task")


def test_generating_saves_the_version_and_queues_its_pdfs_without_rendering_in_the_request(
        agreement, coordinator, coordinator_client, monkeypatch, django_capture_on_commit_callbacks):
    """Defect: the three PDFs (5-7 s) were rendered inside the POST, under the agreement's row lock."""
    from governance.models import NotificationOutbox
    from reporting.rendering import annex

    rendered, queued = [], []
    monkeypatch.setattr(annex, "render_annex_pdf", lambda snapshot, language: rendered.append(language))
    monkeypatch.setattr(_annex_task(), "delay", lambda *args: queued.append(args))  # a worker that has not run
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(ANNEX, {"reason": "Kokous"})
    assert response.status_code == 302
    version = ActionPlanVersion.objects.get()
    assert rendered == [] and queued == [(version.pk,)]
    assert (version.number, version.reason, version.created_by) == (1, "Kokous", coordinator)
    assert version.state == "making" and version.snapshot["version"]["number"] == 1 and not version.pdf_fi
    entry = NotificationOutbox.objects.get(task_name="reporting.action_plan_annex_make_task", object_id=version.pk)
    assert entry.sent_at is not None
    # The page says the version is being made, offers no downloads for it, and polls until it is made.
    page = coordinator_client.get(ANNEX).content.decode()
    assert "the PDFs are being made" in page and reverse("action_plan:annex-versions") in page
    assert reverse("action_plan:annex-download", args=[version.pk, "fi"]) not in page
    # Its downloads are refused (404) rather than a missing file served.
    for language in ("fi", "sv", "en"):
        assert coordinator_client.get(reverse("action_plan:annex-download", args=[version.pk, language])
                                      ).status_code == 404
    polled = coordinator_client.get(reverse("action_plan:annex-versions"), HTTP_HX_REQUEST="true")
    assert polled.status_code == 200 and "the PDFs are being made" in polled.content.decode()


def test_the_task_makes_the_three_pdfs_at_the_commit_and_the_version_is_ready(
        agreement, coordinator, coordinator_client, fake_annex_pdf, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # eager: the task runs at the commit
        coordinator_client.post(ANNEX, {"reason": "Kokous"})
    version = ActionPlanVersion.objects.get()
    assert version.state == "ready" and version.made_at is not None and version.failure == ""
    pdfs = {lang: version.pdf(lang).read() for lang in ("fi", "sv", "en")}
    assert all(pdf.startswith(b"%PDF-") for pdf in pdfs.values()) and len(set(pdfs.values())) == 3
    assert list(version.events.values_list("action", "by")) == [("generated", coordinator.pk), ("made", None)]
    page = coordinator_client.get(ANNEX).content.decode()
    assert "the PDFs are being made" not in page and 'hx-trigger="every 2s"' not in page
    url = reverse("action_plan:annex-download", args=[version.pk, "en"])
    assert url in page
    response = coordinator_client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdfs["en"]
    # The poll stops (286) once no version is being made; the task again leaves a made version as it is.
    assert coordinator_client.get(reverse("action_plan:annex-versions"),
                                  HTTP_HX_REQUEST="true").status_code == 286
    assert action_plan_annex_make(version_id=version.pk).pdf("fi").read() == pdfs["fi"]


def test_a_transient_error_is_retried_then_the_pdfs_are_made(agreement, coordinator, monkeypatch, fake_annex_pdf):
    from django.db import OperationalError

    from reporting.rendering import annex

    version = action_plan_version_create(agreement=agreement, user=coordinator)
    real, calls = annex.render_annex_pdf, []

    def flaky(snapshot, language):  # type: ignore[no-untyped-def]
        calls.append(language)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(snapshot, language)

    monkeypatch.setattr(annex, "render_annex_pdf", flaky)
    task = _annex_task()
    assert OperationalError in task.autoretry_for and task.retry_backoff and task.soft_time_limit
    monkeypatch.setattr(task.app.conf, "task_eager_propagates", False)
    task.apply(args=(version.pk,))
    version.refresh_from_db()
    assert calls == ["fi", "fi", "sv", "en"] and version.state == "ready"


def test_a_transient_error_on_every_attempt_fails_with_its_reason(agreement, coordinator, monkeypatch):
    from django.db import OperationalError

    from reporting.rendering import annex

    version = action_plan_version_create(agreement=agreement, user=coordinator)

    def broken(snapshot, language):  # type: ignore[no-untyped-def]
        raise OperationalError("database is locked")

    monkeypatch.setattr(annex, "render_annex_pdf", broken)
    # Not the last attempt: re-raised for the task to retry, the version still being made.
    with pytest.raises(OperationalError):
        action_plan_annex_make(version_id=version.pk, last_attempt=False)
    version.refresh_from_db()
    assert version.state == "making"
    task = _annex_task()
    monkeypatch.setattr(task, "max_retries", 2)
    monkeypatch.setattr(task.app.conf, "task_eager_propagates", False)
    assert task.apply(args=(version.pk,)).failed()
    version.refresh_from_db()
    assert version.state == "failed" and version.failure == "retries"
    assert version.failure_reason == ("Making the PDFs failed after retries: OperationalError: database is locked")


def test_the_soft_time_limit_ends_the_making_as_failed(agreement, coordinator, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from reporting.rendering import annex

    version = action_plan_version_create(agreement=agreement, user=coordinator)

    def interrupted(snapshot, language):  # type: ignore[no-untyped-def]
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(annex, "render_annex_pdf", interrupted)
    with pytest.raises(SoftTimeLimitExceeded):
        action_plan_annex_make(version_id=version.pk)
    version.refresh_from_db()
    assert version.state == "failed" and not version.pdf_fi and not version.pdf_en
    assert version.failure_reason == "Making the PDFs took longer than its time limit."


def test_a_failure_is_shown_with_its_reason_and_made_again_by_the_coordinators_only(
        agreement, coordinator, coordinator_client, steering_client, other_coordinator_client, plain_user,
        monkeypatch, fake_annex_pdf, django_capture_on_commit_callbacks):
    from django.core.exceptions import PermissionDenied
    from django.test import Client

    from reporting.rendering import annex

    real = annex.render_annex_pdf

    def broken(snapshot, language):  # type: ignore[no-untyped-def]
        raise ValueError("font missing")

    monkeypatch.setattr(annex, "render_annex_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(ANNEX, {"reason": "Kokous"})
    version = ActionPlanVersion.objects.get()
    assert version.state == "failed" and version.failure == "error" and "font missing" in version.failure_detail
    page = coordinator_client.get(ANNEX).content.decode()
    again = reverse("action_plan:annex-again", args=[version.pk])
    assert "Making the PDFs failed: ValueError: font missing" in page and again in page
    assert reverse("action_plan:annex-download", args=[version.pk, "fi"]) not in page
    assert coordinator_client.get(reverse("action_plan:annex-download", args=[version.pk, "fi"])).status_code == 404
    readers_page = steering_client.get(ANNEX).content.decode()
    assert "font missing" in readers_page and again not in readers_page  # readers see why, do not make again

    # Others may not make it again: a reader who is not its coordinator 403, another agreement's user 404.
    nobody = Client()
    nobody.force_login(plain_user)
    assert steering_client.post(again).status_code == 403
    assert other_coordinator_client.post(again).status_code == 404
    assert nobody.post(again).status_code == 404
    assert coordinator_client.get(again).status_code == 405
    with pytest.raises(PermissionDenied):
        action_plan_annex_make_again(version=version, user=plain_user)
    version.refresh_from_db()
    assert version.state == "failed"

    monkeypatch.setattr(annex, "render_annex_pdf", real)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(again)
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.state == "ready" and version.failure_detail == "" and version.pdf("sv").read().startswith(b"%PDF")
    assert coordinator_client.get(reverse("action_plan:annex-download", args=[version.pk, "sv"])).status_code == 200
    assert list(version.events.values_list("action", "by")) == [
        ("generated", coordinator.pk), ("failed", None), ("again", coordinator.pk), ("made", None)]
    # A ready version is not made again.
    assert action_plan_annex_make_again(version=version, user=coordinator).made_at == version.made_at

    # The action plan's history tells who generated the version and who asked to make its PDFs again.
    history = coordinator_client.get(reverse("action_plan:history")).content.decode()
    who = coordinator.get_full_name() or coordinator.get_username()
    assert "Annex version 1" in history and "Annex version generated" in history and who in history
    assert "Annex PDFs asked to be made again" in history and "Making the annex PDFs failed" in history

"""The action plan's themes (issue 13, follow-up): an idea or project links only its own agreement's themes
(service, form, API, admin, choices scoped to what the user sees); coordinators delete an unused theme
(confirmation, refusal while projects or ideas carry it, history, per-object permission); a stale theme edit
is caught like a stale project edit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from governance.services import idea_create
from portfolio.choices import ProjectStatus
from portfolio.filters import ProjectFilter, theme_choices
from portfolio.models import Priority, Project, Theme
from portfolio.services import StaleVersionError, ThemeInUseError, theme_delete, theme_save
from tests.factories import OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _theme(agreement, slug):  # type: ignore[no-untyped-def]
    return Theme.objects.get(agreement=agreement, slug=slug)


def _form_data(theme, **overrides):  # type: ignore[no-untyped-def]
    data = {"priority": str(theme.priority_id or ""), "name_fi": theme.name_fi, "name_sv": theme.name_sv or "",
            "name_en": theme.name_en or "", "slug": theme.slug, "position": str(theme.position),
            "version": str(theme.version)}
    data.update(overrides)
    return data


# --- 1. an idea's (and project's) themes are its own agreement's ---------------------------------------

def test_idea_service_refuses_a_theme_of_another_agreement(agreement, other_agreement, coordinator):
    foreign = Theme.objects.create(agreement=other_agreement, slug="zq-foreign", name_fi="Vieras teema")
    own = _theme(agreement, "mobility")
    before = Project.objects.count()
    with pytest.raises(ValidationError) as exc:
        idea_create(agreement=agreement, title="Aihio", user=coordinator,
                    priority=Priority.objects.get(agreement=agreement, code=1),
                    lead_organisation=OrganisationFactory(), themes=[own, foreign])
    assert exc.value.message_dict["themes"] == ["Choose themes of this project's agreement."]
    assert Project.objects.count() == before  # nothing half-written


def test_idea_form_refuses_a_theme_of_another_agreement_next_to_the_field(agreement, other_agreement,
                                                                         coordinator_client):
    foreign = Theme.objects.create(agreement=other_agreement, slug="zq-foreign", name_fi="Vieras teema")
    own = _theme(agreement, "mobility")
    response = coordinator_client.post(reverse("governance:idea-create"), {
        "title": "Zq-aihio", "priority": str(Priority.objects.get(agreement=agreement, code=1).pk),
        "lead_organisation": str(OrganisationFactory().pk), "themes": [str(own.pk), str(foreign.pk)]})
    assert response.status_code == 200
    assert response.context["form"].errors["themes"] == ["Choose themes of this project's agreement."]
    assert 'id="id_themes_error"' in response.content.decode() or "Choose themes" in response.content.decode()
    assert not Project.objects.filter(title="Zq-aihio").exists()
    offered = set(response.context["form"].fields["themes"].queryset.values_list("agreement_id", flat=True))
    assert offered == {agreement.pk}


def test_admin_refuses_a_theme_of_another_agreement(agreement, other_agreement, admin_user):
    from django.contrib import admin as django_admin
    from django.test import RequestFactory

    foreign = Theme.objects.create(agreement=other_agreement, slug="zq-foreign", name_fi="Vieras teema")
    project = ProjectFactory(agreement=agreement)
    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = django_admin.site._registry[Project]
    form_class = model_admin.get_form(request, project)
    form = form_class(instance=project)
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v is not None}
    data["themes"] = [str(foreign.pk)]
    bound = form_class(data, instance=project)
    assert not bound.is_valid()
    assert bound.errors["themes"] == ["Choose themes of this project's agreement."]


def test_theme_choices_start_from_what_the_user_sees(agreement, other_agreement, coordinator, other_coordinator,
                                                     ministry_user):
    planned = Theme.objects.create(agreement=other_agreement, slug="zq-planned", name_fi="Vain suunnitelmassa")
    public = Theme.objects.create(agreement=other_agreement, slug="zq-public", name_fi="Päätetyn hankkeen teema")
    ProjectFactory(agreement=other_agreement, status=ProjectStatus.RUNNING).themes.add(public)
    ProjectFactory(agreement=other_agreement, status=ProjectStatus.IDEA).themes.add(planned)
    mine = set(Theme.objects.visible_to(coordinator).values_list("pk", flat=True))
    assert _theme(agreement, "mobility").pk in mine
    assert public.pk in mine  # a decided project of another agreement is public, its themes too
    assert planned.pk not in mine  # another agreement's plans and ideas are not
    assert planned.pk in set(Theme.objects.visible_to(other_coordinator).values_list("pk", flat=True))
    assert Theme.objects.visible_to(ministry_user).count() == Theme.objects.count()
    # The project list's theme filter offers and accepts only those.
    slugs = {slug for slug, _name in theme_choices(coordinator)}
    assert "zq-public" in slugs and "zq-planned" not in slugs

    from django.test import RequestFactory

    request = RequestFactory().get("/projects/")
    request.user = coordinator
    refused = ProjectFilter({"theme": "zq-planned"}, queryset=Project.objects.visible_to(coordinator),
                            request=request)
    assert not refused.is_valid() and "theme" in refused.errors
    assert ProjectFilter({"theme": "zq-public"}, queryset=Project.objects.visible_to(coordinator),
                         request=request).is_valid()


def test_api_resolves_themes_among_those_the_writer_sees(agreement, other_agreement, coordinator):
    from tests.api.conftest import token_client

    api = token_client(coordinator)
    project = ProjectFactory(agreement=agreement)
    response = api.patch(f"/api/v1/projects/{project.pk}/", {"themes": ["zq-nothing"]}, format="json",
                         HTTP_IF_MATCH=f'"{project.version}"')
    assert response.status_code == 400
    assert "themes" in str(response.json())


# --- 2. deleting a theme ------------------------------------------------------------------------------------

def test_coordinator_deletes_an_unused_theme_after_confirming_and_the_history_tells_who(
        agreement, coordinator, coordinator_client):
    theme = Theme.objects.create(agreement=agreement, slug="zq-unused", name_fi="Käyttämätön teema",
                                 priority=Priority.objects.get(agreement=agreement, code=2))
    url = reverse("action_plan:theme-delete", args=[theme.pk])
    page = coordinator_client.get(url)
    assert page.status_code == 200
    assert "Käyttämätön teema" in page.content.decode() and "theme-delete-form" in page.content.decode()
    assert Theme.objects.filter(pk=theme.pk).exists()  # the GET only asks
    response = coordinator_client.post(url)
    assert response.status_code == 302 and response.url == reverse("action_plan:edit")
    assert not Theme.objects.filter(pk=theme.pk).exists()
    record = Theme.history.filter(id=theme.pk).latest()
    assert record.history_type == "-" and record.history_user == coordinator
    assert record.name_fi == "Käyttämätön teema"
    history = coordinator_client.get(reverse("action_plan:history")).content.decode()
    assert "Käyttämätön teema" in history and "deleted" in history


def test_a_theme_that_projects_or_ideas_carry_is_not_deleted(agreement, coordinator, coordinator_client):
    theme = _theme(agreement, "mobility")
    ProjectFactory(agreement=agreement, status=ProjectStatus.RUNNING).themes.add(theme)
    idea_create(agreement=agreement, title="Aihio", user=coordinator,
                priority=Priority.objects.get(agreement=agreement, code=1),
                lead_organisation=OrganisationFactory(), themes=[theme])
    with pytest.raises(ThemeInUseError) as exc:
        theme_delete(theme=theme, user=coordinator)
    assert (exc.value.projects, exc.value.ideas) == (1, 1)
    url = reverse("action_plan:theme-delete", args=[theme.pk])
    page = coordinator_client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "theme-in-use" in body and "theme-delete-form" not in body
    response = coordinator_client.post(url)
    assert response.status_code == 409
    assert "The theme was not deleted: projects or ideas are linked to it." in response.content.decode()
    assert Theme.objects.filter(pk=theme.pk).exists()
    assert theme.projects.count() == 2
    assert not Theme.history.filter(id=theme.pk, history_type="-").exists()


def test_who_may_delete_a_theme(agreement, steering_client, ministry_client, other_coordinator_client,
                                other_coordinator, steering_member, client):
    from conftest import _client_for
    from tests.factories import UserFactory

    theme = Theme.objects.create(agreement=agreement, slug="zq-unused", name_fi="Käyttämätön teema")
    url = reverse("action_plan:theme-delete", args=[theme.pk])
    missing = reverse("action_plan:theme-delete", args=[theme.pk + 10_000])
    # Another agreement's coordinator and a user with no role: as for a theme that does not exist.
    no_role = _client_for(UserFactory(username="zq-nobody"))
    for other in (other_coordinator_client, no_role):
        for method in ("get", "post"):
            assert getattr(other, method)(url).status_code == 404
            assert getattr(other, method)(missing).status_code == 404
    # Those who read this agreement's action plan but do not edit it: 403.
    for reader in (steering_client, ministry_client):
        assert reader.get(url).status_code == 403
        assert reader.post(url).status_code == 403
    assert client.get(url).status_code == 302  # anonymous: sign in
    assert Theme.objects.filter(pk=theme.pk).exists()
    # The service checks too.
    with pytest.raises(PermissionDenied):
        theme_delete(theme=theme, user=other_coordinator)
    with pytest.raises(PermissionDenied):
        theme_delete(theme=theme, user=steering_member)
    assert Theme.objects.filter(pk=theme.pk).exists()


def test_the_theme_list_and_the_edit_page_link_to_delete(agreement, coordinator_client):
    theme = _theme(agreement, "mobility")
    delete_url = reverse("action_plan:theme-delete", args=[theme.pk])
    assert delete_url in coordinator_client.get(reverse("action_plan:edit")).content.decode()
    assert delete_url in coordinator_client.get(reverse("action_plan:theme-edit", args=[theme.pk])).content.decode()


# --- 3. a stale theme edit is caught ---------------------------------------------------------------------

def test_the_second_of_two_theme_edits_is_stopped_and_shows_the_differences(agreement, coordinator,
                                                                            coordinator_client):
    from conftest import _client_for, _role_user

    theme = _theme(agreement, "mobility")
    url = reverse("action_plan:theme-edit", args=[theme.pk])
    started = theme.version
    first = _client_for(_role_user("coordinator", agreement, username="zq-first"))
    # Both open the form at the same version; the first saves.
    assert first.post(url, _form_data(theme, name_fi="Ensimmäisen nimi")).status_code == 302
    theme.refresh_from_db()
    assert theme.version == started + 1
    # The second saves from the version they started with: refused, nothing overwritten.
    response = coordinator_client.post(url, _form_data(theme, name_fi="Toisen nimi", version=str(started)))
    assert response.status_code == 409
    theme.refresh_from_db()
    assert theme.name_fi == "Ensimmäisen nimi"
    body = response.content.decode()
    assert 'id="conflict"' in body and "Ensimmäisen nimi" in body and "Toisen nimi" in body
    assert "Someone else saved this theme while you were editing it." in body
    assert response.context["theme"].name_fi == "Ensimmäisen nimi"  # the page names the theme as saved
    rows = {row["name"]: row for row in response.context["conflict"]}
    assert rows["name_fi"]["now"] == "Ensimmäisen nimi" and rows["name_fi"]["mine"] == "Toisen nimi"
    # The form now carries the current version: saving again keeps the second editor's values on purpose.
    assert response.context["form"]["version"].value() == str(theme.version)
    again = coordinator_client.post(url, _form_data(theme, name_fi="Toisen nimi"))
    assert again.status_code == 302
    theme.refresh_from_db()
    assert theme.name_fi == "Toisen nimi" and theme.version == started + 2


def test_theme_save_refuses_a_stale_version_and_writes_nothing(agreement, coordinator):
    theme = _theme(agreement, "mobility")
    theme_save(agreement=agreement, user=coordinator, theme=theme, data={"name_fi": "Uusi"},
               expected_version=theme.version)
    with pytest.raises(StaleVersionError) as exc:
        theme_save(agreement=agreement, user=coordinator, theme=theme, data={"name_fi": "Vanha"},
                   expected_version=theme.version)
    assert exc.value.changes["name_fi"][1] == "Uusi"
    theme.refresh_from_db()
    assert theme.name_fi == "Uusi"


def test_a_theme_edit_without_its_version_is_refused(agreement, coordinator_client):
    theme = _theme(agreement, "mobility")
    data = _form_data(theme, name_fi="Ilman versiota")
    del data["version"]
    response = coordinator_client.post(reverse("action_plan:theme-edit", args=[theme.pk]), data)
    assert response.status_code == 400
    theme.refresh_from_db()
    assert theme.name_fi != "Ilman versiota"

"""A project contact sees exactly their own projects, everywhere: lists, pages, the API."""

import pytest
from django.test import Client

from followup.models import ProgressReport
from followup.services import progress_reports_generate
from portfolio.models import Project
from tests.factories import AgreementFactory, FundingLineFactory, ProjectFactory

from .factories import make_contact

pytestmark = pytest.mark.django_db


def _client(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def others(agreement, project):  # type: ignore[no-untyped-def]
    """A project of the same agreement and a decided project of another agreement (public to most users)."""
    return [ProjectFactory(agreement=agreement), ProjectFactory(agreement=AgreementFactory(with_priorities=True),
                                                                status="running")]


def test_visible_to_is_exactly_the_contacts_projects(project, contact, others):
    assert list(Project.objects.visible_to(contact)) == [project]


def test_a_contact_with_another_role_keeps_that_roles_view_and_adds_their_projects(agreement, others, coordinator):
    hidden = ProjectFactory(agreement=AgreementFactory(with_priorities=True), status="idea")
    from django.contrib.auth.models import Group

    from portfolio.models import ProjectContact

    coordinator.groups.add(Group.objects.get_or_create(name="project_contact")[0])
    ProjectContact.objects.create(user=coordinator, project=hidden)
    visible = set(Project.objects.visible_to(coordinator))
    assert hidden in visible and others[1] in visible


def test_the_project_list_page_shows_only_their_projects(project, contact, others):
    response = _client(contact).get("/projects/")
    assert response.status_code == 200
    assert project.code in response.content.decode()
    for other in others:
        assert other.code not in response.content.decode()


def test_another_project_page_is_404_for_a_contact(contact, others):
    assert _client(contact).get(others[0].get_absolute_url()).status_code == 404


def test_the_project_api_lists_only_their_projects(project, contact, others):
    body = _client(contact).get("/api/v1/projects/").json()
    assert [p["id"] for p in body["results"]] == [project.pk]


def test_funding_lines_api_only_of_their_projects(project, contact, others):
    FundingLineFactory(project=project)
    FundingLineFactory(project=others[0])
    body = _client(contact).get("/api/v1/funding-lines/").json()
    assert {line["project"] for line in body["results"]} == {project.pk}


def test_the_reports_api_lists_only_their_projects_reports(project, contact, others):
    for p in [project, *others]:
        progress_reports_generate(project=p)
    body = _client(contact).get("/api/v1/progress-reports/").json()
    expected = set(ProgressReport.objects.filter(project=project).values_list("pk", flat=True))
    assert {r["id"] for r in body["results"]} == expected and expected


def test_a_contact_sees_no_proposals_or_summaries(contact):
    client = _client(contact)
    assert client.get("/api/v1/proposals/").json()["results"] == []
    assert client.get("/api/v1/reports/").json()["results"] == []


def test_a_contact_cannot_edit_the_project(project, contact):
    client = _client(contact)
    assert client.get(f"/projects/{project.pk}/edit/").status_code == 403
    assert client.patch(f"/api/v1/projects/{project.pk}/", {"title": "x"},
                        content_type="application/json").status_code == 403


def test_a_contacts_home_shows_their_reports(project, contact):
    progress_reports_generate(project=project)
    response = _client(contact).get("/")
    assert response.status_code == 200 and "followup/reports/" in response.content.decode()


def test_a_second_contact_of_another_project_sees_only_theirs(project, contact, others):
    second = make_contact(others[0], username="second")
    assert list(Project.objects.visible_to(second)) == [others[0]]

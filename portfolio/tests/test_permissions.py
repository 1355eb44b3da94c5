"""Tenant boundary and read-only roles on every portfolio page and export."""

import pytest
from django.urls import reverse

from tests.factories import OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def our_draft(agreement):
    return ProjectFactory(agreement=agreement, code="OUR-DRAFT", status="proposal")


@pytest.mark.parametrize("url_name", ["project-detail", "project-edit", "project-history"])
def test_foreign_coordinator_gets_404_for_our_draft(other_coordinator_client, our_draft, url_name):
    assert other_coordinator_client.get(reverse(f"portfolio:{url_name}", args=[our_draft.pk])).status_code == 404


@pytest.mark.parametrize("path", ["/projects/", "/projects/export.csv", "/projects/export.xlsx",
                                  "/projects/?q=OUR", "/"])
def test_our_draft_is_absent_from_foreign_lists(other_coordinator_client, our_draft, path):
    response = other_coordinator_client.get(path)
    assert response.status_code == 200
    assert b"OUR-DRAFT" not in response.content


def test_foreign_organisation_page_hides_our_drafts(other_coordinator_client, our_draft):
    url = reverse("portfolio:organisation-detail", args=[our_draft.lead_organisation_id])
    assert b"OUR-DRAFT" not in other_coordinator_client.get(url).content


@pytest.mark.parametrize("client_name", ["steering_client", "ministry_client"])
def test_read_only_roles_see_no_edit_controls_and_cannot_post(request, client_name, our_draft):
    client = request.getfixturevalue(client_name)
    html = client.get(reverse("portfolio:project-detail", args=[our_draft.pk])).content.decode()
    assert reverse("portfolio:project-edit", args=[our_draft.pk]) not in html
    assert "attachment-form" not in html
    assert client.post(reverse("portfolio:project-edit", args=[our_draft.pk]), {}).status_code == 403
    assert client.post(reverse("portfolio:project-create"), {}).status_code == 403
    org = OrganisationFactory()
    assert client.post(reverse("portfolio:organisation-edit", args=[org.pk]), {}).status_code == 403


def test_organisation_search_htmx_partial(coordinator_client):
    OrganisationFactory(name="Partiaali Oy", name_fi="Partiaali Oy")
    response = coordinator_client.get(reverse("portfolio:organisation-list"), {"q": "partiaali"},
                                      HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "Partiaali Oy" in body


def test_organisation_history_shows_the_change(coordinator_client, coordinator):
    from portfolio.services import organisation_save

    org = organisation_save(data={"name_fi": "Vanha Nimi Oy", "kind": "company", "business_id": ""},
                            user=coordinator)
    organisation_save(data={"name_fi": "Uusi Nimi Oy"}, user=coordinator, organisation=org)
    html = coordinator_client.get(reverse("portfolio:organisation-detail", args=[org.pk])).content.decode()
    assert "<del>Vanha Nimi Oy</del>" in html and "<ins>Uusi Nimi Oy</ins>" in html


# --- the predicates themselves: one truth table per role (views and the API only ask these) ---------------

PREDICATE_ROLES = ["anonymous", "no_role", "coordinator", "other_coordinator", "steering", "ministry",
                   "superuser", "contact", "contact_elsewhere", "contact_role_only"]


@pytest.fixture
def people(agreement, other_agreement, coordinator, other_coordinator, steering_member, ministry_user, plain_user,
           admin_user, our_draft):
    from django.contrib.auth.models import AnonymousUser, Group

    from portfolio.models import ProjectContact
    from tests.factories import UserFactory

    def contact(username, project=None):  # type: ignore[no-untyped-def]
        user = UserFactory(username=username)
        user.groups.add(Group.objects.get(name="project_contact"))
        if project is not None:
            ProjectContact.objects.create(user=user, project=project)
        return user

    # A contact of another project of the same agreement; and a user with the contact link but no role.
    elsewhere = ProjectFactory(agreement=agreement, code="ELSEWHERE", status="running")
    no_role_contact = UserFactory(username="linkonly")
    ProjectContact.objects.create(user=no_role_contact, project=our_draft)
    return {"anonymous": AnonymousUser(), "no_role": plain_user, "coordinator": coordinator,
            "other_coordinator": other_coordinator, "steering": steering_member, "ministry": ministry_user,
            "superuser": admin_user, "contact": contact("ourcontact", our_draft),
            "contact_elsewhere": contact("elsecontact", elsewhere), "contact_role_only": no_role_contact}


# Expected answers, in PREDICATE_ROLES order.
PREDICATE_TABLE = {
    "can_view_portal":              [0, 0, 1, 1, 1, 1, 1, 1, 1, 0],
    "can_edit_agreement_portfolio": [0, 0, 1, 0, 0, 0, 1, 0, 0, 0],
    "can_edit_some_agreement_portfolio": [0, 0, 1, 1, 0, 0, 1, 0, 0, 0],
    "can_change_project":           [0, 0, 1, 0, 0, 0, 1, 0, 0, 0],
    "can_assign_project_contacts":  [0, 0, 1, 0, 0, 0, 1, 0, 0, 0],
    "can_report_on_project":        [0, 0, 1, 0, 0, 0, 1, 1, 0, 0],
    "can_create_project":           [0, 0, 1, 1, 0, 0, 1, 0, 0, 0],
    "can_change_organisation":      [0, 0, 1, 1, 0, 0, 1, 0, 0, 0],
    "works_on":                     [0, 0, 1, 0, 1, 1, 1, 0, 0, 0],
}


@pytest.mark.parametrize("predicate", sorted(PREDICATE_TABLE))
def test_permission_predicate_truth_table(predicate, people, agreement, our_draft):
    from portfolio import permissions

    check = getattr(permissions, predicate)
    argument = {"can_view_portal": (), "can_create_project": (), "can_change_organisation": (),
                "can_edit_some_agreement_portfolio": (),
                "can_edit_agreement_portfolio": (agreement,), "works_on": (agreement.pk,)}.get(predicate, (our_draft,))
    answers = [int(check(people[role], *argument)) for role in PREDICATE_ROLES]
    assert dict(zip(PREDICATE_ROLES, answers, strict=True)) == dict(
        zip(PREDICATE_ROLES, PREDICATE_TABLE[predicate], strict=True))
    assert all(type(check(people[role], *argument)) is bool for role in PREDICATE_ROLES)


def test_edit_agreement_portfolio_takes_an_agreement_or_its_id(people, agreement, other_agreement):
    from portfolio.permissions import can_edit_agreement_portfolio

    coordinator = people["coordinator"]
    assert can_edit_agreement_portfolio(coordinator, agreement.pk) is True
    assert can_edit_agreement_portfolio(coordinator, agreement) is True
    assert can_edit_agreement_portfolio(coordinator, other_agreement.pk) is False
    assert can_edit_agreement_portfolio(people["other_coordinator"], other_agreement) is True
    assert can_edit_agreement_portfolio(people["superuser"], other_agreement.pk) is True


def test_a_coordinator_edits_some_agreement_only_with_access_and_a_superuser_only_if_one_exists(admin_user):
    from django.contrib.auth.models import Group

    from portfolio.models import AgreementAccess
    from portfolio.permissions import can_edit_some_agreement_portfolio
    from tests.factories import AgreementFactory, UserFactory

    coordinator = UserFactory(username="coord-noaccess")
    coordinator.groups.add(Group.objects.get_or_create(name="coordinator")[0])
    assert can_edit_some_agreement_portfolio(admin_user) is False  # no agreement yet
    assert can_edit_some_agreement_portfolio(coordinator) is False
    agreement = AgreementFactory()
    assert can_edit_some_agreement_portfolio(admin_user) is True
    assert can_edit_some_agreement_portfolio(coordinator) is False  # no access to it
    AgreementAccess.objects.create(user=coordinator, agreement=agreement)
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)  # the roles are read once per user object
    assert can_edit_some_agreement_portfolio(coordinator) is True


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"])
def test_api_permission_reads_for_every_role_and_writes_for_coordinators(method, people):
    from types import SimpleNamespace

    from portfolio.permissions import PortalReadOnlyOrCoordinator

    permission = PortalReadOnlyOrCoordinator()
    allowed = {role: permission.has_permission(SimpleNamespace(user=people[role], method=method), None)
               for role in PREDICATE_ROLES}
    readers = {"coordinator", "other_coordinator", "steering", "ministry", "superuser", "contact",
               "contact_elsewhere"}
    writers = {"coordinator", "other_coordinator", "superuser"}
    expected = readers if method in ("GET", "HEAD", "OPTIONS") else writers
    assert allowed == {role: role in expected for role in PREDICATE_ROLES}

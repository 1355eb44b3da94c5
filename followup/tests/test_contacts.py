"""Assigning project contacts (portfolio.services.project_contact_assign)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portfolio.models import ProjectContact, ProjectPartner
from portfolio.services import project_contact_assign
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_assigning_gives_the_role_and_is_idempotent(project, coordinator):
    person = UserFactory(username="uusi")
    partner = ProjectPartner.objects.create(project=project, organisation=OrganisationFactory())
    project_contact_assign(project=project, contact_user=person, organisation=None, user=coordinator)
    project_contact_assign(project=project, contact_user=person, organisation=partner.organisation,
                           user=coordinator)
    assert list(ProjectContact.objects.filter(project=project, user=person).values_list("organisation", flat=True)) \
        == [partner.organisation_id]
    assert person.groups.filter(name="project_contact").exists()
    assert ProjectContact.history.filter(project_id=project.pk, user_id=person.pk).count() == 2


def test_the_organisation_must_be_the_lead_or_a_co_implementer(project, coordinator):
    with pytest.raises(ValidationError) as exc:
        project_contact_assign(project=project, contact_user=UserFactory(), organisation=OrganisationFactory(),
                               user=coordinator)
    assert "organisation" in exc.value.message_dict
    assert not ProjectContact.objects.exists()


def test_only_the_agreements_coordinators_assign(project, other_coordinator, steering_member):
    for user in (other_coordinator, steering_member):
        with pytest.raises(PermissionDenied):
            project_contact_assign(project=project, contact_user=UserFactory(), user=user)

"""A group's additional summary recipients (issue 18): kept by the coordinators in the UI, with history, and
part of the audience of the next approval."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from governance.choices import GroupKind
from governance.models import SteeringGroup
from reporting.models import SummaryRecipient, SummaryReport
from reporting.selectors import summary_audience
from reporting.services import summary_recipient_add, summary_recipient_remove

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(agreement):  # type: ignore[no-untyped-def]
    return SteeringGroup.objects.get(kind=GroupKind.REGIONAL, agreement=agreement)


def test_coordinator_adds_and_removes_with_history(client, coordinator, group):
    client.force_login(coordinator)
    url = f"/reports/recipients/{group.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url + "add/", {"email": "kirjaamo@example.fi", "name": "Kirjaamo", "language": "sv"})
    assert response.status_code == 302
    recipient = SummaryRecipient.objects.get(group=group)
    assert (recipient.email, recipient.language, recipient.added_by) == ("kirjaamo@example.fi", "sv", coordinator)
    again = client.post(url + "add/", {"email": "KIRJAAMO@example.fi", "name": "", "language": "fi"})
    assert again.status_code == 400 and 'id="id_email_error"' in again.content.decode()
    assert client.post(url + f"{recipient.pk}/remove/").status_code == 302
    recipient.refresh_from_db()
    assert recipient.removed_by == coordinator and recipient.removed_at is not None
    page = client.get(url).content.decode()
    assert "kirjaamo@example.fi" in page  # under "Removed", with who and when
    assert client.post(url + "add/", {"email": "kirjaamo@example.fi", "language": "fi"}).status_code == 302
    assert SummaryRecipient.objects.filter(group=group).count() == 2


def test_bad_address_is_refused_next_to_the_field(client, coordinator, group):
    client.force_login(coordinator)
    response = client.post(f"/reports/recipients/{group.pk}/add/", {"email": "ei-osoite", "language": "fi"})
    assert response.status_code == 400 and 'id="id_email_error"' in response.content.decode()
    assert not SummaryRecipient.objects.exists()


@pytest.mark.parametrize("who", ["steering_member", "ministry_user"])
def test_only_the_agreements_coordinators_keep_the_list(group, who, request, client):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        summary_recipient_add(group=group, email="x@example.fi", user=user)
    client.force_login(user)
    assert client.get(f"/reports/recipients/{group.pk}/").status_code == 403


def test_another_agreements_coordinator_does_not_see_the_group(group, other_coordinator, client):
    client.force_login(other_coordinator)
    assert client.get(f"/reports/recipients/{group.pk}/").status_code == 404


def test_the_list_is_part_of_the_audience(group, coordinator, agreement):
    summary_recipient_add(group=group, email="kirjaamo@example.fi", user=coordinator, language="sv")
    gone = summary_recipient_add(group=group, email="pois@example.fi", user=coordinator)
    summary_recipient_remove(recipient=gone, user=coordinator)
    report = SummaryReport(audience="steering", agreement=agreement, period="2026-Q3")
    assert [(r.email, r.language) for r in summary_audience(report)] == [("kirjaamo@example.fi", "sv")]
    with pytest.raises(ValidationError):
        summary_recipient_remove(recipient=gone, user=coordinator)

"""The admin shows a member's e-mail language read-only: it is changed on the group's recipients page, which
records the change in the recipients' history (reporting.services.member_language_set)."""

from __future__ import annotations

import pytest

from governance.choices import GroupKind
from governance.models import Membership, SteeringGroup
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_does_not_change_a_members_language(admin_client, agreement):
    group = SteeringGroup.objects.get(kind=GroupKind.REGIONAL, agreement=agreement)
    membership = Membership.objects.create(group=group, user=UserFactory(), language="sv")
    url = f"/admin/governance/membership/{membership.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200 and 'name="language"' not in page.content.decode()
    data = {"user": membership.user_id, "group": group.pk, "role": membership.role, "language": "en",
            "term_start": "", "term_end": "", "substitute_for": ""}
    admin_client.post(url, data)
    membership.refresh_from_db()
    assert membership.language == "sv"

"""Issue 12, point 11: application-criteria items used in assessments are immutable (a new version
instead), in the service, the model layer and the admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from governance import services
from governance.models import ApplicationCriteria, CriteriaInUseError, CriteriaItem
from governance.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed(coordinator, steering_member, agreement, group):  # type: ignore[no-untyped-def]
    criteria = services.criteria_version_create(group=group, title="Hakukriteerit", text="", user=steering_member,
                                                items=["Vastaa painopisteeseen", "Kansainvälisyys"],
                                                valid_from=dt.date(2024, 1, 1))
    proposal = f.draft(coordinator, agreement)
    first = criteria.items.order_by("position").first()
    services.proposal_assess(proposal=proposal, user=coordinator, answers={first.pk: ("met", "ok")})
    return criteria


def test_service_refuses_to_reword_a_used_item(assessed, steering_member):
    used = assessed.items.order_by("position").first()
    with pytest.raises(CriteriaInUseError, match="create a new version"):
        services.criteria_item_update(item=used, text="Jotain muuta", user=steering_member)
    assert CriteriaItem.objects.get(pk=used.pk).text == "Vastaa painopisteeseen"


def test_service_rewords_an_item_not_yet_used(steering_member, group):
    criteria = services.criteria_version_create(group=group, title="K", text="", items=["Vanha"],
                                                user=steering_member, valid_from=dt.date(2024, 1, 1))
    item = services.criteria_item_update(item=criteria.items.get(), text="Uusi", user=steering_member)
    assert CriteriaItem.objects.get(pk=item.pk).text == "Uusi"


def test_used_item_cannot_be_saved_updated_or_deleted_by_any_path(assessed):
    used = assessed.items.order_by("position").first()
    used.text = "Muutettu"
    with pytest.raises(CriteriaInUseError):
        used.save()
    with pytest.raises(CriteriaInUseError):
        CriteriaItem.objects.filter(pk=used.pk).update(text="Muutettu")
    with pytest.raises(CriteriaInUseError):
        used.delete()
    with pytest.raises(CriteriaInUseError):  # nor can the version's checklist grow
        CriteriaItem.objects.create(criteria=assessed, position=3, text="Uusi kohta")
    assert list(CriteriaItem.objects.filter(criteria=assessed).values_list("text", flat=True)) == [
        "Vastaa painopisteeseen", "Kansainvälisyys"]


def test_new_version_is_the_way_to_change_used_criteria(assessed, steering_member, group):
    newer = services.criteria_version_create(group=group, title="Hakukriteerit", text="", user=steering_member,
                                             items=["Vastaa painopisteeseen tarkemmin"], valid_from=dt.date(2025, 1, 1))
    assert newer.version == assessed.version + 1
    assert assessed.items.order_by("position").first().text == "Vastaa painopisteeseen"


def test_admin_refuses_edits_of_used_criteria_with_a_message(assessed, admin_user, admin_client_logged):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    model_admin = site._registry[ApplicationCriteria]
    assert not model_admin.has_change_permission(request, assessed)
    inline = model_admin.get_inline_instances(request, assessed)
    assert inline and not any(i.has_change_permission(request, assessed) or i.has_add_permission(request, assessed)
                              or i.has_delete_permission(request, assessed) for i in inline)
    url = reverse("admin:governance_applicationcriteria_change", args=[assessed.pk])
    page = admin_client_logged.get(url).content.decode()
    assert "cannot be changed. Create a new version instead." in page
    used = assessed.items.order_by("position").first()
    response = admin_client_logged.post(url, {
        "group": assessed.group_id, "version": assessed.version, "title": "Muutettu", "text": "",
        "valid_from": "2024-01-01", "items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "2",
        "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "1000", "items-0-id": str(used.pk),
        "items-0-criteria": str(assessed.pk), "items-0-position": "1", "items-0-text": "Muutettu"})
    assert response.status_code == 403
    assert CriteriaItem.objects.get(pk=used.pk).text == "Vastaa painopisteeseen"
    assert ApplicationCriteria.objects.get(pk=assessed.pk).title == "Hakukriteerit"


def test_admin_still_edits_unused_criteria(steering_member, group, admin_user):
    criteria = services.criteria_version_create(group=group, title="K", text="", items=["a"], user=steering_member,
                                                valid_from=dt.date(2024, 1, 1))
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    assert site._registry[ApplicationCriteria].has_change_permission(request, criteria)

"""Migration 0012 (the annex's PDFs made by a task): the versions made before it keep their PDFs and are ready,
and their history starts with who generated them."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.migration_helpers import migrate_to, migrate_to_latest

BEFORE = [("reporting", "0011_summary_files_made_by_task")]


@pytest.mark.django_db(transaction=True)
def test_the_versions_made_before_the_migration_are_ready_with_their_pdfs_and_history():
    old = migrate_to(BEFORE)
    try:
        Agreement = old.get_model("portfolio", "Agreement")
        User = old.get_model("auth", "User")
        Version = old.get_model("reporting", "ActionPlanVersion")
        agreement = Agreement.objects.create(code="zq-annex", name="ZQ", name_fi="ZQ", region="ZQ",
                                             valid_from=dt.date(2021, 1, 1), valid_until=dt.date(2027, 12, 31))
        user = User.objects.create(username="zq-coordinator")
        at = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)
        version = Version.objects.create(agreement=agreement, number=1, created_at=at, created_by=user,
                                         reason="Kokous", snapshot={"priorities": []}, pdf_fi="action-plan/v1-fi.pdf",
                                         pdf_sv="action-plan/v1-sv.pdf", pdf_en="action-plan/v1-en.pdf")
        ids = {"version": version.pk, "user": user.pk}
    finally:
        migrate_to_latest()

    from reporting.models import ActionPlanVersion

    migrated = ActionPlanVersion.objects.get(pk=ids["version"])
    assert migrated.state == "ready" and migrated.made_at == at and migrated.failure == ""
    assert (migrated.pdf_fi.name, migrated.pdf_sv.name, migrated.pdf_en.name) == (
        "action-plan/v1-fi.pdf", "action-plan/v1-sv.pdf", "action-plan/v1-en.pdf")
    assert migrated.snapshot == {"priorities": []} and migrated.reason == "Kokous"
    assert list(migrated.events.values_list("action", "by_id", "note")) == [
        ("generated", ids["user"], "Kokous"), ("made", None, "")]
    # A new version starts being made.
    assert ActionPlanVersion._meta.get_field("state").default == "making"

"""Migration 0011 (themes belong to agreements): no link between a project and a theme is lost."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.migration_helpers import migrate_to, migrate_to_latest

BEFORE = [("portfolio", "0010_theme_agreement_priority")]


@pytest.mark.django_db(transaction=True)
def test_migration_attaches_themes_to_agreements_and_keeps_every_project_link():
    old = migrate_to(BEFORE)
    try:
        Agreement = old.get_model("portfolio", "Agreement")
        Priority = old.get_model("portfolio", "Priority")
        Organisation = old.get_model("portfolio", "Organisation")
        Project = old.get_model("portfolio", "Project")
        Theme = old.get_model("portfolio", "Theme")
        hev = Agreement.objects.create(code="helsinki-espoo-vantaa-2021-2027", name="HEV", name_fi="HEV",
                                       region="HEV", valid_from=dt.date(2021, 1, 1), valid_until=dt.date(2027, 12, 31))
        other = Agreement.objects.create(code="tampere", name="Tampere", name_fi="Tampere", region="Tampere",
                                         valid_from=dt.date(2021, 1, 1), valid_until=dt.date(2027, 12, 31))
        priorities = {}
        for agreement in (hev, other):
            for code in (1, 2, 3, 4):
                priorities[(agreement.pk, code)] = Priority.objects.create(
                    agreement=agreement, code=code, name=f"P{code}", name_fi=f"P{code}")
        lead = Organisation.objects.create(name="Lead", name_fi="Lead", kind="city")
        # The old global tags: one used by both agreements, one unused that the annex places, one custom.
        mobility = Theme.objects.create(slug="mobility", name="Liikkuminen", name_fi="Liikkuminen",
                                        name_sv="Mobilitet", name_en="Mobility")
        talent = Theme.objects.create(slug="talent", name="Osaajat", name_fi="Osaajat")
        custom = Theme.objects.create(slug="zq-custom", name="Oma", name_fi="Oma")
        projects = {}
        for agreement, code in ((hev, "H-1"), (hev, "H-2"), (other, "T-1")):
            projects[code] = Project.objects.create(
                agreement=agreement, code=code, title=code, title_fi=code, lead_organisation=lead,
                priority=priorities[(agreement.pk, 1)])
        for code in ("H-1", "T-1"):
            projects[code].themes.add(mobility)
        projects["H-2"].themes.add(custom, mobility)
        ids = {"mobility": mobility.pk, "talent": talent.pk, "custom": custom.pk, "hev": hev.pk, "other": other.pk,
               **{code: p.pk for code, p in projects.items()}}
    finally:
        migrate_to_latest()

    from portfolio.models import Project, Theme

    mobility = Theme.objects.get(pk=ids["mobility"])
    assert mobility.agreement_id == ids["hev"] and mobility.priority.code == 1
    copy = Theme.objects.get(agreement_id=ids["other"], slug="mobility")
    assert (copy.name_fi, copy.name_sv, copy.name_en, copy.priority_id) == ("Liikkuminen", "Mobilitet", "Mobility",
                                                                             None)
    assert Theme.objects.get(pk=ids["talent"]).priority.code == 4
    custom = Theme.objects.get(pk=ids["custom"])
    assert custom.agreement_id == ids["hev"] and custom.priority_id is None  # still usable as a tag
    # Every project keeps its themes, each now its own agreement's.
    assert set(Project.objects.get(pk=ids["H-1"]).themes.values_list("pk", flat=True)) == {ids["mobility"]}
    assert set(Project.objects.get(pk=ids["H-2"]).themes.values_list("pk", flat=True)) == {ids["mobility"],
                                                                                         ids["custom"]}
    assert set(Project.objects.get(pk=ids["T-1"]).themes.values_list("pk", flat=True)) == {copy.pk}

"""Creating and editing projects: validation, funding lines, permissions and lost-update protection."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import FundingLine
from portfolio import services
from portfolio.models import MethodCategory, Priority, Project
from tests.factories import FundingLineFactory, OrganisationFactory, ProjectFactory, instrument

pytestmark = pytest.mark.django_db
CREATE = reverse("portfolio:project-create")


def _mgmt(n_forms: int = 0, initial: int = 0) -> dict:
    return {"lines-TOTAL_FORMS": str(n_forms), "lines-INITIAL_FORMS": str(initial),
            "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000"}


def _post_data(agreement, lead, **overrides) -> dict:
    instrument("ERDF"), instrument("CITY")
    data = {
        "code": "NEW-1", "title_fi": "Uusi hanke", "title_sv": "", "title_en": "New project",
        "priority": str(Priority.objects.get(agreement=agreement, code=1).pk),
        "methods": [str(MethodCategory.objects.get(code=1).pk)], "lead_organisation": str(lead.pk),
        "start_date": "2025-01-01", "end_date": "2026-12-31", "summary_fi": "Tiivistelmä",
        "internationalisation": "", "eura_code": "", **_mgmt(2),
        "lines-0-instrument": "ERDF", "lines-0-year": "2025", "lines-0-planned_amount": "60 000,00",
        "lines-0-granted_amount": "", "lines-0-spent_amount": "",
        "lines-1-instrument": "CITY", "lines-1-year": "2025", "lines-1-planned_amount": "40000",
        "lines-1-granted_amount": "", "lines-1-spent_amount": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def lead(db):
    return OrganisationFactory(name="Lead Oy")


def test_coordinator_creates_project_with_funding_lines(coordinator_client, agreement, lead, coordinator):
    response = coordinator_client.post(CREATE, _post_data(agreement, lead))
    assert response.status_code == 302, (response.context["form"].errors, response.context["formset"].errors)
    project = Project.objects.get(agreement=agreement, code="NEW-1")
    assert project.status == "idea" and project.title_fi == "Uusi hanke"
    lines = {(line.instrument.code, line.year): line.planned_amount for line in project.funding_lines.all()}
    assert lines == {("ERDF", 2025): Decimal("60000.00"), ("CITY", 2025): Decimal("40000.00")}
    assert project.history.first().history_user == coordinator


@pytest.mark.parametrize(("overrides", "field"), [
    ({"end_date": "2024-01-01"}, "end_date"),
    ({"lines-0-planned_amount": "-5"}, "lines-0-planned_amount"),
    ({"lines-0-planned_amount": "abc"}, "lines-0-planned_amount"),
    ({"lines-1-instrument": "ERDF"}, "lines-1-year"),  # duplicate instrument+year
    ({"lines-0-instrument": "AKKE", "lines-0-year": "2026"}, "lines-0-year"),  # AKKE ended 2025
    ({"title_fi": ""}, "title_fi"),
])
def test_invalid_input_is_rejected_with_a_field_message(coordinator_client, agreement, lead, overrides, field):
    instrument("AKKE")
    response = coordinator_client.post(CREATE, _post_data(agreement, lead, **overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert f'aria-describedby="id_{field}_error"' in html
    assert 'id="error-summary"' in html
    assert not Project.objects.filter(code="NEW-1").exists()
    # what was typed is kept (the emptied title stays empty)
    assert 'value="NEW-1"' in html
    assert ('value="Uusi hanke"' in html) is ("title_fi" not in overrides)


def test_duplicate_code_and_foreign_priority(coordinator_client, agreement, other_agreement, lead):
    ProjectFactory(agreement=agreement, code="DUP-1")
    response = coordinator_client.post(CREATE, _post_data(agreement, lead, code="dup-1"))
    assert response.status_code == 400 and 'id="id_code_error"' in response.content.decode()
    foreign = Priority.objects.get(agreement=other_agreement, code=1)
    response = coordinator_client.post(CREATE, _post_data(agreement, lead, priority=str(foreign.pk)))
    assert response.status_code == 400 and 'id="id_priority_error"' in response.content.decode()


def test_only_coordinators_of_the_agreement_edit(steering_client, ministry_client, other_coordinator_client,
                                                 agreement, other_agreement):
    project = ProjectFactory(agreement=agreement, status="running")
    draft = ProjectFactory(agreement=agreement, status="idea")
    edit = reverse("portfolio:project-edit", args=[project.pk])
    assert steering_client.get(edit).status_code == 403
    assert ministry_client.get(edit).status_code == 403
    assert steering_client.get(CREATE).status_code == 403
    assert other_coordinator_client.get(edit).status_code == 403  # visible (running) but not theirs
    assert other_coordinator_client.get(reverse("portfolio:project-edit", args=[draft.pk])).status_code == 404
    assert other_coordinator_client.get(reverse("portfolio:project-detail", args=[draft.pk])).status_code == 404


def test_edit_form_round_trip_keeps_lines(coordinator_client, agreement):
    project = ProjectFactory(agreement=agreement, code="ED-1")
    FundingLineFactory(project=project, instrument=instrument("ERDF"), year=2025, planned_amount=Decimal("10.00"))
    url = reverse("portfolio:project-edit", args=[project.pk])
    form = coordinator_client.get(url).context["form"]
    assert form.initial["version"] == 1


def _edit_data(project, **overrides) -> dict:
    data = {
        "code": project.code, "title_fi": project.title_fi, "priority": str(project.priority_id),
        "methods": [str(m.pk) for m in project.methods.all()], "lead_organisation": str(project.lead_organisation_id),
        "start_date": "2024-01-01", "end_date": "2026-12-31", "version": str(project.version),
        **_mgmt(1, 1), "lines-0-instrument": "ERDF", "lines-0-year": "2025", "lines-0-planned_amount": "10,00",
        "lines-0-granted_amount": "0", "lines-0-spent_amount": "0",
    }
    data.update(overrides)
    return data


def test_stale_save_does_not_overwrite_and_shows_the_conflict(coordinator_client, coordinator, agreement):
    project = ProjectFactory(agreement=agreement, code="CF-1", title="Alku", title_fi="Alku")
    instrument("ERDF")
    url = reverse("portfolio:project-edit", args=[project.pk])
    first = _edit_data(project, title_fi="Ensimmäisen muutos")
    second = _edit_data(project, title_fi="Toisen muutos")
    assert coordinator_client.post(url, first).status_code == 302
    response = coordinator_client.post(url, second)
    assert response.status_code == 409
    html = response.content.decode()
    project.refresh_from_db()
    assert project.title_fi == "Ensimmäisen muutos" and project.version == 2
    assert "Ensimmäisen muutos" in html and 'value="Toisen muutos"' in html  # theirs shown, mine kept
    assert "Alku" in html  # the value both started from
    # saving again from the conflict page is a deliberate overwrite
    resolved = {**second, "version": "2"}
    assert coordinator_client.post(url, resolved).status_code == 302
    project.refresh_from_db()
    assert project.title_fi == "Toisen muutos" and project.version == 3


def test_service_raises_stale_version_error(agreement, coordinator):
    project = ProjectFactory(agreement=agreement, title_fi="A")
    services.project_update(project=project, data={"title_fi": "B"}, expected_version=1, user=coordinator)
    with pytest.raises(services.StaleVersionError) as info:
        services.project_update(project=project, data={"title_fi": "C"}, expected_version=1, user=coordinator)
    assert info.value.current.version == 2
    assert info.value.changes["title_fi"] == ("A", "B")
    project.refresh_from_db()
    assert project.title_fi == "B"


def test_save_is_atomic_when_funding_lines_fail(agreement, coordinator, monkeypatch):
    project = ProjectFactory(agreement=agreement, title_fi="Ennallaan")
    import funding.services

    def boom(**kwargs):
        raise RuntimeError("funding write failed")

    monkeypatch.setattr(funding.services, "funding_lines_replace", boom)
    with pytest.raises(RuntimeError):
        services.project_update(project=project, data={"title_fi": "Muuttunut"}, expected_version=1,
                                user=coordinator, lines=[])
    project.refresh_from_db()
    assert project.title_fi == "Ennallaan" and project.version == 1


def test_service_refuses_users_without_rights(agreement, steering_member):
    from django.core.exceptions import PermissionDenied

    project = ProjectFactory(agreement=agreement)
    with pytest.raises(PermissionDenied):
        services.project_update(project=project, data={"title_fi": "X"}, expected_version=1, user=steering_member)


def test_removing_a_line_deletes_it(coordinator_client, agreement):
    project = ProjectFactory(agreement=agreement, code="RM-1", start_date=dt.date(2024, 1, 1))
    FundingLineFactory(project=project, instrument=instrument("ERDF"), year=2025, granted_amount=Decimal("0.00"),
                       spent_amount=Decimal("0.00"))
    url = reverse("portfolio:project-edit", args=[project.pk])
    response = coordinator_client.post(url, _edit_data(project, **{"lines-0-DELETE": "on"}))
    assert response.status_code == 302
    assert not FundingLine.objects.filter(project=project).exists()


def test_removing_a_line_with_granted_money_keeps_the_granted_money(coordinator_client, agreement):
    project = ProjectFactory(agreement=agreement, code="RM-2", start_date=dt.date(2024, 1, 1))
    FundingLineFactory(project=project, instrument=instrument("ERDF"), year=2025)
    url = reverse("portfolio:project-edit", args=[project.pk])
    response = coordinator_client.post(url, _edit_data(project, **{"lines-0-DELETE": "on"}))
    assert response.status_code == 302
    line = FundingLine.objects.get(project=project)
    assert line.planned_amount == Decimal("0.00") and line.granted_amount == Decimal("60000.00")


def test_frame_overrun_is_a_warning_not_an_error(coordinator_client, agreement, lead):
    from tests.factories import FundingFrameFactory

    FundingFrameFactory(agreement=agreement, instrument=instrument("ERDF"), year=2025, amount=Decimal("1000.00"))
    response = coordinator_client.post(CREATE, _post_data(agreement, lead), follow=True)
    assert Project.objects.filter(code="NEW-1").exists()  # saved despite the overrun
    texts = [str(m) for m in response.context["messages"]]
    assert any("ERDF" in t and "2025" in t for t in texts), texts


def test_edit_without_version_is_refused(coordinator_client, agreement):
    project = ProjectFactory(agreement=agreement, code="NV-1", title_fi="Ennallaan")
    instrument("ERDF")
    data = _edit_data(project, title_fi="Muutos")
    del data["version"]
    response = coordinator_client.post(reverse("portfolio:project-edit", args=[project.pk]), data)
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.title_fi == "Ennallaan"


def test_co_implementers_with_budget_shares(coordinator_client, agreement, lead):
    partner = OrganisationFactory(name="Partneri Oy")
    data = _post_data(agreement, lead, **{
        "partners-TOTAL_FORMS": "2", "partners-INITIAL_FORMS": "0", "partners-MIN_NUM_FORMS": "0",
        "partners-MAX_NUM_FORMS": "1000", "partners-0-organisation": str(partner.pk),
        "partners-0-budget_share": "12 500,50", "partners-1-organisation": "", "partners-1-budget_share": ""})
    assert coordinator_client.post(CREATE, data).status_code == 302
    project = Project.objects.get(code="NEW-1")
    assert [(p.organisation_id, p.budget_share) for p in project.partnerships.all()] == [
        (partner.pk, Decimal("12500.50"))]
    data["code"] = "NEW-2"
    data["partners-1-organisation"] = str(lead.pk)
    response = coordinator_client.post(CREATE, data)
    assert response.status_code == 400
    assert 'id="id_partners-1-organisation_error"' in response.content.decode()


def test_coordinator_starts_and_closes_an_approved_project(coordinator_client, steering_client, agreement):
    project = ProjectFactory(agreement=agreement, status="approved")
    url = reverse("portfolio:project-status", args=[project.pk])
    assert steering_client.post(url, {"status": "running"}).status_code == 403
    assert coordinator_client.post(url, {"status": "closed"}).status_code == 302  # not allowed: stays
    project.refresh_from_db()
    assert project.status == "approved"
    coordinator_client.post(url, {"status": "running"})
    project.refresh_from_db()
    assert project.status == "running" and project.version == 2
    coordinator_client.post(url, {"status": "approved"})  # no way back
    project.refresh_from_db()
    assert project.status == "running"


def test_the_project_form_cannot_raise_granted_money(coordinator_client, agreement):
    project = ProjectFactory(agreement=agreement, code="RM-3", start_date=dt.date(2024, 1, 1))
    FundingLineFactory(project=project, instrument=instrument("ERDF"), year=2025)
    url = reverse("portfolio:project-edit", args=[project.pk])
    coordinator_client.post(url, _edit_data(project, **{"lines-0-granted_amount": "2000000",
                                                        "lines-0-spent_amount": "5"}))
    line = FundingLine.objects.get(project=project)
    assert line.granted_amount == Decimal("60000.00") and line.spent_amount != Decimal("5.00")


def test_the_project_form_refuses_exponents(coordinator_client, agreement):
    project = ProjectFactory(agreement=agreement, code="RM-4", start_date=dt.date(2024, 1, 1))
    url = reverse("portfolio:project-edit", args=[project.pk])
    response = coordinator_client.post(url, _edit_data(project, **{"lines-0-planned_amount": "1e9"}))
    assert response.status_code == 400
    assert 'id="id_lines-0-planned_amount_error"' in response.content.decode()
    assert not FundingLine.objects.filter(project=project).exists()

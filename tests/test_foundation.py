"""Foundation: constraints, business IDs, loaders, roles and the pages that exist."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from funding.models import FundingFrame, FundingInstrument, FundingLine
from governance.models import Decision, Meeting, Proposal, SteeringGroup
from portfolio.models import Agreement, MethodCategory, Organisation, Priority, Project
from portfolio.validators import validate_business_id
from tests.factories import FundingLineFactory, OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


class TestBusinessId:
    @pytest.mark.parametrize("value", ["0201256-6", "0101263-6", "0124610-9", "201256-6"])
    def test_valid_business_ids_are_accepted(self, value):
        validate_business_id(value)

    @pytest.mark.parametrize("value", ["0201256-7", "1234567", "12345678-9", "abc", "0201256 6"])
    def test_invalid_business_ids_are_rejected(self, value):
        with pytest.raises(ValidationError):
            validate_business_id(value)

    def test_remainder_one_has_no_valid_check_digit(self):
        # 0000010: 1*2 = 2... find a body with remainder 1: weights (7,9,10,5,8,4,2); "0000100" -> 8*1 = 8;
        # "1000002" -> 7 + 4 = 11 -> 0; "0100000" -> 9 -> check 2; "0000006" -> 12 % 11 = 1.
        for digit in range(10):
            with pytest.raises(ValidationError):
                validate_business_id(f"0000006-{digit}")

    def test_organisation_full_clean_rejects_wrong_check_digit(self):
        org = Organisation(name="Testi Oy", kind="company", business_id="0201256-5")
        with pytest.raises(ValidationError) as exc:
            org.full_clean()
        assert "business_id" in exc.value.message_dict

    def test_business_id_is_unique_when_given(self):
        OrganisationFactory(business_id="0201256-6")
        with pytest.raises(IntegrityError), transaction.atomic():
            OrganisationFactory(business_id="0201256-6")

    def test_blank_business_ids_do_not_collide(self):
        OrganisationFactory(business_id="")
        OrganisationFactory(business_id="")


class TestConstraints:
    def test_project_code_unique_within_agreement(self, agreement):
        ProjectFactory(agreement=agreement, code="X-1")
        with pytest.raises(IntegrityError), transaction.atomic():
            ProjectFactory(agreement=agreement, code="X-1")

    def test_same_project_code_allowed_in_another_agreement(self, agreement, other_agreement):
        ProjectFactory(agreement=agreement, code="X-1")
        ProjectFactory(agreement=other_agreement, code="X-1")

    def test_project_end_before_start_is_refused_by_database(self, agreement):
        with pytest.raises(IntegrityError), transaction.atomic():
            ProjectFactory(agreement=agreement, start_date=dt.date(2025, 1, 1), end_date=dt.date(2024, 1, 1))

    def test_project_end_before_start_gives_validation_message(self, agreement):
        project = ProjectFactory.build(agreement=agreement, start_date=dt.date(2025, 1, 1),
                                       end_date=dt.date(2024, 1, 1))
        with pytest.raises(ValidationError):
            project.validate_constraints()

    def test_negative_funding_amount_is_refused(self, agreement):
        with pytest.raises(IntegrityError), transaction.atomic():
            FundingLineFactory(project=ProjectFactory(agreement=agreement), planned_amount=Decimal("-1.00"))

    def test_funding_line_unique_per_instrument_and_year(self, agreement):
        line = FundingLineFactory(project=ProjectFactory(agreement=agreement))
        with pytest.raises(IntegrityError), transaction.atomic():
            FundingLineFactory(project=line.project, instrument=line.instrument, year=line.year)

    def test_negative_frame_is_refused(self, agreement):
        erdf = FundingInstrument.objects.get(code="ERDF")
        with pytest.raises(IntegrityError), transaction.atomic():
            FundingFrame.objects.create(agreement=agreement, instrument=erdf, year=2025, amount=Decimal("-5"))

    def test_priority_code_outside_one_to_four_is_refused(self, agreement):
        with pytest.raises(IntegrityError), transaction.atomic():
            Priority.objects.create(agreement=agreement, code=5, name="Liikaa")

    def test_method_category_code_outside_one_to_three_is_refused(self, agreement):
        with pytest.raises(IntegrityError), transaction.atomic():
            MethodCategory.objects.create(code=4, name="Liikaa")

    def test_agreement_validity_end_before_start_is_refused(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Agreement.objects.create(code="x", name="x", region="x", valid_from=dt.date(2027, 1, 1),
                                     valid_until=dt.date(2021, 1, 1))

    def test_national_group_cannot_have_an_agreement(self, agreement):
        with pytest.raises(IntegrityError), transaction.atomic():
            SteeringGroup.objects.create(kind="national", agreement=agreement, name="x")

    def test_money_keeps_cents_exactly(self, agreement):
        line = FundingLineFactory(project=ProjectFactory(agreement=agreement), planned_amount=Decimal("202580.33"))
        line.refresh_from_db()
        assert line.planned_amount == Decimal("202580.33")


class TestLoadAgreement:
    def test_loads_the_agreement_and_its_reference_data(self):
        call_command("load_agreement", stdout=None)
        agreement = Agreement.objects.get(code="helsinki-espoo-vantaa-2021-2027")
        assert agreement.valid_until == dt.date(2027, 12, 31)
        assert sorted(agreement.priorities.values_list("code", flat=True)) == [1, 2, 3, 4]
        assert agreement.priorities.get(code=4).is_open
        assert agreement.priorities.get(code=2).name_sv == "Välfärd och hälsoteknologi"
        assert sorted(MethodCategory.objects.values_list("code", flat=True)) == [1, 2, 3]
        assert set(FundingInstrument.objects.values_list("code", flat=True)) == {
            "ERDF", "ESF", "JTF", "AKKE", "RRF", "CITY", "PUBLIC", "PRIVATE"}
        parties = {(p.organisation.short_name, p.role) for p in agreement.parties.select_related("organisation")}
        assert parties == {("TEM", "state"), ("Helsinki", "city"), ("Espoo", "city"), ("Vantaa", "city"),
                           ("OKM", "cooperating"), ("YM", "cooperating")}

    def test_coordination_project_is_akke_until_2023_then_erdf(self):
        call_command("load_agreement")
        project = Project.objects.get(is_coordination_project=True)
        eu_lines = FundingLine.objects.filter(project=project, instrument__share_group="eu_state")
        by_year = dict(eu_lines.values_list("year", "instrument__code"))
        assert by_year == {2021: "AKKE", 2022: "AKKE", 2023: "AKKE", 2024: "ERDF", 2025: "ERDF",
                           2026: "ERDF", 2027: "ERDF"}

    def test_second_run_changes_nothing(self):
        from portfolio.services import agreement_load

        agreement_load()
        counts = {m: m.objects.count() for m in (Agreement, Organisation, Priority, Project, FundingLine)}
        history = Project.history.count() + Agreement.history.count() + FundingLine.history.count()
        result = agreement_load()
        assert result.changed == []
        assert {m: m.objects.count() for m in counts} == counts
        assert Project.history.count() + Agreement.history.count() + FundingLine.history.count() == history


class TestSeedDemo:
    def test_demo_portfolio_is_realistic(self):
        call_command("seed_demo")
        agreement = Agreement.objects.get(code="helsinki-espoo-vantaa-2021-2027")
        projects = Project.objects.filter(agreement=agreement)
        assert projects.count() >= 30
        assert set(projects.values_list("priority__code", flat=True)) == {1, 2, 3, 4}
        assert set(projects.values_list("methods__code", flat=True)) == {1, 2, 3}
        assert {"Helsinki", "Espoo", "Vantaa"} <= set(projects.values_list("lead_organisation__short_name",
                                                                            flat=True))
        assert projects.filter(status="idea").exists()
        assert Proposal.objects.filter(status__in=["submitted", "on_agenda"]).exists()
        assert Meeting.objects.filter(status="confirmed").exists()
        assert Decision.objects.exists()
        years = set(FundingLine.objects.filter(project__agreement=agreement).values_list("year", flat=True))
        assert years == set(range(2021, 2028))
        assert FundingFrame.objects.filter(agreement=agreement).count() >= 7

    def test_demo_split_is_close_to_forty_sixty(self):
        from django.db.models import Sum

        call_command("seed_demo")
        lines = FundingLine.objects.all()
        total = lines.aggregate(s=Sum("planned_amount"))["s"]
        local = lines.filter(instrument__share_group="local").aggregate(s=Sum("planned_amount"))["s"]
        assert Decimal("38") <= local * 100 / total <= Decimal("42")

    def test_demo_users_can_sign_in(self, client, settings):
        call_command("seed_demo")
        for username in ("coordinator", "steering", "ministry", "admin"):
            response = client.post(reverse("login"), {"username": username, "password": settings.DEMO_PASSWORD})
            assert response.status_code == 302, username
            dashboard = client.get(reverse("dashboard"))
            assert dashboard.status_code == 200
            # Signed in as that user: the page names them and the demo agreement.
            assert dashboard.wsgi_request.user.username == username
            assert "Helsinki–Espoo–Vantaa" in dashboard.content.decode(), username
            client.post(reverse("logout"))

    def test_seed_demo_is_idempotent(self):
        call_command("seed_demo")
        before = (Project.objects.count(), FundingLine.objects.count(), Decision.objects.count(),
                  Project.history.count(), FundingLine.history.count())
        call_command("seed_demo")
        after = (Project.objects.count(), FundingLine.objects.count(), Decision.objects.count(),
                 Project.history.count(), FundingLine.history.count())
        assert after == before


class TestPagesAndRoles:
    @pytest.mark.parametrize("url_name", ["dashboard", "portfolio:project-list", "funding:index",
                                          "governance:index", "reporting:index",
                                          "portfolio:organisation-list"])
    def test_anonymous_is_sent_to_login(self, client, url_name):
        response = client.get(reverse(url_name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    @pytest.mark.parametrize("fixture", ["coordinator_client", "steering_client", "ministry_client"])
    @pytest.mark.parametrize("url_name", ["dashboard", "portfolio:project-list", "funding:index",
                                          "governance:index", "reporting:index",
                                          "portfolio:organisation-list"])
    def test_every_role_sees_the_main_pages(self, request, fixture, url_name, agreement):
        client = request.getfixturevalue(fixture)
        response = client.get(reverse(url_name))
        assert response.status_code == 200
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
        assert heading, url_name
        text = re.sub(r"<[^>]+>", "", heading.group(1)).strip()
        expected = {"dashboard": agreement.name, "portfolio:project-list": "Projects",
                    "funding:index": f"Funding frames {agreement.name}", "governance:index": "Decision-making",
                    "reporting:index": "Summary reports", "portfolio:organisation-list": "Organisations"}[url_name]
        assert re.sub(r"\s+", " ", text) == expected

    def test_user_without_role_is_refused(self, client, plain_user):
        client.force_login(plain_user)
        assert client.get(reverse("portfolio:project-list")).status_code == 403

    def test_login_page_renders_in_finnish_by_default(self, client, settings):
        settings.LANGUAGE_CODE = "fi"  # the test settings use English; the portal's default is Finnish
        response = client.get(reverse("login"))
        assert response.status_code == 200
        assert '<html lang="fi">' in response.content.decode()

    def test_other_agreements_draft_projects_are_hidden(self, agreement, other_agreement, other_coordinator_client):
        draft = ProjectFactory(agreement=agreement, status="idea")
        running = ProjectFactory(agreement=agreement, status="running")
        assert other_coordinator_client.get(reverse("portfolio:project-detail", args=[draft.pk])).status_code == 404
        assert other_coordinator_client.get(reverse("portfolio:project-detail", args=[running.pk])).status_code == 200
        listing = other_coordinator_client.get(reverse("portfolio:project-list")).content.decode()
        assert draft.code not in listing

    def test_ministry_sees_every_agreements_drafts(self, agreement, other_agreement, ministry_client):
        draft = ProjectFactory(agreement=other_agreement, status="idea", code="OTHER-IDEA-1")
        response = ministry_client.get(reverse("portfolio:project-detail", args=[draft.pk]))
        assert response.status_code == 200
        assert "OTHER-IDEA-1" in response.content.decode()
        assert "OTHER-IDEA-1" in ministry_client.get(reverse("portfolio:project-list")).content.decode()

    def test_role_groups_have_exactly_the_declared_permissions(self, agreement):
        from django.contrib.auth.models import Group

        from portfolio.roles import ROLE_MODEL_PERMISSIONS

        for role, actions in ROLE_MODEL_PERMISSIONS.items():
            expected = {f"{m.split('.')[0]}.{a}_{m.split('.')[1]}" for a, ms in actions.items() for m in ms}
            got = {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=role).permissions.all()}
            assert got == expected
        ministry = Group.objects.get(name="ministry").permissions.values_list("codename", flat=True)
        assert all(code.startswith("view_") for code in ministry)


class TestHealth:
    def test_healthz_reports_database_and_broker(self, client):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json()["database"] == "up"
        assert response.json()["broker"] == "up"

    def test_healthz_is_503_when_the_database_is_down(self, client, monkeypatch):
        from config import views

        monkeypatch.setattr(views, "_check_database", lambda: (False, "down"))
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["database"] == "down"

    def test_healthz_is_503_when_the_broker_is_down(self, client, monkeypatch):
        from config import views

        monkeypatch.setattr(views, "_check_broker", lambda: (False, "down"))
        assert client.get("/healthz").status_code == 503

    def test_every_response_has_a_request_id(self, client):
        assert client.get("/healthz")["X-Request-ID"]

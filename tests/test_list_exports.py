"""Every list exports as CSV and XLSX with its filters (issue 14): projects, organisations, proposals,
decisions and funding lines. Each export is scoped like its list, recorded in the security log, and
neutralises spreadsheet formulas."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from funding.models import FundingLine
from governance.models import Decision, Proposal
from portfolio.choices import SecurityEventKind
from portfolio.models import Agreement, AgreementAccess, SecurityEvent
from tests.demo_snapshot import seed_demo_for_test
from tests.factories import AgreementFactory, ProjectFactory

pytestmark = pytest.mark.django_db

LISTS = ["portfolio:project-export", "portfolio:organisation-export", "governance:proposal-export",
         "governance:decision-export", "funding:line-export", "followup:report-export"]


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    seed_demo_for_test()
    return Agreement.objects.get(code="HEV") if Agreement.objects.filter(code="HEV").exists() else \
        Agreement.objects.order_by("pk").first()


def client_of(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def rows_of(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_list_exports_and_the_export_is_recorded(demo, name, fmt):
    response = client_of("coordinator").get(reverse(f"{name}-{fmt}"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;") and response["Cache-Control"] == "no-store"
    rows = rows_of(response)
    assert len(rows) > 1 and all(len(row) == len(rows[0]) for row in rows)
    event = SecurityEvent.objects.get(kind=SecurityEventKind.EXPORT)
    assert event.user.username == "coordinator" and event.detail["format"] == fmt


def test_an_export_has_the_lists_filters(demo):
    client = client_of("coordinator")
    erdf = rows_of(client.get(reverse("funding:line-export-csv"), {"instrument": "ERDF", "agreement": demo.pk}))
    expected = FundingLine.objects.filter(instrument__code="ERDF", project__agreement=demo).count()
    assert len(erdf) - 1 == expected > 0 and {row[3] for row in erdf[1:]} == {"ERDF"}
    # The demo agreements have proposals and decisions too: the export has those the coordinator may see.
    coordinator = get_user_model().objects.get(username="coordinator")
    status = Proposal.objects.values_list("status", flat=True).first()
    proposals = rows_of(client.get(reverse("governance:proposal-export-csv"), {"status": status}))
    assert len(proposals) - 1 == Proposal.objects.visible_to(coordinator).filter(status=status).count()
    decisions = rows_of(client.get(reverse("governance:decision-export-csv"), {"outcome": "approved"}))
    assert len(decisions) - 1 == Decision.objects.visible_to(coordinator).filter(outcome="approved").count() > 0
    organisations = rows_of(client.get(reverse("portfolio:organisation-export-csv"), {"q": "Espoo"}))
    assert organisations[1:] and all("Espoo" in ";".join(row) for row in organisations[1:])


def test_an_export_never_shows_another_agreements_drafts(demo):
    other = AgreementFactory(with_priorities=True)
    draft = ProjectFactory(agreement=other, status="idea", code="SECRET-1", title="Salainen aihio")
    FundingLine.objects.create(project=draft, instrument=FundingLine._meta.get_field("instrument")
                               .related_model.objects.get(code="ERDF"), year=2025, planned_amount=1)
    AgreementAccess.objects.filter(agreement=other).delete()
    client = client_of("coordinator")
    for name in ("portfolio:project-export-csv", "funding:line-export-csv"):
        assert "SECRET-1" not in client.get(reverse(name)).content.decode("utf-8-sig")
    assert "SECRET-1" in client_of("ministry").get(reverse("portfolio:project-export-csv")).content.decode(
        "utf-8-sig")


def test_a_formula_in_a_name_is_text_in_the_export(demo):
    project = ProjectFactory(agreement=demo, title='=HYPERLINK("http://x.invalid","y")', code="F-1")
    project.title_fi = project.title
    project.save()
    csv_text = client_of("coordinator").get(reverse("governance:proposal-export-csv")).content  # no formula cell
    assert b"=HYPERLINK" not in csv_text.replace(b"'=HYPERLINK", b"")
    lines = client_of("coordinator").get(reverse("funding:line-export-csv"), {"project": project.pk}).content
    assert b"=HYPERLINK" not in lines.replace(b"'=HYPERLINK", b"")


def test_exports_need_sign_in(demo):
    for name in LISTS:
        response = Client().get(reverse(f"{name}-csv"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_progress_report_export_is_the_users_own_for_a_contact(demo):
    from followup.models import ProgressReport

    contact = get_user_model().objects.get(username="contact")
    rows = rows_of(client_of("contact").get(reverse("followup:report-export-csv")))
    expected = ProgressReport.objects.visible_to(contact).count()
    assert len(rows) - 1 == expected > 0
    assert len(rows_of(client_of("coordinator").get(reverse("followup:report-export-csv"),
                                                     {"review_state": "accepted"}))) - 1 == \
        ProgressReport.objects.filter(review_state="accepted").count()


@pytest.mark.parametrize(("language", "separator"), [("fi", ","), ("sv", ","), ("en", ".")])
def test_csv_decimals_use_the_languages_separator(demo, language, separator):
    """Issue 15, item 4: the CSV used ";" with point decimals in Finnish. Amounts now carry the language's
    decimal separator (no grouping, so a spreadsheet reads a number); dates stay ISO 8601."""
    line = FundingLine.objects.filter(project__agreement=demo, planned_amount__gt=0).order_by("pk").first()
    line.planned_amount = "172980.50"
    line.save(update_fields=["planned_amount"])
    client = client_of("coordinator")
    client.cookies["django_language"] = language
    rows = rows_of(client.get(reverse("funding:line-export-csv"), {"project": line.project_id}))
    cells = [cell for row in rows[1:] for cell in row]
    assert f"172980{separator}50" in cells
    other = "." if separator == "," else ","
    assert f"172980{other}50" not in cells

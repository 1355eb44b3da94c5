"""The project list: filters in the URL, sorting, pagination, the htmx partial, exports and their scope."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.factories import FundingLineFactory, ProjectFactory, instrument

pytestmark = pytest.mark.django_db
URL = "/projects/"


@pytest.fixture
def projects(agreement, other_agreement):
    own = [ProjectFactory(agreement=agreement, code=f"L-{i:02d}", status="running") for i in range(3)]
    FundingLineFactory(project=own[0], instrument=instrument("ERDF"), year=2025,
                       planned_amount=Decimal("1000.50"), granted_amount=Decimal("900.00"))
    foreign_draft = ProjectFactory(agreement=other_agreement, code="FOREIGN-DRAFT", status="idea")
    foreign_public = ProjectFactory(agreement=other_agreement, code="FOREIGN-RUN", status="running")
    return {"own": own, "foreign_draft": foreign_draft, "foreign_public": foreign_public}


def test_list_shows_visible_projects_only(coordinator_client, projects):
    html = coordinator_client.get(URL).content.decode()
    assert "L-00" in html and "FOREIGN-RUN" in html
    assert "FOREIGN-DRAFT" not in html


def test_filters_live_in_the_url(coordinator_client, projects, agreement):
    response = coordinator_client.get(URL, {"agreement": agreement.pk, "instrument": "ERDF", "year": 2025})
    html = response.content.decode()
    assert "L-00" in html and "L-01" not in html
    # the filter form is a GET form so the state can be bookmarked
    assert 'method="get"' in html


def test_htmx_request_gets_the_partial(coordinator_client, projects):
    full = coordinator_client.get(URL, {"q": "L-0"})
    partial = coordinator_client.get(URL, {"q": "L-0"}, HTTP_HX_REQUEST="true")
    assert "<html" in full.content.decode()
    body = partial.content.decode()
    assert "<html" not in body and "L-01" in body and 'id="result-count"' in body


def test_sorting_by_column(coordinator_client, projects, agreement):
    html = coordinator_client.get(URL, {"agreement": agreement.pk, "ordering": "-code"}).content.decode()
    assert html.index("L-02") < html.index("L-01") < html.index("L-00")
    assert 'aria-sort="descending"' in html


def test_sorting_by_money(coordinator_client, projects, agreement):
    """Sorting by the planned and granted euros (issue 15): the totals of each project's lines."""
    own = projects["own"]
    FundingLineFactory(project=own[2], instrument=instrument("CITY"), year=2025,
                       planned_amount=Decimal("5000.00"), granted_amount=Decimal("10.00"))
    html = coordinator_client.get(URL, {"agreement": agreement.pk, "ordering": "-planned"}).content.decode()
    assert html.index("L-02") < html.index("L-00") < html.index("L-01")  # 5 000 > 1 000,50 > nothing
    assert 'aria-sort="descending"' in html.split("Planned (€)")[0].rsplit("<th", 1)[1]
    html = coordinator_client.get(URL, {"agreement": agreement.pk, "ordering": "-granted"}).content.decode()
    assert html.index("L-00") < html.index("L-02") < html.index("L-01")  # 900 > 10 > nothing


def test_the_numbers_are_explained(coordinator_client, projects, agreement):
    """A glossary names the priorities and method categories behind the list's numbers (issue 15)."""
    from portfolio.models import MethodCategory, Priority

    project = projects["own"][0]
    project.methods.set([MethodCategory.objects.get(code=2)])
    html = coordinator_client.get(URL, {"agreement": agreement.pk}).content.decode()
    glossary = html.split('class="glossary')[1].split("</details>")[0]
    for priority in Priority.objects.filter(agreement=agreement):
        assert f"{priority.code}</dt><dd class=\"col-10 mb-1\">{priority.name}</dd>" in glossary
    method = MethodCategory.objects.get(code=2)
    assert method.name in glossary
    row = html.split(f">{project.code}</td>")[1].split("</tr>")[0]
    assert f'<span title="{method.name}">2</span>' in row  # and the name for screen readers next to it
    assert f'<span class="visually-hidden"> {project.priority.name}</span>' in row


def test_invalid_filter_shows_message_not_error(coordinator_client, projects):
    response = coordinator_client.get(URL, {"priority": "9"})
    assert response.status_code == 200
    assert "L-00" not in response.content.decode()


def test_pagination(coordinator_client, agreement):
    for i in range(55):
        ProjectFactory(agreement=agreement, code=f"PG-{i:03d}")
    first = coordinator_client.get(URL, {"q": "PG-"}).content.decode()
    second = coordinator_client.get(URL, {"q": "PG-", "page": 2}).content.decode()
    assert "PG-000" in first and "PG-054" not in first
    assert "PG-054" in second
    assert "q=PG-&amp;page=2" in first


def test_list_query_count_is_constant(coordinator_client, agreement, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(params: dict) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert coordinator_client.get(URL, params).status_code == 200
        return len(ctx.captured_queries)

    for i in range(10):
        FundingLineFactory(project=ProjectFactory(agreement=agreement, code=f"Q-{i:03d}", methods=[1, 2]))
    small = count({})
    for i in range(10, 40):
        FundingLineFactory(project=ProjectFactory(agreement=agreement, code=f"Q-{i:03d}", methods=[1, 2]))
    assert count({}) == small  # no query per row
    # session, user, roles, agreements, filter choices, count, page, methods prefetch, the glossary's
    # priorities and method categories, the unread notifications, the national steering group membership (the
    # national view's link under the top bar) (each once, whatever the data size)
    with django_assert_max_num_queries(20):
        coordinator_client.get(URL)
    with django_assert_max_num_queries(20):
        coordinator_client.get(URL, {"q": "Q-", "method": 2, "year": 2025}, HTTP_HX_REQUEST="true")


def test_anonymous_and_roleless_users_are_refused(client, plain_user):
    assert client.get(URL).status_code == 302
    client.force_login(plain_user)
    assert client.get(URL).status_code == 403
    assert client.get(URL + "export.csv").status_code == 403


def test_csv_export_is_filtered_scoped_and_neutralised(coordinator_client, projects, agreement):
    projects["own"][1].title = '=HYPERLINK("http://x","y")'
    projects["own"][1].title_fi = projects["own"][1].title
    projects["own"][1].save()
    response = coordinator_client.get(URL + "export.csv")
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    codes = {row[0] for row in rows[1:]}
    assert {"L-00", "L-01", "FOREIGN-RUN"} <= codes
    assert "FOREIGN-DRAFT" not in codes
    titles = {row[0]: row[1] for row in rows[1:]}
    assert titles["L-01"] == "'=HYPERLINK(\"http://x\",\"y\")"
    filtered = coordinator_client.get(URL + "export.csv", {"q": "L-00"}).content.decode("utf-8-sig")
    assert [r[0] for r in list(csv.reader(io.StringIO(filtered), delimiter=";"))[1:]] == ["L-00"]
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["L-00"][11] == "1000.50"


def test_xlsx_export_writes_text_as_strings(coordinator_client, projects):
    p = projects["own"][2]
    p.title = p.title_fi = "=1+1"
    p.save()
    response = coordinator_client.get(URL + "export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert "FOREIGN-DRAFT" not in cells
    title_cell = cells["L-02"][1]
    assert title_cell.value == "=1+1" and title_cell.data_type == "s"


def test_other_coordinator_does_not_see_our_drafts_in_exports(other_coordinator_client, agreement):
    ProjectFactory(agreement=agreement, code="OUR-IDEA", status="idea")
    text = other_coordinator_client.get(URL + "export.csv").content.decode("utf-8-sig")
    assert "OUR-IDEA" not in text
    assert "OUR-IDEA" not in other_coordinator_client.get(URL).content.decode()


def test_my_projects(client, coordinator, agreement, projects):
    """"Only my projects": those the user is the responsible coordinator or a contact of (issue 15)."""
    from django.test import Client

    from followup.tests.factories import make_contact

    own = projects["own"]
    own[1].coordinator = coordinator
    own[1].save()
    contact = make_contact(own[2], username="yhteys")
    me = Client()
    me.force_login(coordinator)
    html = me.get(URL, {"mine": "true"}).content.decode()
    assert "L-01" in html and "L-00" not in html and "L-02" not in html
    assert "L-00" in me.get(URL, {"mine": ""}).content.decode()  # all projects
    them = Client()
    them.force_login(contact)
    html = them.get(URL, {"mine": "true"}).content.decode()
    assert "L-02" in html and "L-01" not in html


def test_saved_views_save_open_replace_and_delete(coordinator_client, coordinator, other_coordinator, projects):
    from portfolio.models import SavedView

    response = coordinator_client.post("/projects/views/", {"name": "ERDF 2025",
                                                            "query": "instrument=ERDF&year=2025&page=3&evil=1"})
    view = SavedView.objects.get(user=coordinator)
    assert view.query == "instrument=ERDF&year=2025"  # only the list's filters, no page
    assert response.status_code == 302 and response["Location"].endswith("?instrument=ERDF&year=2025")
    html = coordinator_client.get(URL).content.decode()
    assert 'href="/projects/?instrument=ERDF&amp;year=2025">ERDF 2025</a>' in html
    coordinator_client.post("/projects/views/", {"name": "ERDF 2025", "query": "status=running"})
    assert list(SavedView.objects.filter(user=coordinator).values_list("query", flat=True)) == ["status=running"]
    # A name is required; the message is shown on the list, nothing is saved.
    response = coordinator_client.post("/projects/views/", {"name": "  ", "query": "status=idea"}, follow=True)
    assert "Give the view a name." in response.content.decode()
    assert SavedView.objects.filter(user=coordinator).count() == 1
    # Only one's own: another user cannot see or delete it.
    from django.test import Client

    other = Client()
    other.force_login(other_coordinator)
    assert "ERDF 2025" not in other.get(URL).content.decode()
    assert other.post(f"/projects/views/{view.pk}/delete/").status_code == 404
    assert coordinator_client.post(f"/projects/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()

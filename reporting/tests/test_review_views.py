"""The summary page (issue 18): the summary as HTML with the same figures as its files, the narrative form and
the approve button for coordinators only, the delivery log and the retry, and the agenda link."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from governance.choices import GroupKind
from governance.models import Meeting, SteeringGroup
from reporting.models import SummaryReport
from reporting.rendering import tables
from reporting.services import summary_compile, summary_get_or_create

pytestmark = pytest.mark.django_db


class Tables(HTMLParser):
    """The tables of a page that carry `data-table`, as {key: [[cell text, ...], ...]} (body rows only)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.key: str | None = None
        self.in_body = False
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.hidden = 0

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        attrs = dict(attrs)
        if tag == "table" and attrs.get("data-table"):
            self.key = attrs["data-table"]
            self.tables[self.key] = []
        elif self.key and tag == "tbody":
            self.in_body = True
        elif self.key and self.in_body and tag == "tr":
            self.row = []
        elif self.row is not None and tag in ("td", "th"):
            self.cell = []
        elif self.cell is not None and tag == "span" and "visually-hidden" in (attrs.get("class") or ""):
            self.hidden += 1

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "span" and self.hidden:
            self.hidden -= 1
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None and self.key:
            self.tables[self.key].append(self.row)
            self.row = None
        elif tag == "tbody":
            self.in_body = False
        elif tag == "table":
            self.key = None

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self.cell is not None and not self.hidden:
            self.cell.append(data)


def page_tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def as_number(text: str) -> Decimal | str:
    """A figure as the Finnish page shows it ("12 500,00") back to a number; other text as it is."""
    cleaned = text.replace("\xa0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return text


@pytest.fixture
def compiled(demo, fast_pdf):  # type: ignore[no-untyped-def]
    report, _ = summary_get_or_create(audience="steering", period="2026-Q3", agreement=demo, user=None)
    summary_compile(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == "done", report.error
    return report


def test_the_html_view_shows_the_same_figures_as_the_xlsx_file(compiled, client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("tem2", password="x-Very-long-pw-1")
    user.groups.add(Group.objects.get(name="ministry"))
    client.force_login(user)
    response = client.get(f"/reports/{compiled.pk}/", HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code == 200
    html_tables = page_tables(response.content.decode())
    workbook = load_workbook(io.BytesIO(compiled.xlsx_file.open("rb").read()))
    definitions = tables(compiled.snapshot, compiled.language)
    assert list(html_tables) == [t["key"] for t in definitions]
    compared = 0
    for index, definition in enumerate(definitions, start=1):
        sheet = workbook.worksheets[index]
        file_rows = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
        page_rows = html_tables[definition["key"]]
        if not file_rows:
            assert len(page_rows) == 1  # "Nothing to report."
            continue
        assert len(page_rows) == len(file_rows), definition["key"]
        for page_row, file_row in zip(page_rows, file_rows, strict=True):
            # The file's first column names the agreement; the page of a one-agreement summary leaves it out.
            for shown, stored in zip(page_row, file_row[1:], strict=True):
                if isinstance(stored, int | float | Decimal) and not isinstance(stored, bool):
                    assert as_number(shown) == Decimal(str(stored)), (definition["key"], shown, stored)
                    compared += 1
                elif stored is None:
                    assert shown == "–"
                else:
                    assert shown == str(stored), (definition["key"], shown, stored)
    assert compared > 50  # the demo portfolio's figures, not empty tables


def test_coordinator_sees_the_narrative_form_and_the_approve_button(compiled, coordinator_client, demo,
                                                                     coordinator):
    from portfolio.models import AgreementAccess

    AgreementAccess.objects.get_or_create(user=coordinator, agreement=demo)
    body = coordinator_client.get(f"/reports/{compiled.pk}/").content.decode()
    assert 'name="key_messages"' in body and f'action="/reports/{compiled.pk}/approve/"' in body
    assert f'lang="{compiled.language}"' in body


def test_steering_member_reads_the_summary_without_the_form(compiled, steering_client):
    response = steering_client.get(f"/reports/{compiled.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-table="overview"' in body
    assert 'name="key_messages"' not in body and "/approve/" not in body
    assert steering_client.post(f"/reports/{compiled.pk}/approve/").status_code == 403
    assert steering_client.post(f"/reports/{compiled.pk}/narrative/", {"key_messages": "x"}).status_code == 403


def test_approving_through_the_page_freezes_it_and_links_it_from_the_meeting(compiled, client, demo,
                                                                            django_capture_on_commit_callbacks):
    from portfolio.models import AgreementAccess

    access = AgreementAccess.objects.filter(agreement=demo, user__groups__name="coordinator").first()
    user = access.user
    client.force_login(user)
    group = SteeringGroup.objects.get(kind=GroupKind.REGIONAL, agreement=demo)
    Meeting.objects.create(group=group, title="Syyskokous", starts_at=timezone.now() + dt.timedelta(days=9),
                           location="Helsinki")
    # The group's next meeting that is not yet held (the demo may have one sooner than ours).
    meeting = (Meeting.objects.filter(group=group, starts_at__gte=timezone.now(), status__in=["planned", "published"])
               .order_by("starts_at").first())
    url = f"/reports/{compiled.pk}/"
    response = client.post(url + "approve/")  # no key messages yet: refused, said on the page
    assert response.status_code == 400 and 'id="review-error"' in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the files are made at the commit
        response = client.post(url + "narrative/", {"key_messages": "Kehys riittää.", "risks": "", "asks": ""})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url + "approve/").status_code == 302
    compiled.refresh_from_db()
    assert compiled.review_status in ("approved", "sent") and compiled.approved_by == user
    response = client.post(url + "narrative/", {"key_messages": "Jälkikäteen.", "risks": "", "asks": ""})
    assert response.status_code == 400
    compiled.refresh_from_db()
    assert compiled.key_messages == "Kehys riittää."
    page = client.get(url).content.decode()
    assert 'name="key_messages"' not in page and 'name="reason"' in page  # frozen: a correction instead
    meeting_page = client.get(f"/governance/meetings/{meeting.pk}/").content.decode()
    assert f'href="/reports/{compiled.pk}/"' in meeting_page
    from governance.pdf import minutes_html

    assert f'/reports/{compiled.pk}/"' in minutes_html(meeting=meeting, user=user)  # and in the minutes


def test_a_correction_through_the_page_is_a_new_version(compiled, client, demo, django_capture_on_commit_callbacks):
    from portfolio.models import AgreementAccess

    user = AgreementAccess.objects.filter(agreement=demo, user__groups__name="coordinator").first().user
    client.force_login(user)
    url = f"/reports/{compiled.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url + "narrative/", {"key_messages": "Kehys riittää.", "risks": "", "asks": ""})
    client.post(url + "approve/")
    assert client.post(url + "correct/", {"reason": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url + "correct/", {"reason": "Väärä luku."})
    new = SummaryReport.objects.get(correction_of=compiled)
    assert response.status_code == 302 and response["Location"] == f"/reports/{new.pk}/"
    page = client.get(f"/reports/{new.pk}/").content.decode()
    assert "Väärä luku." in page and f'href="{url}"' in page


def test_the_page_polls_while_the_files_are_made_and_shows_a_failure(compiled, client, demo, steering_client,
                                                                     monkeypatch, django_capture_on_commit_callbacks):
    from portfolio.models import AgreementAccess
    from reporting import rendering

    user = AgreementAccess.objects.filter(agreement=demo, user__groups__name="coordinator").first().user
    client.force_login(user)
    url = f"/reports/{compiled.pk}/"
    response = client.post(url + "narrative/", {"key_messages": "Kehys riittää.", "risks": "", "asks": ""})
    assert response.status_code == 302  # the task runs at the commit, which this test's transaction holds back
    page = client.get(url).content.decode()
    assert f'hx-get="{url}status/?approve=1"' in page
    assert f'href="{url}download/pdf/"' not in page  # no files without the narrative just saved
    status = client.get(url + "status/", HTTP_HX_REQUEST="true")
    assert status.status_code == 200 and "Kehys riittää" not in status.content.decode()
    assert 'href="/reports/' not in status.content.decode()
    assert client.post(url + "approve/").status_code == 400  # not until the files are made

    def broken(snapshot, language):  # type: ignore[no-untyped-def]
        raise ValueError("font missing")

    real = rendering.render_all
    monkeypatch.setattr(rendering, "render_all", broken)
    from reporting.services import summary_files_make

    summary_files_make(report_id=compiled.pk)
    status = client.get(url + "status/", HTTP_HX_REQUEST="true")
    body = status.content.decode()
    assert status.status_code == 286 and "font missing" in body and f'action="{url}files/again/"' in body
    reader = steering_client.get(url + "status/", HTTP_HX_REQUEST="true").content.decode()
    assert "font missing" in reader and "files/again/" not in reader  # only the reviewers make them again
    assert steering_client.post(url + "files/again/").status_code == 403

    monkeypatch.setattr(rendering, "render_all", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url + "files/again/").status_code == 302
    status = client.get(url + "status/", HTTP_HX_REQUEST="true")
    assert status.status_code == 286 and f'href="{url}download/pdf/"' in status.content.decode()


def test_while_the_files_are_made_again_downloads_and_approval_wait(compiled, client, demo, steering_client,
                                                                     django_capture_on_commit_callbacks):
    """Defect: while the files were made again with a newer narrative, the download links (web and API)
    still served the older files without it, and the approve button was offered (then refused)."""
    from portfolio.models import AgreementAccess
    from reporting.services import summary_files_make

    user = AgreementAccess.objects.filter(agreement=demo, user__groups__name="coordinator").first().user
    client.force_login(user)
    url = f"/reports/{compiled.pk}/"
    assert client.get(url + "download/csv/").status_code == 200  # before any narrative: the compiled files
    assert client.post(url + "narrative/", {"key_messages": "Uusi viesti.", "risks": "", "asks": ""}).status_code == 302
    response = client.get(url + "download/csv/", follow=True)
    assert response.redirect_chain == [(url, 302)]
    page = response.content.decode()
    assert "The files are being made again with the narrative last saved" in page
    assert 'name="approve"' not in page and "can be approved when its files with the narrative are ready" in page
    api = client.get(f"/api/v1/reports/{compiled.pk}/files/csv/", HTTP_ACCEPT="application/json")
    assert api.status_code == 409 and "files_state: making" in api.json()["detail"]
    assert steering_client.get(url + "download/csv/").status_code == 302  # every reader alike

    # The poll of a page with the approve area swaps the button in once the files are ready.
    waiting = client.get(url + "status/?approve=1", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="approve-area" class="mt-3" hx-swap-oob="true"' in waiting and 'name="approve"' not in waiting
    summary_files_make(report_id=compiled.pk)
    ready = client.get(url + "status/?approve=1", HTTP_HX_REQUEST="true")
    assert ready.status_code == 286 and 'hx-swap-oob="true"' in ready.content.decode()
    assert 'name="approve"' in ready.content.decode()
    assert "hx-swap-oob" not in client.get(url + "status/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-swap-oob" not in steering_client.get(url + "status/?approve=1", HTTP_HX_REQUEST="true").content.decode()
    csv = client.get(url + "download/csv/")
    assert csv.status_code == 200 and "Uusi viesti." in b"".join(csv.streaming_content).decode("utf-8-sig")
    assert client.get(f"/api/v1/reports/{compiled.pk}/files/csv/").status_code == 200

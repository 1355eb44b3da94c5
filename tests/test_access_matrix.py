"""The generated role × object matrix (issue 11 defect 2, issue 19).

Every URL pattern of `get_resolver()` (the admin aside: superusers only, see test_security.py) is filled
with real objects of TWO agreements and opened by every role:

- coordinator of agreement A, coordinator of agreement B, steering-group member of A, ministry, a
  signed-in user with no portal role, anonymous.

(a) Status: anonymous is sent to sign in (or 401/403); an object the user may not see answers exactly as a
    non-existent id does (404, or 405 for a POST-only URL) — never 200, never 403, never 500.
(b) Content: every page a user may open (HTML, htmx partials, JSON, CSV/XLSX/ICS/PDF downloads) is
    scanned for the codes and titles of the other agreement's undecided projects, its ideas, proposals
    and meetings: none may appear.

Also: every API filter that takes an id answers a foreign (invisible) id exactly as a non-existent id.

The number of URL × role × agreement cases is printed at the end of the run (tests/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from followup.models import ProgressReport, ProgressReportAttachment
from funding.models import EuraImport, FundingDecision
from governance.choices import GroupKind, MeetingStatus, MemberRole, ProposalStatus
from governance.models import (
    Decision,
    Meeting,
    Membership,
    ProjectIdea,
    Proposal,
    ProposalAttachment,
    SteeringGroup,
)
from portfolio.models import (
    Agreement,
    MethodCategory,
    Organisation,
    Priority,
    Project,
    ProjectAttachment,
    ProjectContact,
)
from reporting.models import PortfolioImport, SummaryDelivery, SummaryReport
from tests.factories import (
    FundingFrameFactory,
    FundingLineFactory,
    OrganisationFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# URLs anyone may open (same list as test_security.py) and the admin (superusers only).
PUBLIC_PREFIXES = ("accounts/login/", "accounts/logout/", "admin/", "i18n/", "healthz", "static/", "media/",
                   "api/schema/", "api/docs/")
# Public without sign-in by law (the list of operations, Regulation (EU) 2021/1060, Art. 49(3)): an anonymous
# user gets the page, and the page is still scanned for every side's undecided projects like any other.
PUBLIC_PAGES = ("/open-data/",)
UNDECIDED_PROJECT_STATUSES = ("idea", "proposal", "rejected", "withdrawn")
FILE_FORMATS = ("pdf", "xlsx", "csv", "json")
NONEXISTENT = 987654321


# --- the world: two agreements with undecided and decided work --------------------------------------------

@dataclass
class Side:
    """One agreement's objects; `hidden` are those another agreement's users must not see at all,
    `secrets` the strings that must never appear on their pages."""

    label: str
    agreement: Agreement
    objects: dict[type[models.Model], list[models.Model]] = field(default_factory=dict)
    hidden: set[tuple[type[models.Model], int]] = field(default_factory=set)
    secrets: set[str] = field(default_factory=set)

    def add(self, obj: models.Model, *, hidden: bool) -> models.Model:
        self.objects.setdefault(type(obj), []).append(obj)
        if hidden:
            self.hidden.add((type(obj), obj.pk))
        return obj


def _project(side: Side, tag: str, status: str) -> Project:
    code = f"ZQ{tag}-{status.upper()}"
    title = f"Zq{tag} {status} salainen hanke"
    project = ProjectFactory(agreement=side.agreement, code=code, title=title, title_fi=title,
                             title_sv=f"{title} sv", title_en=f"{title} en", status=status,
                             lead_organisation=OrganisationFactory())
    return project


def _build_side(tag: str, agreement: Agreement, group: SteeringGroup, recorder: Any) -> Side:
    side = Side(tag, agreement)
    side.add(agreement, hidden=False)
    side.add(group, hidden=True)
    side.secrets.add(group.name)
    now = timezone.now()
    for status in UNDECIDED_PROJECT_STATUSES:
        project = side.add(_project(side, tag, status), hidden=True)
        side.secrets |= {project.code, project.title_fi, project.title_sv, project.title_en}
        attachment = ProjectAttachment.objects.create(
            project=project, file=ContentFile(b"secret", name="a.pdf"), original_name=f"zq{tag}-{status}.pdf",
            content_type="application/pdf", size=6)
        side.add(attachment, hidden=True)
        side.add(FundingLineFactory(project=project, year=2026), hidden=True)
        ProjectContact.objects.create(project=project, user=UserFactory(username=f"zq{tag}-contact-{status}"))
        if status in ("idea", "proposal"):
            idea = ProjectIdea.objects.create(project=project, need=f"zq{tag}-{status}-need",
                                              notes=f"zq{tag}-{status}-notes")
            side.add(idea, hidden=True)
            side.secrets |= {idea.need, idea.notes}
    # A decided project: public facts (code, title, funding) but its proposals and meetings are internal.
    public = ProjectFactory(agreement=agreement, code=f"PUB{tag}-1", title=f"Julkinen {tag}",
                            title_fi=f"Julkinen {tag}", status="running", lead_organisation=OrganisationFactory())
    side.add(public, hidden=False)
    ProjectContact.objects.create(project=public, user=UserFactory(username=f"pub{tag}-contact"))
    side.add(FundingLineFactory(project=public, year=2025), hidden=False)
    # The funding authority's decision on it is read by whoever sees the project.
    side.add(FundingDecision.objects.create(project=public, decided_on=dt.date(2025, 3, 1),
                                            reference=f"UUDELY/{tag}/2025"), hidden=False)
    # Its preparation record (need, coordinator's notes) stays internal to the agreement.
    prepared = ProjectIdea.objects.create(project=public, stage="proposal", need=f"zq{tag}-public-need",
                                          notes=f"zq{tag}-public-notes")
    side.add(prepared, hidden=True)
    side.secrets |= {prepared.need, prepared.notes}
    public_attachment = ProjectAttachment.objects.create(
        project=public, file=ContentFile(b"public", name="b.pdf"), original_name=f"pub{tag}.pdf",
        content_type="application/pdf", size=6)
    side.add(public_attachment, hidden=False)
    side.add(FundingFrameFactory(agreement=agreement, year=2026), hidden=False)
    # A EURA export and its reconciliation: the agreement's coordinators only.
    eura_import = EuraImport.objects.create(agreement=agreement, exported_on=dt.date(2026, 6, 30),
                                            file_name=f"zq{tag}-eura.csv", rows=[
                                                {"row": 2, "code": f"ZQ{tag}EURA", "approved_total": "1.00",
                                                 "support": "1.00", "paid": "0.00"}])
    side.add(eura_import, hidden=True)
    side.secrets |= {eura_import.file_name, f"ZQ{tag}EURA"}
    # A checked spreadsheet import: the agreement's coordinators only.
    portfolio_import = PortfolioImport.objects.create(
        agreement=agreement, file=ContentFile(b"x", name="i.csv"), original_name=f"zq{tag}-import.csv",
        status="checked", report={"problems": [], "rows": [], "counts": {}}, uploaded_by=recorder)
    side.add(portfolio_import, hidden=True)
    side.secrets |= {portfolio_import.original_name}
    # Follow-up rows: of the undecided projects internal, of the decided one public.
    for n, project in enumerate(side.objects[Project]):
        hidden = project.status != "running"
        _followup_rows(side, tag, n, project, hidden=hidden)

    meetings = {}
    for status in (MeetingStatus.PLANNED, MeetingStatus.HELD):
        meeting = Meeting.objects.create(group=group, title=f"Zq{tag} {status} kokous",
                                         starts_at=now + dt.timedelta(days=10 if status == "planned" else -3),
                                         status=status, minutes=f"zq{tag}-{status}-minutes")
        meetings[status] = side.add(meeting, hidden=True)
        side.secrets |= {meeting.title, meeting.minutes}
    idea_project = side.objects[Project][0]
    proposal_project = side.objects[Project][1]
    for status, project, meeting in (
        (ProposalStatus.DRAFT, idea_project, None),
        (ProposalStatus.SUBMITTED, proposal_project, None),
        (ProposalStatus.ON_AGENDA, proposal_project, meetings[MeetingStatus.PLANNED]),
        (ProposalStatus.DECIDED, public, meetings[MeetingStatus.HELD]),
    ):
        proposal = Proposal.objects.create(project=project, title=f"Zq{tag} {status} esitys", status=status,
                                           meeting=meeting, plan=f"zq{tag}-{status}-plan")
        side.add(proposal, hidden=True)
        side.secrets |= {proposal.title, proposal.plan}
        side.add(ProposalAttachment.objects.create(
            proposal=proposal, file=ContentFile(b"secret", name="p.pdf"), original_name=f"zq{tag}-{status}.pdf",
            content_type="application/pdf", size=6), hidden=True)
        if status == ProposalStatus.DECIDED:
            decision = Decision.objects.create(proposal=proposal, meeting=meeting, outcome="approved",
                                               rationale=f"zq{tag}-rationale", decided_at=meeting.starts_at,
                                               recorded_by=recorder)
            side.add(decision, hidden=True)
            side.secrets.add(decision.rationale)
    report = SummaryReport.objects.create(
        audience="steering", agreement=agreement, period="2026-Q1", period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31), status="done", progress=100)
    for name in ("pdf_file", "xlsx_file", "csv_file", "json_file"):
        getattr(report, name).save(f"r.{name[:-5]}", ContentFile(f"zq{tag}-report".encode()), save=False)
    report.save()
    side.add(report, hidden=True)
    side.secrets.add(f"zq{tag}-report")
    # The action plan: a theme (edited by the agreement's coordinators only) and an annex version (read by
    # those who work on the agreement).
    from portfolio.models import Theme
    from reporting.models import ActionPlanVersion

    side.add(Theme.objects.create(agreement=agreement, slug=f"zq{tag}-theme", name=f"Zq{tag} teema",
                                  name_fi=f"Zq{tag} teema", priority=agreement.priorities.get(code=1)), hidden=True)
    annex = ActionPlanVersion(agreement=agreement, number=1, created_at=now, created_by=recorder,
                              reason=f"zq{tag}-annex-reason", snapshot={"priorities": []}, state="ready")
    for language in ("fi", "sv", "en"):
        annex.pdf(language).save(f"annex-{language}.pdf", ContentFile(f"zq{tag}-annex".encode()), save=False)
    annex.save()
    side.add(annex, hidden=True)
    side.secrets |= {f"zq{tag}-annex", f"zq{tag}-annex-reason"}
    # Its delivery log (issue 18): a failed e-mail to one of its readers, retried by the coordinators.
    SummaryDelivery.objects.create(report=report, email=f"zq{tag}-reader@example.invalid", status="failed",
                                   error="550", queued_at=timezone.now())
    side.secrets.add(f"zq{tag}-reader@example.invalid")
    _model("reporting.SummaryRecipient").objects.create(group=group, email=f"zq{tag}-extra@example.invalid",
                                                        added_by=recorder, added_at=timezone.now())
    side.secrets.add(f"zq{tag}-extra@example.invalid")
    # Progress reports: of an undecided project (hidden with it), and of the decided one (read by whoever sees
    # the project).
    hidden_report = ProgressReport.objects.create(
        project=idea_project, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 6, 30),
        due_date=dt.date(2026, 8, 29), done=f"zq{tag}-progress-done", risks=f"zq{tag}-progress-risks")
    side.add(hidden_report, hidden=True)
    side.secrets |= {hidden_report.done, hidden_report.risks}
    side.add(ProgressReportAttachment.objects.create(
        report=hidden_report, file=ContentFile(b"secret", name="r.pdf"), original_name=f"zq{tag}-progress.pdf",
        content_type="application/pdf", size=6), hidden=True)
    side.secrets.add(f"zq{tag}-progress.pdf")
    public_report = side.add(ProgressReport.objects.create(
        project=public, period_start=dt.date(2025, 7, 1), period_end=dt.date(2025, 12, 31),
        due_date=dt.date(2026, 3, 1), done=f"Julkinen {tag} eteni."), hidden=False)
    side.add(ProgressReportAttachment.objects.create(
        report=public_report, file=ContentFile(b"public", name="r.pdf"), original_name=f"pub{tag}-progress.pdf",
        content_type="application/pdf", size=6), hidden=False)
    return side


def _followup_rows(side: Side, tag: str, n: int, project: Project, *, hidden: bool) -> None:
    from followup.models import Enterprise, Indicator, IndicatorTarget, IndicatorValue, Milestone, ProjectEnterprise
    from followup.tests.factories import valid_business_id

    indicator = Indicator.objects.get(code="HEV02")
    side.add(IndicatorTarget.objects.create(project=project, indicator=indicator, target_value=5), hidden=hidden)
    side.add(IndicatorValue.objects.create(project=project, indicator=indicator, period_end=dt.date(2024, 6, 30),
                                           value=2, source_note=f"zq{tag}-{n}-source"), hidden=hidden)
    enterprise = Enterprise.objects.create(business_id=valid_business_id(500 + n + (50 if tag == "b" else 0)),
                                           name=f"Zq{tag}{n} yritys", size_class="small")
    side.add(enterprise, hidden=hidden)
    side.add(ProjectEnterprise.objects.create(project=project, enterprise=enterprise, relation="grant",
                                              date=dt.date(2024, 6, 1)), hidden=hidden)
    side.add(Milestone.objects.create(project=project, title=f"Zq{tag}{n} valitavoite",
                                      planned_date=dt.date(2025, 1, 1), note=f"zq{tag}-{n}-note"), hidden=hidden)
    if hidden:
        side.secrets |= {f"zq{tag}-{n}-source", f"Zq{tag}{n} yritys", f"Zq{tag}{n} valitavoite", f"zq{tag}-{n}-note"}


@dataclass
class World:
    a: Side
    b: Side
    users: dict[str, Any]  # role label -> user or None (anonymous)
    # Which side's hidden objects each role must not see (ministry sees all; no-role users see nothing).
    foreign: dict[str, list[Side]]


@pytest.fixture
def world(agreement, other_agreement, coordinator, other_coordinator, steering_member, ministry_user,
          plain_user) -> World:
    group_a = SteeringGroup.objects.get(kind=GroupKind.REGIONAL, agreement=agreement)
    group_a.name = "Zqa johtoryhma"
    group_a.save()
    group_b = SteeringGroup.objects.create(kind=GroupKind.REGIONAL, agreement=other_agreement,
                                           name="Zqb johtoryhma")
    Membership.objects.create(group=group_b, user=other_coordinator, role=MemberRole.MEMBER)
    a = _build_side("a", agreement, group_a, steering_member)
    b = _build_side("b", other_agreement, group_b, other_coordinator)
    from followup.tests.factories import make_contact

    # A project contact of A's decided project: every internal object of A, as of B, is foreign to them.
    contact = make_contact(a.objects[Project][-1], username="contact-a")
    # Personal API tokens: each side's coordinator has one, whose name nobody else may see.
    from portfolio.services import api_token_create

    for side, owner, tag in ((a, coordinator, "a"), (b, other_coordinator, "b")):
        side.add(api_token_create(user=owner, name=f"zq{tag}-token", expires_in_days=30).token, hidden=True)
        side.secrets.add(f"zq{tag}-token")
    # Notifications inside the portal: each side's coordinator has one, which nobody else may read.
    from portfolio.models import SavedView
    from portfolio.notifications import notify

    for side, owner, tag in ((a, coordinator, "a"), (b, other_coordinator, "b")):
        notify(users=[owner], kind="agenda_published", params={"meeting": f"zq{tag}-notice"}, url="/")
        side.add(owner.notifications.get(), hidden=True)
        side.secrets.add(f"zq{tag}-notice")
        side.add(SavedView.objects.create(user=owner, name=f"zq{tag}-view", query="status=running"), hidden=True)
        side.secrets.add(f"zq{tag}-view")
    users = {"coordinator A": coordinator, "coordinator B": other_coordinator, "steering A": steering_member,
             "contact A": contact, "ministry": ministry_user, "no role": plain_user, "anonymous": None}
    foreign = {"coordinator A": [b], "coordinator B": [a], "steering A": [b], "contact A": [a, b], "ministry": [],
               "no role": [a, b], "anonymous": [a, b]}
    return World(a, b, users, foreign)


# --- the URL patterns --------------------------------------------------------------------------------------

def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


_PARAM = re.compile(r"<(?:\w+:)?(?P<a>\w+)>|\(\?P<(?P<b>\w+)>[^)]*\)")

# The model behind a route's first path parameter, by route prefix (first match wins). A new URL with
# parameters fails `test_every_url_pattern_is_in_the_matrix` until it is listed here.
MAIN_MODEL = [
    ("accounts/tokens/", "portfolio.ApiToken"),
    ("projects/organisations/", Organisation),
    ("action-plan/themes/", "portfolio.Theme"),
    ("action-plan/annex/", "reporting.ActionPlanVersion"),
    ("notifications/", "portfolio.Notification"),  # per user: see portfolio/tests/test_notifications.py
    ("projects/views/", "portfolio.SavedView"),  # per user: see portfolio/tests/test_project_list.py
    ("projects/", Project),
    ("funding/frames/", "funding.FundingFrame"),
    ("funding/projects/", Project),
    ("funding/eura/", "funding.EuraImport"),
    ("governance/proposals/", Proposal),
    ("governance/meetings/", Meeting),
    ("governance/decisions/", Decision),
    ("governance/groups/", SteeringGroup),
    ("governance/ideas/", ProjectIdea),
    ("reports/import/", "reporting.PortfolioImport"),
    ("reports/recipients/", SteeringGroup),
    ("reports/", SummaryReport),
    ("followup/reports/", ProgressReport),
    ("followup/projects/", Project),
    ("followup/targets/", "followup.IndicatorTarget"),
    ("followup/values/", "followup.IndicatorValue"),
    ("followup/enterprise-links/", "followup.ProjectEnterprise"),
    ("followup/milestones/", "followup.Milestone"),
    ("api/v1/agreements/", Agreement),
    ("national/", Agreement),  # the national view's page of one agreement (issue 13)
    ("api/v1/^indicators/", "followup.Indicator"),
    ("api/v1/^indicator-values/", "followup.IndicatorValue"),
    ("api/v1/^enterprises/", "followup.Enterprise"),
    ("api/v1/^milestones/", "followup.Milestone"),
    ("api/v1/^agreements/", Agreement),
    ("api/v1/^priorities/", Priority),
    ("api/v1/^method-categories/", MethodCategory),
    ("api/v1/^organisations/", Organisation),
    ("api/v1/^projects/", Project),
    ("api/v1/^funding-lines/", "funding.FundingLine"),
    ("api/v1/^funding-frames/", "funding.FundingFrame"),
    ("api/v1/^funding-decisions/", "funding.FundingDecision"),
    ("api/v1/^proposals/", Proposal),
    ("api/v1/^meetings/", Meeting),
    ("api/v1/^decisions/", Decision),
    ("api/v1/^reports/", SummaryReport),
    ("api/v1/^progress-reports/", ProgressReport),
]


def _model(ref: Any) -> type[models.Model]:
    from django.apps import apps

    return apps.get_model(ref) if isinstance(ref, str) else ref


def _routes() -> list[str]:
    routes = []
    for route, _pattern in _walk(get_resolver().url_patterns):
        if route.startswith(PUBLIC_PREFIXES) or route in ("saavutettavuus/", "tillganglighet/", "accessibility/"):
            continue
        if route.endswith("^.*$"):  # the API's JSON 404 for unknown URLs
            continue
        routes.append(route)
    return routes


def _fill(route: str, values: dict[str, Any]) -> str:
    def sub(match: re.Match[str]) -> str:
        return str(values[match.group("a") or match.group("b")])

    url = _PARAM.sub(sub, route).replace("^", "").replace("$", "")
    return "/" + url


def _main_model(route: str) -> type[models.Model]:
    for prefix, ref in MAIN_MODEL:
        if route.startswith(prefix):
            return _model(ref)
    raise AssertionError(f"{route}: no model for its parameters; add it to MAIN_MODEL")


def _params(route: str) -> list[str]:
    return [m.group("a") or m.group("b") for m in _PARAM.finditer(route)]


@dataclass
class Case:
    url: str
    side: Side | None  # None: a non-existent id
    obj: models.Model | None


def _children(route: str, obj: models.Model) -> list[dict[str, Any]]:
    """Values of the parameters after the first one, derived from the object."""
    names = _params(route)[1:]
    if not names:
        return [{}]
    if names == ["attachment_pk"]:
        attachments = obj.attachments.all() if hasattr(obj, "attachments") else []
        return [{"attachment_pk": a.pk} for a in attachments[:1]] or [{"attachment_pk": NONEXISTENT}]
    if names == ["file_format"]:
        return [{"file_format": f} for f in FILE_FORMATS]
    if names == ["language"]:  # an annex version's PDF in each language
        return [{"language": language} for language in ("fi", "sv", "en")]
    if names == ["project_pk"]:
        projects = list(Project.objects.filter(agreement=obj.agreement)[:1]) if hasattr(obj, "agreement") else []
        return [{"project_pk": p.pk} for p in projects] or [{"project_pk": NONEXISTENT}]
    if names == ["contact_pk"]:
        contacts = list(obj.contacts.all()[:1]) if isinstance(obj, Project) else []
        return [{"contact_pk": c.pk} for c in contacts] or [{"contact_pk": NONEXISTENT}]
    if names == ["action"]:
        return [{"action": "submit"}]
    if names == ["proposal_pk"]:
        proposals = list(obj.proposals.all()[:1]) if isinstance(obj, Meeting) else []
        return [{"proposal_pk": p.pk} for p in proposals] or [{"proposal_pk": NONEXISTENT}]
    if names == ["recipient_pk"]:  # a group's additional summary recipients (issue 18)
        recipients = list(_model("reporting.SummaryRecipient").objects.filter(group=obj)[:1]) \
            if isinstance(obj, SteeringGroup) else []
        return [{"recipient_pk": r.pk} for r in recipients] or [{"recipient_pk": NONEXISTENT}]
    if names == ["membership_pk"]:  # a group's members' language of their summary e-mails (issue 18)
        seats = list(obj.memberships.order_by("pk")[:1]) if isinstance(obj, SteeringGroup) else []
        return [{"membership_pk": m.pk} for m in seats] or [{"membership_pk": NONEXISTENT}]
    if names in (["delivery_pk"], ["delivery_id"]):  # a summary's delivery log (issue 18)
        deliveries = list(obj.deliveries.all()[:1]) if isinstance(obj, SummaryReport) else []
        return [{names[0]: d.pk} for d in deliveries] or [{names[0]: NONEXISTENT}]
    raise AssertionError(f"{route}: unknown parameters {names}")


def _cases(world: World, route: str) -> list[Case]:
    names = _params(route)
    if not names:
        return [Case(_fill(route, {}), None, None)]
    model = _main_model(route)
    first = names[0]
    cases = []
    for side in (world.a, world.b):
        for obj in side.objects.get(model, []):
            for rest in _children(route, obj):
                cases.append(Case(_fill(route, {first: obj.pk, **rest}), side, obj))
    if model in (Organisation, Priority, MethodCategory, Agreement) or model._meta.label == "followup.Indicator":
        # Shared reference data: one row of each is enough.
        for obj in model.objects.all()[:1]:
            cases.append(Case(_fill(route, {first: obj.pk, **_children(route, obj)[0]}), world.a, obj))
    rest = {name: ("csv" if name == "file_format" else "fi" if name == "language" else NONEXISTENT)
            for name in names[1:]}
    cases.append(Case(_fill(route, {first: NONEXISTENT, **rest}), None, None))
    return cases


# --- reading a response ------------------------------------------------------------------------------------

def _text(response: Any) -> str:
    """Everything a person could read in the response, whatever its format."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind or body[:2] == b"PK":
        try:
            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
            return "\n".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                             for cell in row if cell is not None)
        except Exception:  # noqa: BLE001 - not a workbook after all: scan the bytes
            pass
    if "pdf" in kind or body[:5] == b"%PDF-":
        try:
            import pypdf

            return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(body)).pages)
        except Exception:  # noqa: BLE001 - a stored file that is not a real PDF: scan the bytes
            pass
    text = body.decode("utf-8", errors="replace")
    if "json" in kind:
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


def _is_login_redirect(response: Any) -> bool:
    return response.status_code in (301, 302) and "/login/" in response.get("Location", "")


@dataclass
class Tally:
    cases: int = 0
    problems: list[str] = field(default_factory=list)


def _client(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _scan(tally: Tally, label: str, url: str, response: Any, foreign: list[Side]) -> None:
    if response.status_code != 200 or not foreign:
        return
    text = _text(response)
    for side in foreign:
        found = sorted(s for s in side.secrets if s in text)
        if found:
            tally.problems.append(f"LEAK {label} GET {url}: {side.label}'s {found}")


def _check(tally: Tally, world: World, label: str, client: Client, case: Case, *, status_of_missing: int | None,
           extra: dict[str, str] | None = None) -> int:
    response = client.get(case.url, **(extra or {}))
    tally.cases += 1
    status = response.status_code
    foreign = world.foreign[label]
    where = f"{label} GET {case.url}"
    if status >= 500:
        tally.problems.append(f"{where}: {status}")
    elif label == "anonymous":
        if not (_is_login_redirect(response) or status in (401, 403, 405) or case.url.startswith(PUBLIC_PAGES)):
            tally.problems.append(f"{where}: {status} for an anonymous user")
    elif case.side is not None and case.side in foreign and (type(case.obj), case.obj.pk) in case.side.hidden:
        # Refused before the lookup (403 for everybody without a portal role) tells nothing either.
        allowed = (403, 404, 405) if label == "no role" else (404, 405)
        if status != status_of_missing or status not in allowed:
            tally.problems.append(f"{where}: {status} for a foreign object, {status_of_missing} for a missing one")
    _scan(tally, label, case.url, response, foreign)
    return status


def _foreign_queries(foreign: list[Side]) -> list[str]:
    queries = []
    for side in foreign:
        project = side.objects[Project][0]
        meeting = side.objects[Meeting][0]
        group = side.objects[SteeringGroup][0]
        queries.append(f"project={project.pk}&meeting={meeting.pk}&group={group.pk}")
    return queries


def _run_matrix(world: World) -> Tally:
    tally = Tally()
    routes = _routes()
    assert len(routes) > 80
    for label, user in world.users.items():
        client = _client(user)
        for route in routes:
            cases = _cases(world, route)
            missing = [c for c in cases if c.side is None and _params(route)]
            status_of_missing = None
            if missing:
                status_of_missing = _check(tally, world, label, client, missing[0], status_of_missing=None)
            for case in cases:
                if case in missing:
                    continue
                _check(tally, world, label, client, case, status_of_missing=status_of_missing)
                if not _params(route):
                    # The htmx partial of a list, and the list narrowed to each of the other side's
                    # hidden projects, meetings and groups (a filter must not reveal them either).
                    _check(tally, world, label, client, case, status_of_missing=None,
                           extra={"HTTP_HX_REQUEST": "true"})
                    for query in _foreign_queries(world.foreign[label]):
                        _check(tally, world, label, client, Case(f"{case.url}?{query}", None, None),
                               status_of_missing=None)
    return tally


def test_role_object_matrix_has_no_leak(world, record_property):
    tally = _run_matrix(world)
    record_property("access_matrix_cases", tally.cases)
    record_property("access_matrix_leaks", len(tally.problems))
    assert tally.cases > 1000
    assert tally.problems == [], f"{len(tally.problems)} problems in {tally.cases} cases:\n" + "\n".join(
        tally.problems)


def test_every_url_pattern_is_in_the_matrix(world):
    """A new URL with parameters must be mapped to its model (MAIN_MODEL) so the matrix opens it."""
    for route in _routes():
        cases = _cases(world, route)
        if _params(route):
            assert any(c.side is world.a for c in cases) and any(c.side is world.b for c in cases) \
                or _main_model(route) in (Organisation, Priority, MethodCategory) \
            or _main_model(route)._meta.label == "followup.Indicator", route


# --- defect 2 itself, and controls that show the scan can see a leak ---------------------------------------

def _options(html: str) -> str:
    return "\n".join(re.findall(r"<option[^>]*>[^<]*</option>", html))


def test_proposal_list_filters_offer_no_other_agreements_projects_or_meetings(world):
    """Issue 11 defect 2: the dropdowns of /governance/proposals/ were built from unscoped querysets."""
    options = _options(_client(world.users["coordinator B"]).get("/governance/proposals/").content.decode())
    leaked = sorted(s for s in world.a.secrets if s in options)
    assert leaked == []
    # B's own undecided projects and meetings are offered (the filter still works for B).
    assert "ZQb-IDEA" in options and "Zqb johtoryhma" in options


def test_meeting_list_group_filter_offers_only_visible_groups(world):
    options = _options(_client(world.users["coordinator B"]).get("/governance/meetings/").content.decode())
    assert "Zqa johtoryhma" not in options
    assert "Zqb johtoryhma" in options


def test_the_scan_finds_what_the_owner_and_the_ministry_see(world):
    """Control: the same pages shown to agreement A's coordinator and to the ministry do contain A's codes
    and titles, so an empty scan means hidden, not absent."""
    for label in ("coordinator A", "ministry"):
        page = _client(world.users[label]).get("/governance/proposals/").content.decode()
        assert "ZQa-IDEA" in page and "Zqa submitted esitys" in page, label
        tally = Tally()
        response = _client(world.users[label]).get("/governance/proposals/")
        _scan(tally, "coordinator B", "/governance/proposals/", response, [world.a])
        assert tally.problems, label


# --- API filters that take an id: a foreign id answers as a non-existent one -------------------------------

def _api_id_filters() -> list[tuple[str, str, type[models.Model], str | None]]:
    """(list URL, filter name, model, to_field_name) of every ModelChoiceFilter of every API list."""
    import django_filters

    found = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/") or _params(route) or route.endswith("^.*$"):
            continue
        view = getattr(pattern.callback, "cls", None)
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is None:
            continue
        for name, f in filterset_class.base_filters.items():
            if isinstance(f, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter):
                found.append((_fill(route, {}), name, f.queryset.model, f.extra.get("to_field_name")))
    return found


def _answer(response: Any) -> tuple[int, Any]:
    body = response.json()
    if isinstance(body, dict):
        body.pop("request_id", None)
    return response.status_code, body


def test_api_id_filters_do_not_tell_whether_a_foreign_id_exists(world):
    filters_ = _api_id_filters()
    names = {(url, name) for url, name, _, _ in filters_}
    # The lists named in the issue are among them (so the walk found the filtersets at all).
    assert {("/api/v1/proposals/", "project"), ("/api/v1/funding-lines/", "project"),
            ("/api/v1/proposals/", "meeting"), ("/api/v1/meetings/", "group")} <= names
    scoped = {Project, Meeting, SteeringGroup}
    # Every other model an API filter takes an id of is public reference data of every portal user.
    assert {model for _, _, model, _ in filters_} - scoped <= {Agreement, Organisation,
                                                               _model("portfolio.Theme")}
    checked = 0
    for label in ("coordinator B", "coordinator A", "steering A"):
        client = _client(world.users[label])
        for url, name, model, to_field in filters_:
            missing = _answer(client.get(url, {name: NONEXISTENT if to_field is None else "zq-missing"}))
            assert missing[0] == 400, (label, url, name, missing)
            for side in world.foreign[label]:
                for obj in side.objects.get(model, []):
                    if (model, obj.pk) not in side.hidden:
                        continue
                    value = obj.pk if to_field is None else getattr(obj, to_field)
                    foreign = _answer(client.get(url, {name: value}))
                    assert foreign == missing, (label, url, name, obj, foreign, missing)
                    checked += 1
    assert checked >= 3 * 17  # 3 users × (4 projects × 3 lists + 2 meetings × 2 lists + 1 group)


# --- the rule itself: every choice queryset is scoped or public reference data ------------------------------

def test_a_model_filter_without_visible_to_is_refused():
    import django_filters
    from django.core.exceptions import ImproperlyConfigured

    from portfolio.filters import VisibleChoicesFilterSet

    class Leaky(VisibleChoicesFilterSet):
        report = django_filters.ModelChoiceFilter(queryset=_model("reporting.ReportDownload").objects.all())

        class Meta:
            model = SummaryReport
            fields = ["report"]

    with pytest.raises(ImproperlyConfigured):
        Leaky({}, queryset=SummaryReport.objects.none())


def test_every_filterset_and_form_choice_starts_from_visible_to_or_is_reference_data():
    """Filters: every FilterSet of the apps derives from VisibleChoicesFilterSet. Forms: a choice field
    declared with a queryset names public reference data; any other is set per request by the view
    (queryset=None in the class), from visible_to(user)."""
    import importlib
    import inspect

    import django_filters
    from django import forms

    from portfolio.filters import PUBLIC_CHOICE_MODELS, VisibleChoicesFilterSet

    for module_name in ("portfolio.filters", "portfolio.api.filters", "funding.filters", "governance.filters",
                        "governance.api.filters", "reporting.filters", "reporting.api.filters"):
        module = importlib.import_module(module_name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, django_filters.FilterSet) and cls.__module__ == module_name:
                assert issubclass(cls, VisibleChoicesFilterSet), f"{module_name}.{name}"
    for module_name in ("portfolio.forms", "funding.forms", "governance.forms", "reporting.forms"):
        module = importlib.import_module(module_name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not (issubclass(cls, forms.BaseForm) and cls.__module__ == module_name):
                continue
            for field_name, f in cls.base_fields.items():
                if isinstance(f, forms.ModelChoiceField) and f.queryset is not None:
                    label = f.queryset.model._meta.label_lower
                    assert label in PUBLIC_CHOICE_MODELS or label == "portfolio.agreement" and \
                        not f.queryset.exists(), f"{module_name}.{name}.{field_name}: {label}"

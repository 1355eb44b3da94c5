"""`seed_demo`: the demo users of the contract and a small, realistic example portfolio. Idempotent: rows
are found by their natural keys and only changed values are written. Never run in production."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from funding.models import FundingDecision, FundingFrame, FundingInstrument, SpendingEntry
from funding.services import funding_decision_record, funding_line_upsert, spending_entry_record
from governance.choices import (
    IDEA_STAGE_OF_STATUS,
    DecisionMethod,
    DecisionOutcome,
    GroupKind,
    IdeaStage,
    MeetingStatus,
    MemberRole,
    ProposalStatus,
)
from governance.models import (
    Decision,
    DecisionFundingLine,
    Meeting,
    Membership,
    ProjectIdea,
    Proposal,
    ProposalFundingLine,
    SteeringGroup,
)
from portfolio.data import demo
from portfolio.models import (
    Agreement,
    AgreementAccess,
    MethodCategory,
    Organisation,
    Priority,
    Project,
    ProjectPartner,
    Theme,
)
from portfolio.roles import Role
from portfolio.services import agreement_load
from portfolio.upsert import in_data_language, translated, upsert
from portfolio.validators import business_id_check_digit

CENT = Decimal("0.01")
TODAY_YEAR = 2026  # the demo's "now": past years are spent, the current year partly


def _demo_business_id(seed: int) -> str:
    n = 3_100_000 + seed * 7
    while True:
        body = f"{n:07d}"
        check = business_id_check_digit(body)
        if check is not None:
            return f"{body}-{check}"
        n += 1


def _user(username: str, *, first: str, last: str, role: str | None = None, superuser: bool = False,
          can_login: bool = True) -> object:
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={
        "first_name": first, "last_name": last, "email": f"{username}@demo.invalid",
        "is_staff": superuser, "is_superuser": superuser,
    })
    if created:
        if can_login:
            user.set_password(settings.DEMO_PASSWORD)
        else:
            user.set_unusable_password()
        user.save()
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@in_data_language
@transaction.atomic
def demo_seed() -> dict[str, int]:
    seeded_from = timezone.now()
    result = _demo_seed()
    _date_demo_history(since=seeded_from)
    _date_demo_reports(since=seeded_from)
    return result


# The demo's change history is dated at the start of the programme period, as if the portfolio had been
# entered then: a summary of any past period (figures as of its end, docs/as-of.md) shows the demo as seeded.
DEMO_HISTORY_DATE = dt.datetime(2021, 1, 1, 9, 0)


def _date_demo_history(*, since: dt.datetime) -> None:
    from funding.models import FundingLine

    moment = DEMO_HISTORY_DATE.replace(tzinfo=timezone.get_default_timezone())
    for model in (Organisation, Project, FundingFrame, FundingLine, ProjectPartner):
        model.history.filter(history_date__gte=since).update(history_date=moment)  # type: ignore[attr-defined]


def _date_demo_reports(*, since: dt.datetime) -> None:
    """The progress reports this run submitted and reviewed, dated as a programme would have done it: each
    submitted halfway between its period's end and its due date, each later step two weeks after the one
    before (never after now). A report's values count from its acceptance, so a summary of a past period
    shows what had been reported and accepted by then."""
    from followup.models import ProgressReport, ProgressReportTransition, ReviewState

    now = timezone.now()
    tz = timezone.get_default_timezone()
    steps = ProgressReportTransition.objects.filter(at__gte=since).order_by("report_id", "at", "pk")
    by_report: dict[int, list[Any]] = {}
    for step in steps:
        by_report.setdefault(step.report_id, []).append(step)
    for report in ProgressReport.objects.filter(pk__in=by_report).order_by("pk"):
        halfway = report.period_end + (max(report.due_date, report.period_end) - report.period_end) / 2
        moments = []
        for index, step in enumerate(by_report[report.pk]):
            moment = dt.datetime.combine(halfway + dt.timedelta(days=14 * index), dt.time(10, 0), tzinfo=tz)
            moments.append(min(moment, now - dt.timedelta(minutes=len(by_report[report.pk]) - index)))
            ProgressReportTransition.objects.filter(pk=step.pk).update(at=moments[-1])
        submitted = [m for m, step in zip(moments, by_report[report.pk], strict=True)
                     if step.to_state == ReviewState.SUBMITTED]
        reviewed = [m for m, step in zip(moments, by_report[report.pk], strict=True)
                    if step.to_state in (ReviewState.ACCEPTED, ReviewState.RETURNED)]
        ProgressReport.objects.filter(pk=report.pk).update(
            submitted_at=submitted[-1] if submitted and report.submitted_at else report.submitted_at,
            reviewed_at=reviewed[-1] if reviewed and report.reviewed_at else report.reviewed_at)


def _demo_seed() -> dict[str, int]:
    agreement = agreement_load().agreement
    users = {
        "coordinator": _user("coordinator", first="Kaisa", last="Koordinaattori", role=Role.COORDINATOR),
        "steering": _user("steering", first="Juha", last="Johtoryhmä", role=Role.STEERING),
        "ministry": _user("ministry", first="Mirja", last="Ministeriö", role=Role.MINISTRY),
        "admin": _user("admin", first="Aino", last="Ylläpitäjä", superuser=True),
        "jr-espoo": _user("jr-espoo", first="Erkki", last="Espoolainen", role=Role.STEERING, can_login=False),
        "jr-vantaa": _user("jr-vantaa", first="Veera", last="Vantaalainen", role=Role.STEERING, can_login=False),
    }
    AgreementAccess.objects.get_or_create(user=users["coordinator"], agreement=agreement)

    group = SteeringGroup.objects.get(kind=GroupKind.REGIONAL, agreement=agreement)
    national = SteeringGroup.objects.get(kind=GroupKind.NATIONAL)
    for key, role in (("steering", MemberRole.CHAIR), ("jr-espoo", MemberRole.MEMBER),
                      ("jr-vantaa", MemberRole.MEMBER)):
        upsert(Membership, {"group": group, "user": users[key]}, {"role": role, "term_start": dt.date(2021, 6, 1)})
    upsert(Membership, {"group": national, "user": users["ministry"]}, {"role": MemberRole.SECRETARY})

    # The annex's example themes, loaded with the agreement (portfolio.data.hev.THEMES).
    themes = {t.slug: t for t in Theme.objects.filter(agreement=agreement)}

    orgs: dict[str, Organisation] = {o.short_name: o for o in Organisation.objects.filter(kind="city")}
    orgs.update({"helsinki": orgs["Helsinki"], "espoo": orgs["Espoo"], "vantaa": orgs["Vantaa"]})
    for i, (fi, en, short, kind, business_id) in enumerate(demo.ORGANISATIONS):
        if business_id == "GEN":
            business_id = _demo_business_id(i)
        lookup = {"business_id": business_id} if business_id else {"short_name": short}
        orgs[short], _ = upsert(Organisation, lookup, {
            **translated("name", {"fi": fi, "sv": fi, "en": en}), "short_name": short, "kind": kind,
            "municipality": "Helsinki",
        })

    priorities = {p.code: p for p in Priority.objects.filter(agreement=agreement)}
    methods = {m.code: m for m in MethodCategory.objects.all()}
    instruments = {i.code: i for i in FundingInstrument.objects.all()}

    for code, years in demo.FRAMES.items():
        for year, amount in years.items():
            upsert(FundingFrame, {"agreement": agreement, "instrument": instruments[code], "year": year}, {
                "amount": Decimal(amount), "decision_reference": f"TEM/{year}/ALUE-{code}",
                "decision_date": dt.date(year - 1, 12, 15) if year > 2021 else dt.date(2021, 3, 1),
            })

    projects: dict[str, Project] = {}
    for n, (title_fi, title_en, prio, method_codes, theme_slugs, lead, partners, status, start, years, yearly) in (
        enumerate(demo.PROJECTS, start=1)
    ):
        code = f"HEV-{n:03d}"
        project, _ = upsert(Project, {"agreement": agreement, "code": code}, {
            "title_fi": title_fi, "title_sv": title_fi, "title_en": title_en,
            "summary_fi": f"{title_fi}: kehittämishanke, joka tukee painopistettä {prio}.",
            "summary_en": f"{title_en}: a development project under priority {prio}.",
            "lead_organisation": orgs[lead], "priority": priorities[prio], "status": status,
            "start_date": dt.date(start, 1, 1), "end_date": dt.date(start + years - 1, 12, 31),
            "internationalisation": "Kansainväliset kumppanit ja vertaisoppiminen EU-kaupunkien kanssa."
            if n % 3 == 0 else "",
            "eura_code": f"A8{n:04d}" if status in ("approved", "running", "closed") else "",
            "coordinator": users["coordinator"],
        })
        project.methods.set([methods[c] for c in method_codes])
        project.themes.set([themes[s] for s in theme_slugs])
        for short in partners:
            upsert(ProjectPartner, {"project": project, "organisation": orgs[short]},
                   {"budget_share": Decimal(yearly * years // 5)})
        _seed_funding(project, status=status, start=start, years=years, yearly=yearly, prio=prio)
        projects[code] = project

    _seed_governance(agreement, group, users, projects, instruments)
    _seed_followup(projects, users["coordinator"])
    _seed_progress_reports(agreement, users)
    _seed_demo_agreements(users)
    return {"projects": Project.objects.filter(agreement=agreement).count()}


def _seed_progress_reports(agreement: Agreement, users: dict) -> None:
    """The demo project contact (`contact`) of the first two running projects, and progress reports in every
    state: past periods accepted, then per project the latest past period returned, submitted or overdue.
    The reports of ``DEMO_REPORT_VALUES`` carry those indicator values (written while a draft, counted once
    accepted).
    Accepted spending equals what the ledger holds already, so the demo's money figures do not move."""
    from followup.models import ReportKind, ReviewState
    from followup.services import (
        progress_report_accept,
        progress_report_return,
        progress_report_submit,
        progress_report_update,
        progress_reports_generate,
    )
    from portfolio.models import ProjectContact

    users["contact"] = contact = _user("contact", first="Hanna", last="Hankevastaava", role=Role.PROJECT_CONTACT)
    coordinator = users["coordinator"]
    today = timezone.localdate()
    scheduled = (Project.objects.filter(agreement=agreement, status__in=("approved", "running", "closed"))
                 .order_by("code"))
    values = report_values(DEMO_REPORT_VALUES)
    contact_projects = [p for p in scheduled if p.status == "running"][:2]
    for project in contact_projects:
        upsert(ProjectContact, {"project": project, "user": contact}, {"organisation": project.lead_organisation})
    for n, project in enumerate(scheduled):
        reports = progress_reports_generate(project=project)
        past = [r for r in reports if r.kind == ReportKind.PERIODIC and r.period_end < today]
        if project.status == "closed":
            past += [r for r in reports if r.kind == ReportKind.FINAL and r.period_end < today]
        writer = contact if project in contact_projects else coordinator
        for i, report in enumerate(past):
            if report.review_state != ReviewState.DRAFT or report.transitions.exists():
                continue
            last = i == len(past) - 1 and project.status != "closed"
            if last and n % 3 == 2:
                continue  # left as an overdue draft
            at_risk = i == 1
            spending = _demo_spending(project, report.period_end.year)
            progress_report_update(report=report, user=writer, spending=spending, data={
                "status": "at_risk" if at_risk else "on_track",
                "status_reason": "Yritysten rekrytointi pilotteihin on hidastunut." if at_risk else "",
                "done": f"Jakson {report.period_label} toimenpiteet: työpajat, pilotit ja viestintä etenivät "
                        "suunnitelman mukaan.",
                "next_steps": "Seuraavan jakson pilottien valmistelu ja tulosten levittäminen.",
                "risks": "Kumppaniyritysten resurssit." if at_risk else "",
            }, indicator_values=values.get((project.code, report.period_start, report.period_end)))
            progress_report_submit(report=report, user=writer)
            if last and n % 3 == 1:
                continue  # submitted, awaiting review
            if last and n % 3 == 0:
                progress_report_return(report=report, user=coordinator,
                                       comment="Lisää kuvaus pilottien tuloksista ja päivitä riskit.")
                continue
            progress_report_accept(report=report, user=coordinator)


def _demo_spending(project: Project, year: int) -> list[dict[str, str]]:
    """Spending to date per instrument of the project: exactly what the ledger holds up to the year."""
    from followup.selectors import recorded_spending_to

    rows = []
    for code, instrument_id in sorted(set(project.funding_lines.values_list("instrument__code", "instrument_id"))):
        amount = recorded_spending_to(project=project, instrument_id=instrument_id, year=year)
        if amount:
            rows.append({"instrument": code, "amount": str(amount)})
    return rows


def _seed_funding(project: Project, *, status: str, start: int, years: int, yearly: int, prio: int) -> None:
    decided = status in ("approved", "running", "closed")
    decision_lines: list[dict] = []
    spending: list[tuple[str, int, Decimal]] = []
    for year in range(start, start + years):
        total = Decimal(yearly)
        support = (total * Decimal("0.60")).quantize(CENT)
        public = (total * Decimal("0.05")).quantize(CENT) if prio == 2 else Decimal("0.00")
        city = total - support - public
        eu_code = "AKKE" if year <= 2023 and start <= 2022 else ("ESF" if prio == 3 and year >= 2024 else "ERDF")
        if status == "rejected" or status == "withdrawn":
            decided_factor = Decimal(0)
        else:
            decided_factor = Decimal(1) if decided else Decimal(0)
        spent_factor = Decimal(0)
        if decided and year < TODAY_YEAR:
            spent_factor = Decimal("0.93")
        elif decided and year == TODAY_YEAR:
            spent_factor = Decimal("0.55")
        for code, amount in ((eu_code, support), ("CITY", city), ("PUBLIC", public)):
            if not amount:
                continue
            granted = (amount * decided_factor).quantize(CENT)
            funding_line_upsert(project=project, instrument_code=code, year=year, planned=amount)
            if granted:
                decision_lines.append({"instrument": code, "year": year, "amount": granted})
            if (spent := (granted * spent_factor).quantize(CENT)):
                spending.append((code, year, spent))
    _seed_ledger(project, decision_lines, spending, start=start)


def _seed_ledger(project: Project, decision_lines: list[dict], spending: list[tuple[str, int, Decimal]], *,
                 start: int) -> None:
    """Granted money from the funding authority's decision, spent money from payment claims: the sources
    the ledger requires (recorded once; a second seed finds them)."""
    if decision_lines and not FundingDecision.objects.filter(project=project).exists():
        funding_decision_record(
            project=project, decided_on=min(dt.date(start, 1, 1) - dt.timedelta(days=20), timezone.localdate()),
            reference=f"UUDELY/{project.pk:03d}/{start - 1}", eura_code=project.eura_code,
            authority="Uudenmaan liitto", lines=decision_lines, user=None)
    for code, year, amount in spending:
        reference = f"MH-{project.code}-{year}"
        if not SpendingEntry.objects.filter(project=project, reference=reference, instrument__code=code).exists():
            spending_entry_record(project=project, instrument_code=code, year=year,
                                  entry_date=min(dt.date(year, 12, 31), timezone.localdate()),
                                  source=SpendingEntry.Source.PAYMENT_CLAIM, reference=reference, amount=amount,
                                  user=None)


def _seed_governance(agreement: Agreement, group: SteeringGroup, users: dict, projects: dict[str, Project],
                     instruments: dict[str, FundingInstrument]) -> None:
    tz = timezone.get_default_timezone()
    # The past meeting is written as "held" first: its decisions are a permanent record once the minutes
    # are confirmed (governance refuses to write them after that), so confirmation comes last.
    past = Meeting.objects.filter(group=group, title="Johtoryhmän kokous 3/2026").first()
    if past is None:
        past, _ = upsert(Meeting, {"group": group, "title": "Johtoryhmän kokous 3/2026"}, {
            "starts_at": dt.datetime(2026, 9, 15, 13, 0, tzinfo=tz), "location": "Helsingin kaupungintalo",
            "status": MeetingStatus.HELD,
            "minutes": "Johtoryhmä käsitteli kolme hanke-esitystä ja hyväksyi kaksi.",
        })
    past.attendees.set([users["steering"], users["jr-espoo"], users["jr-vantaa"], users["coordinator"]])
    upcoming, _ = upsert(Meeting, {"group": group, "title": "Johtoryhmän kokous 4/2026"}, {
        "starts_at": dt.datetime(2026, 12, 10, 13, 0, tzinfo=tz), "location": "Espoon kaupungintalo",
        "online_url": "https://meet.example.invalid/johtoryhma", "status": MeetingStatus.AGENDA_PUBLISHED,
    })

    def proposal(code: str, status: str, meeting: Meeting | None, submitted: dt.datetime | None) -> Proposal:
        project = projects[code]
        prop, _ = upsert(Proposal, {"project": project, "title": f"Hanke-esitys: {project.title}"}, {
            "plan": project.summary, "status": status, "meeting": meeting, "created_by": users["coordinator"],
            "submitted_at": submitted,
        })
        for line in project.funding_lines.select_related("instrument"):
            upsert(ProposalFundingLine, {"proposal": prop, "instrument": line.instrument, "year": line.year},
                   {"amount": line.planned_amount})
        return prop

    decided_at = dt.datetime(2026, 9, 15, 14, 0, tzinfo=tz)
    sub_past = dt.datetime(2026, 8, 20, 9, 0, tzinfo=tz)
    for code, outcome in (("HEV-005", DecisionOutcome.APPROVED), ("HEV-021", DecisionOutcome.APPROVED_WITH_CONDITIONS),
                          ("HEV-016", DecisionOutcome.REJECTED)):
        prop = proposal(code, ProposalStatus.DECIDED, past, sub_past)
        decision, _ = upsert(Decision, {"proposal": prop, "meeting": past}, {
            "outcome": outcome, "method": DecisionMethod.CONSENSUS, "decided_at": decided_at,
            "decided_on": timezone.localdate(past.starts_at),
            "recorded_by": users["steering"],
            "conditions": "Kansainvälistymissuunnitelma tarkennetaan ennen käynnistystä."
            if outcome == DecisionOutcome.APPROVED_WITH_CONDITIONS else "",
            "rationale": "Esitys vastaa painopisteen hakukriteereitä." if outcome != DecisionOutcome.REJECTED
            else "Hanke on päällekkäinen käynnissä olevan hankkeen kanssa.",
        })
        if outcome != DecisionOutcome.REJECTED:
            for line in prop.funding_lines.all():
                upsert(DecisionFundingLine, {"decision": decision, "instrument": line.instrument, "year": line.year},
                       {"amount": line.amount})
    if past.status != MeetingStatus.MINUTES_CONFIRMED:
        Meeting.objects.filter(pk=past.pk).update(status=MeetingStatus.MINUTES_CONFIRMED,
                                                  minutes_confirmed_at=dt.datetime(2026, 9, 22, 10, 0, tzinfo=tz),
                                                  minutes_confirmed_by=users["steering"])
    sub_now = dt.datetime(2026, 11, 2, 9, 0, tzinfo=tz)
    proposal("HEV-007", ProposalStatus.ON_AGENDA, upcoming, sub_now)
    proposal("HEV-014", ProposalStatus.ON_AGENDA, upcoming, sub_now)
    proposal("HEV-022", ProposalStatus.SUBMITTED, None, sub_now)
    proposal("HEV-027", ProposalStatus.DRAFT, None, None)
    _seed_ideas(projects, users["coordinator"])


def _seed_ideas(projects: dict[str, Project], coordinator: object) -> None:
    """The preparation record of every demo idea (status "idea") and of the demo projects that came to the
    steering group as ideas (their proposals above), at the stage their status gives (docs/governance.md):
    the idea list shows exactly the ideas the dashboard counts."""
    proposed = set(Proposal.objects.filter(project__in=projects.values()).values_list("project_id", flat=True))
    for project in projects.values():
        if project.status != "idea" and project.pk not in proposed:
            continue
        stage = IDEA_STAGE_OF_STATUS.get(project.status, IdeaStage.IDEA)
        upsert(ProjectIdea, {"project": project}, {
            "stage": stage, "created_by": coordinator, "need": project.summary_fi,
            "programme_fit": "Uudistuva ja osaava Suomi 2021–2027, EAKR: TL1 (älykäs Eurooppa).",
        })


# --- follow-up: indicator targets and values, enterprises, milestones -----------------------------------

def _followup_business_id(seed: int) -> str:
    n = 2_960_000 + seed * 11
    while business_id_check_digit(f"{n:07d}") is None:
        n += 1
    return f"{n:07d}-{business_id_check_digit(f'{n:07d}')}"


# (project code, indicator, target)
DEMO_TARGETS = [
    ("HEV-001", "RCO01", "12"), ("HEV-001", "RCO02", "6"), ("HEV-001", "HEV03", "8"), ("HEV-001", "RCR01", "4.5"),
    ("HEV-002", "RCO01", "8"), ("HEV-002", "HEV04", "3"), ("HEV-002", "RCR02", "150000"),
    ("HEV-003", "RCO01", "10"), ("HEV-003", "RCO10", "4"), ("HEV-003", "HEV02", "5"), ("HEV-003", "HEV03", "6"),
    ("HEV-010", "RCO07", "3"), ("HEV-010", "RCR104", "4"), ("HEV-010", "HEV01", "20"),
    ("HEV-011", "RCO05", "6"), ("HEV-011", "RCR03", "5"), ("HEV-011", "RCO15", "15"),
]
# The values the projects reported in their half-yearly progress reports: (project code, indicator, the
# report's period start and end, value). Each is written into that report while it is a draft and counts once
# the report is accepted (``_seed_progress_reports``; every one of these reports is accepted). Per-period
# indicators (HEV03, HEV04, RCR02) add up over the half-years; cumulative ones take the latest value.
DEMO_REPORT_VALUES = [
    ("HEV-001", "HEV03", dt.date(2024, 1, 1), dt.date(2024, 6, 30), "1"),
    ("HEV-001", "HEV03", dt.date(2024, 7, 1), dt.date(2024, 12, 31), "2"),
    ("HEV-001", "HEV03", dt.date(2025, 1, 1), dt.date(2025, 6, 30), "1"),
    ("HEV-001", "HEV03", dt.date(2025, 7, 1), dt.date(2025, 12, 31), "1"),
    ("HEV-001", "RCR01", dt.date(2025, 7, 1), dt.date(2025, 12, 31), "2.5"),
    ("HEV-002", "HEV04", dt.date(2025, 7, 1), dt.date(2025, 12, 31), "1"),
    ("HEV-002", "RCR02", dt.date(2025, 1, 1), dt.date(2025, 6, 30), "20000.00"),
    ("HEV-002", "RCR02", dt.date(2025, 7, 1), dt.date(2025, 12, 31), "22000.00"),
    ("HEV-003", "HEV02", dt.date(2024, 7, 1), dt.date(2024, 12, 31), "2"),
    ("HEV-003", "HEV02", dt.date(2025, 7, 1), dt.date(2025, 12, 31), "4"),
    ("HEV-003", "HEV03", dt.date(2025, 1, 1), dt.date(2025, 6, 30), "2"),
    ("HEV-003", "HEV03", dt.date(2025, 7, 1), dt.date(2025, 12, 31), "2"),
    ("HEV-010", "RCO07", dt.date(2025, 1, 1), dt.date(2025, 6, 30), "2"),
    ("HEV-010", "RCR104", dt.date(2025, 7, 1), dt.date(2025, 12, 31), "1"),
    ("HEV-011", "RCR03", dt.date(2024, 7, 1), dt.date(2024, 12, 31), "2"),
    ("HEV-011", "RCO15", dt.date(2024, 1, 1), dt.date(2024, 6, 30), "12"),
]


ReportKey = tuple[str, dt.date, dt.date]  # a project's code and a report's period


def report_values(rows: list[tuple[str, str, dt.date, dt.date, str]]) -> dict[ReportKey, dict[str, str]]:
    """The reported values by report: (project code, period start, period end) → {indicator code: value}."""
    by_report: dict[ReportKey, dict[str, str]] = {}
    for code, indicator, start, end, value in rows:
        by_report.setdefault((code, start, end), {})[indicator] = value
    return by_report


# (seed, name, size class); the first is reached by two projects, to show it counted once.
DEMO_ENTERPRISES = [
    (1, "Demo Rakennusteknologia Oy", "small"), (2, "Demo Energiapalvelut Oy", "micro"),
    (3, "Demo Kiertomateriaalit Oy", "medium"), (4, "Demo Terveysdata Oy", "micro"),
    (5, "Demo Biotekniikka Oy", "small"), (6, "Demo Logistiikka Oyj", "large"),
]
# (project code, enterprise seed, relation, new, date)
DEMO_ENTERPRISE_LINKS = [
    ("HEV-001", 1, "grant", False, dt.date(2023, 5, 1)), ("HEV-001", 2, "non_financial", True, dt.date(2024, 2, 1)),
    ("HEV-003", 1, "research", False, dt.date(2024, 3, 15)), ("HEV-003", 3, "grant", False, dt.date(2024, 9, 1)),
    ("HEV-002", 6, "services", False, dt.date(2024, 10, 1)), ("HEV-010", 4, "non_financial", True,
                                                               dt.date(2024, 4, 1)),
    ("HEV-011", 5, "research", True, dt.date(2023, 2, 1)), ("HEV-011", 4, "grant", False, dt.date(2025, 1, 15)),
]
# (project code, title, planned, actual)
DEMO_MILESTONES = [
    ("HEV-001", "Testialustan ensimmäinen kohde valmis", dt.date(2024, 6, 30), dt.date(2024, 6, 20)),
    ("HEV-001", "Loppuseminaari", dt.date(2026, 11, 30), None),  # passed without an actual date: late
    ("HEV-003", "Korttelipilotin käynnistys", dt.date(2024, 4, 1), dt.date(2024, 5, 15)),  # reached late
    ("HEV-003", "Tulosten levitys", dt.date(2026, 12, 20), None),
    ("HEV-010", "Yhteiskehittämön avaus", dt.date(2023, 9, 1), dt.date(2023, 9, 1)),
]


def _seed_followup(projects: dict[str, Project], coordinator: object) -> None:
    from followup.models import Enterprise, Indicator, Milestone, ProjectEnterprise
    from followup.services import indicator_target_save, milestone_save, project_enterprise_add

    indicators = {i.code: i for i in Indicator.objects.all()}
    for code, ind, target in DEMO_TARGETS:
        indicator_target_save(project=projects[code], indicator=indicators[ind], target_value=target,
                              user=coordinator)  # type: ignore[arg-type]
    names = {seed: (name, size) for seed, name, size in DEMO_ENTERPRISES}
    for code, seed, relation, new, day in DEMO_ENTERPRISE_LINKS:
        business_id = _followup_business_id(seed)
        if not ProjectEnterprise.objects.filter(project=projects[code], enterprise__business_id=business_id,
                                                relation=relation).exists():
            name, size = names[seed]
            known = Enterprise.objects.filter(business_id=business_id).exists()
            project_enterprise_add(project=projects[code], business_id=business_id, relation=relation, is_new=new,
                                   date=day, name="" if known else name, size_class="" if known else size,
                                   user=coordinator)  # type: ignore[arg-type]
    for code, title, planned, actual in DEMO_MILESTONES:
        if not Milestone.objects.filter(project=projects[code], title=title).exists():
            milestone_save(project=projects[code], title=title, planned_date=planned, actual_date=actual,
                           user=coordinator)  # type: ignore[arg-type]


# --- further demo agreements for the national view (issue 13) -----------------------------------------------

def _seed_demo_agreements(users: dict) -> None:
    """The fictional agreements of ``demo_agreements.DEMO_AGREEMENTS``, each with its priorities, steering
    group, a coordinator (who cannot sign in), its organisations, frames, projects with funding and its
    sources, progress reports, indicators and enterprises. Found again by their natural keys: a second run
    changes nothing."""
    from governance.services import steering_groups_ensure
    from portfolio.data import hev

    from .demo_agreements import DEMO_AGREEMENTS

    instruments = {i.code: i for i in FundingInstrument.objects.all()}
    methods = {m.code: m for m in MethodCategory.objects.all()}
    for spec in DEMO_AGREEMENTS:
        agreement, _ = upsert(Agreement, {"code": spec["code"]}, {
            **translated("name", spec["name"]), "region": spec["region"], "valid_from": dt.date(2021, 1, 1),
            "valid_until": dt.date(2027, 12, 31), "status": "active",
            **translated("description", {
                "fi": "Kuvitteellinen esimerkkisopimus portaalin esittelyyn (demo): ei todellisia tietoja.",
                "sv": "Ett fiktivt exempelavtal för att visa portalen (demo): inga verkliga uppgifter.",
                "en": "A fictional example agreement to show the portal (demo): no real data."}),
        })
        for code, names, is_open in hev.PRIORITIES:
            upsert(Priority, {"agreement": agreement, "code": code}, {**translated("name", names), "is_open": is_open})
        steering_groups_ensure(agreement=agreement, national_names=hev.NATIONAL_GROUP, regional_names={
            "fi": f"{spec['name']['fi']}: johtoryhmä", "sv": f"{spec['name']['sv']}: ledningsgrupp",
            "en": f"{spec['name']['en']}: steering group"})
        username, first, last = spec["coordinator"]
        coordinator = _user(username, first=first, last=last, role=Role.COORDINATOR, can_login=False)
        AgreementAccess.objects.get_or_create(user=coordinator, agreement=agreement)
        city, _ = upsert(Organisation, {"business_id": _demo_business_id(spec["seed"])}, {
            **translated("name", spec["city"]), "short_name": spec["city"]["fi"].removeprefix("Demo: ")[:40],
            "kind": "city", "municipality": spec["municipality"]})
        partner, _ = upsert(Organisation, {"business_id": _demo_business_id(spec["seed"] + 1)}, {
            **translated("name", spec["partner"]), "short_name": spec["partner"]["fi"].removeprefix("Demo: ")[:40],
            "kind": "university", "municipality": spec["municipality"]})
        for year, amount in spec["frames"].items():
            upsert(FundingFrame, {"agreement": agreement, "instrument": instruments["ERDF"], "year": year}, {
                "amount": Decimal(amount), "decision_reference": f"TEM/{year}/DEMO-{agreement.project_code_prefix}",
                "decision_date": dt.date(year - 1, 12, 15)})
        projects: list[Project] = []
        for n, p in enumerate(spec["projects"], start=1):
            code = f"{agreement.project_code_prefix}-{n:03d}"
            decided = p["status"] in ("approved", "running", "closed")
            project, _ = upsert(Project, {"agreement": agreement, "code": code}, {
                **translated("title", p["title"]),
                "summary_fi": f"{p['title']['fi']}: kuvitteellinen demohanke painopisteessä {p['priority']}.",
                "summary_en": f"{p['title']['en']}: a fictional demo project under priority {p['priority']}.",
                "lead_organisation": city if n % 2 else partner, "priority": Priority.objects.get(
                    agreement=agreement, code=p["priority"]), "status": p["status"],
                "start_date": dt.date(p["start"], 1, 1), "end_date": dt.date(p["start"] + p["years"] - 1, 12, 31),
                "eura_code": f"D{spec['seed'] // 100}{n:04d}" if decided else "", "coordinator": coordinator,
            })
            project.methods.set([methods[c] for c in p["methods"]])
            upsert(ProjectPartner, {"project": project, "organisation": partner if n % 2 else city},
                   {"budget_share": Decimal(p["yearly"] * p["years"] // 5)})
            _seed_demo_agreement_funding(project, p, eu_share=Decimal(spec["eu_share"]))
            projects.append(project)
        # The targets first: a progress report asks for the values of the indicators its project has a
        # target for, and the reports carry the values (DEMO_AGREEMENT_VALUES).
        _seed_demo_agreement_results(projects, coordinator, spec)
        _seed_demo_agreement_reports(projects, coordinator)
        group = SteeringGroup.objects.get(kind=GroupKind.REGIONAL, agreement=agreement)
        _seed_demo_agreement_governance(group, coordinator, projects, spec)
        # The preparation record of every idea and of every project that came to the group as a proposal, at
        # the stage its status gives (as the main demo's ``_seed_ideas``).
        proposed = set(Proposal.objects.filter(project__in=projects).values_list("project_id", flat=True))
        for project in projects:
            if project.status == "idea" or project.pk in proposed:
                upsert(ProjectIdea, {"project": project}, {
                    "stage": IDEA_STAGE_OF_STATUS.get(project.status, IdeaStage.IDEA), "created_by": coordinator,
                    "need": project.summary_fi})


def _seed_demo_agreement_governance(group: SteeringGroup, coordinator: object, projects: list[Project],
                                    spec: dict) -> None:
    """A further demo agreement's steering group: its members (who cannot sign in) and the coordinator as the
    secretary; a past meeting, held with its minutes confirmed, that decided the proposals of
    ``spec["meetings"]["past"]``; and an upcoming one whose published agenda holds the proposals of
    ``spec["meetings"]["upcoming"]``. Found again by their natural keys (a second run writes nothing)."""
    tz = timezone.get_default_timezone()
    plan = spec["meetings"]
    members = []
    for username, first, last, role in plan["members"]:
        member = _user(username, first=first, last=last, role=Role.STEERING, can_login=False)
        upsert(Membership, {"group": group, "user": member}, {"role": role, "term_start": dt.date(2021, 6, 1)})
        members.append(member)
    upsert(Membership, {"group": group, "user": coordinator}, {"role": MemberRole.SECRETARY,
                                                               "term_start": dt.date(2021, 6, 1)})
    chair = members[0]
    past_day, decisions = plan["past"]
    day = dt.date(*past_day)
    title = _meeting_title(day)
    past = Meeting.objects.filter(group=group, title=title).first()
    if past is None:  # written as held first: decisions are a permanent record once the minutes are confirmed
        past, _ = upsert(Meeting, {"group": group, "title": title}, {
            "starts_at": dt.datetime.combine(day, dt.time(13, 0), tzinfo=tz), "location": spec["city"]["fi"],
            "status": MeetingStatus.HELD,
            "minutes": f"Johtoryhmä käsitteli {len(decisions)} hanke-esitystä (demo).",
        })
    past.attendees.set([*members, coordinator])
    decided_at = dt.datetime.combine(day, dt.time(14, 0), tzinfo=tz)
    submitted = dt.datetime.combine(day - dt.timedelta(days=21), dt.time(9, 0), tzinfo=tz)
    for index, outcome in decisions:
        proposal = _demo_agreement_proposal(projects[index], coordinator, ProposalStatus.DECIDED, past, submitted)
        decision, _ = upsert(Decision, {"proposal": proposal, "meeting": past}, {
            "outcome": outcome, "method": DecisionMethod.CONSENSUS, "decided_at": decided_at, "decided_on": day,
            "recorded_by": chair,
            "conditions": "Yritysyhteistyön suunnitelma tarkennetaan ennen käynnistystä (demo)."
            if outcome == DecisionOutcome.APPROVED_WITH_CONDITIONS else "",
            "rationale": "Esitys ei vastaa painopisteen hakukriteereitä (demo)." if outcome == DecisionOutcome.REJECTED
            else "Esitys vastaa painopisteen hakukriteereitä (demo).",
        })
        if outcome != DecisionOutcome.REJECTED:
            for line in proposal.funding_lines.all():
                upsert(DecisionFundingLine, {"decision": decision, "instrument": line.instrument, "year": line.year},
                       {"amount": line.amount})
    if past.status != MeetingStatus.MINUTES_CONFIRMED:
        Meeting.objects.filter(pk=past.pk).update(
            status=MeetingStatus.MINUTES_CONFIRMED, minutes_confirmed_by=chair,
            minutes_confirmed_at=dt.datetime.combine(day + dt.timedelta(days=7), dt.time(10, 0), tzinfo=tz))
    upcoming_day, agenda = plan["upcoming"]
    day = dt.date(*upcoming_day)
    upcoming, _ = upsert(Meeting, {"group": group, "title": _meeting_title(day)}, {
        "starts_at": dt.datetime.combine(day, dt.time(13, 0), tzinfo=tz), "location": spec["city"]["fi"],
        "online_url": "https://meet.example.invalid/demo-johtoryhma", "status": MeetingStatus.AGENDA_PUBLISHED,
        "agenda_published_at": dt.datetime.combine(day - dt.timedelta(days=14), dt.time(9, 0), tzinfo=tz),
        "agenda_published_by": coordinator,
    })
    submitted = dt.datetime.combine(day - dt.timedelta(days=30), dt.time(9, 0), tzinfo=tz)
    for index in agenda:
        _demo_agreement_proposal(projects[index], coordinator, ProposalStatus.ON_AGENDA, upcoming, submitted)


def _meeting_title(day: dt.date) -> str:
    """"Johtoryhmän kokous 4/2025": the group meets once a quarter."""
    return f"Johtoryhmän kokous {(day.month - 1) // 3 + 1}/{day.year}"


def _demo_agreement_proposal(project: Project, coordinator: object, status: str, meeting: Meeting,
                             submitted: dt.datetime) -> Proposal:
    """A proposal of a further demo agreement's project, asking for the project's planned money."""
    proposal, _ = upsert(Proposal, {"project": project, "title": f"Hanke-esitys: {project.title}"}, {
        "plan": project.summary, "status": status, "meeting": meeting, "created_by": coordinator,
        "submitted_at": submitted,
    })
    for line in project.funding_lines.select_related("instrument"):
        upsert(ProposalFundingLine, {"proposal": proposal, "instrument": line.instrument, "year": line.year},
               {"amount": line.planned_amount})
    return proposal


def _seed_demo_agreement_funding(project: Project, p: dict, *, eu_share: Decimal) -> None:
    """Planned money per year (ERDF and the city's share), granted by the funding authority's decision on a
    decided project and spent by payment claims, as in the main demo (``_seed_ledger``)."""
    decided = p["status"] in ("approved", "running", "closed")
    decision_lines: list[dict] = []
    spending: list[tuple[str, int, Decimal]] = []
    for year in range(p["start"], p["start"] + p["years"]):
        total = Decimal(p["yearly"])
        support = (total * eu_share).quantize(CENT)
        spent_factor = Decimal(0)
        if decided and year < TODAY_YEAR:
            spent_factor = Decimal("0.90")
        elif decided and year == TODAY_YEAR:
            spent_factor = Decimal("0.50")
        for code, amount in (("ERDF", support), ("CITY", total - support)):
            funding_line_upsert(project=project, instrument_code=code, year=year, planned=amount)
            if decided:
                decision_lines.append({"instrument": code, "year": year, "amount": amount})
                if (spent := (amount * spent_factor).quantize(CENT)):
                    spending.append((code, year, spent))
    _seed_ledger(project, decision_lines, spending, start=p["start"])


def _seed_demo_agreement_reports(projects: list[Project], coordinator: object) -> None:
    """Progress reports of the decided projects: the past periods submitted and accepted, the latest one of
    each project saying on track, at risk or late in turn; every third project's latest left overdue."""
    from followup.models import ReportKind, ReviewState
    from followup.services import (
        progress_report_accept,
        progress_report_submit,
        progress_report_update,
        progress_reports_generate,
    )

    from .demo_agreements import DEMO_AGREEMENT_VALUES

    today = timezone.localdate()
    running = [p for p in projects if p.status == "running"]
    values = report_values([(running[index].code, code, dt.date(*start), dt.date(*end), value)
                            for index, code, start, end, value in DEMO_AGREEMENT_VALUES])
    decided = [p for p in projects if p.status in ("approved", "running", "closed")]
    for n, project in enumerate(decided):
        reports = progress_reports_generate(project=project)
        past = [r for r in reports if r.period_end < today and (r.kind == ReportKind.PERIODIC or
                                                                 project.status == "closed")]
        for i, report in enumerate(past):
            if report.review_state != ReviewState.DRAFT or report.transitions.exists():
                continue
            last = i == len(past) - 1
            if last and n % 3 == 2 and project.status != "closed":
                continue  # left as an overdue draft
            status = ("on_track", "at_risk", "late")[n % 3] if last else "on_track"
            progress_report_update(report=report, user=coordinator, spending=_demo_spending(  # type: ignore[arg-type]
                project, report.period_end.year), data={
                "status": status,
                "status_reason": "" if status == "on_track" else "Kumppanien resurssit ovat viivästyttäneet pilotteja.",
                "done": f"Jakson {report.period_label} toimenpiteet etenivät (demo).",
                "next_steps": "Seuraavan jakson pilotit (demo).", "risks": "",
            }, indicator_values=values.get((project.code, report.period_start, report.period_end)))
            progress_report_submit(report=report, user=coordinator)  # type: ignore[arg-type]
            progress_report_accept(report=report, user=coordinator)  # type: ignore[arg-type]


def _seed_demo_agreement_results(projects: list[Project], coordinator: object, spec: dict) -> None:
    from followup.models import Enterprise, Indicator, ProjectEnterprise
    from followup.services import indicator_target_save, project_enterprise_add

    from .demo_agreements import DEMO_AGREEMENT_ENTERPRISES, DEMO_AGREEMENT_TARGETS

    running = [p for p in projects if p.status == "running"]
    indicators = {i.code: i for i in Indicator.objects.all()}
    for index, code, target in DEMO_AGREEMENT_TARGETS:
        indicator_target_save(project=running[index], indicator=indicators[code], target_value=target,
                              user=coordinator)  # type: ignore[arg-type]
    region = spec["municipality"]
    links = [(index, _followup_business_id(spec["seed"] + offset), name.format(region=region), size, relation, new,
              dt.date(*day)) for index, offset, name, size, relation, new, day in DEMO_AGREEMENT_ENTERPRISES]
    # The main demo's first enterprise, reached here too: one enterprise, counted once for the country.
    first_seed, first_name, first_size = DEMO_ENTERPRISES[0]
    links.append((0, _followup_business_id(first_seed), first_name, first_size, "grant", False, dt.date(2025, 3, 1)))
    for index, business_id, name, size, relation, new, day in links:
        project = running[index]
        if ProjectEnterprise.objects.filter(project=project, enterprise__business_id=business_id,
                                            relation=relation).exists():
            continue
        known = Enterprise.objects.filter(business_id=business_id).exists()
        project_enterprise_add(project=project, business_id=business_id, relation=relation, is_new=new, date=day,
                               name="" if known else name, size_class="" if known else size,
                               user=coordinator)  # type: ignore[arg-type]

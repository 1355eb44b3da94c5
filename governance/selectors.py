"""Reads of the governance app shared by views, the API, the dashboard and the project page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import DecimalField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from funding.commitments import Commitment, Kind
from funding.models import FundingFrame, FundingLine
from funding.selectors import DECIDED_STATUSES, DROPPED_STATUSES
from portfolio.asof import day_end, is_live, project_source
from portfolio.choices import ProjectStatus
from portfolio.models import Project

from . import permissions
from .choices import (
    APPROVING_OUTCOMES,
    OPEN_IDEA_STAGES,
    PROPOSABLE_PROJECT_STATUSES,
    GroupKind,
    IdeaStage,
    MeetingStatus,
    ProposalStatus,
)
from .models import (
    Decision,
    DecisionFundingLine,
    Meeting,
    Membership,
    ProjectIdea,
    Proposal,
    ProposalFundingLine,
    ProposalTransition,
    SteeringGroup,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from portfolio.models import Agreement

    AnyUser = AbstractBaseUser | AnonymousUser

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
DECIDED_PROJECT_STATUSES = (ProjectStatus.APPROVED, ProjectStatus.RUNNING, ProjectStatus.CLOSED)


def agreements_by_membership(user: AbstractBaseUser) -> list[int]:
    """The agreements a user works on through a seat in their steering group (any term): a source of
    `portfolio.access.agreement_ids_of`, registered in `GovernanceConfig.ready()`. The same read tells
    whether the user sits in the national group and which groups they sit in (kept on the user for the request
    as ``_portal_national_member`` and ``_governance_group_ids``, which ``reporting.querysets.
    is_national_group_member`` and ``governance.querysets.group_ids_of`` read instead of asking again)."""
    seats = list(Membership.objects.filter(user_id=user.pk).values_list("group_id", "group__agreement_id",
                                                                        "group__kind"))
    user._portal_national_member = any(kind == GroupKind.NATIONAL for *_, kind in seats)  # type: ignore[attr-defined]
    user._governance_group_ids = sorted(group_id for group_id, *_ in seats)  # type: ignore[attr-defined]
    return [agreement_id for _, agreement_id, _ in seats if agreement_id is not None]


def _sum(field: str) -> Coalesce:
    return Coalesce(Sum(field), Value(ZERO), output_field=DecimalField(max_digits=16, decimal_places=2))


def regional_group(agreement: Agreement | int | None) -> SteeringGroup | None:
    agreement_id = getattr(agreement, "pk", agreement)
    if agreement_id is None:
        return None
    return SteeringGroup.objects.filter(agreement_id=agreement_id).first()  # type: ignore[misc]  # an id


def next_meeting(*, agreement: Agreement | None, user: AnyUser) -> Meeting | None:
    """The agreement's next meeting that is not yet closed (today's included)."""
    if agreement is None:
        return None
    return (Meeting.objects.visible_to(user).for_agreement(agreement).upcoming()
            .select_related("group").first())


def next_open_meeting(group: SteeringGroup | int) -> Meeting | None:
    """The group's next meeting whose agenda can still take items (planned or agenda published, not yet
    started): where an information item for the group goes."""
    group_id = getattr(group, "pk", group)
    return (Meeting.objects.filter(group_id=group_id, starts_at__gte=timezone.now(),
                                   status__in=[MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED])
            .order_by("starts_at", "pk").first())


def _effects(proposals: list[Proposal]) -> dict[int, dict[str, Any]]:
    """Funding effects of several proposals, with one funding summary per agreement."""
    from funding.selectors import funding_summary

    summaries: dict[int, dict[str, Any]] = {}
    result = {}
    for proposal in proposals:
        agreement_id = proposal.project.agreement_id
        if agreement_id not in summaries:
            summaries[agreement_id] = funding_summary(agreement_id=agreement_id, basis="granted")
        result[proposal.pk] = proposal_funding_effect(proposal=proposal, summary=summaries[agreement_id])
    return result


def agenda_proposals(meeting: Meeting) -> list[Proposal]:
    return list(meeting.proposals.select_related("project__priority", "project__lead_organisation")
                .prefetch_related(Prefetch("funding_lines", queryset=ProposalFundingLine.objects
                                           .select_related("instrument")))
                .annotate(requested_total=_sum("funding_lines__amount"))
                .order_by("project__code"))


# --- the funding effect of a proposal --------------------------------------------------------------------

def _split(groups: dict[str, Decimal]) -> dict[str, Any]:
    from funding.selectors import percentages

    parts = {"local": groups.get("local", ZERO), "eu_state": groups.get("eu_state", ZERO),
             "private": groups.get("private", ZERO)}
    total = sum(parts.values(), ZERO)
    percent = percentages(parts, total)
    return {"total": total, **parts, "local_percent": percent["local"], "eu_state_percent": percent["eu_state"]}


def proposal_funding_effect(*, proposal: Proposal, summary: dict[str, Any] | None = None) -> dict[str, Any]:
    """What approving the proposal as requested would do to its agreement (see ``funding_effect``). Pass the
    agreement's ``summary`` when showing several proposals of one agreement (one summary for all)."""
    requested = list(proposal.funding_lines.select_related("instrument").order_by("year", "instrument__sort_order"))
    return funding_effect(project=proposal.project, lines=requested, summary=summary)


def funding_effect(*, project: Project, lines: Iterable[Any], summary: dict[str, Any] | None = None
                   ) -> dict[str, Any]:
    """What granting ``lines`` to the project would do to its agreement: frame use per instrument and year,
    the local / EU-and-state split and the priority-4 rule, before and after. ``lines`` have
    ``instrument`` (a FundingInstrument), ``year`` and ``amount``: a proposal's request, or the amounts
    typed into a proposal or decision form before it is saved (the live preview reads this same figure).
    "Before" is the funding app's granted-basis summary (funding.selectors.funding_summary); "after" adds
    the lines, replacing the project's own granted money on the same instrument and year."""
    from funding.selectors import countable_lines, funding_summary, priority4_rule_holds

    agreement_id = project.agreement_id
    requested = [line for line in lines if line.amount]
    if summary is None:
        summary = funding_summary(agreement_id=agreement_id, basis="granted")
    own = {(row["instrument_id"], row["year"]): row["granted_amount"]
           for row in countable_lines(agreement_id=agreement_id).filter(project_id=project.pk)
           .values("instrument_id", "year", "granted_amount")}

    before_groups = {"local": summary["local"], "eu_state": summary["eu_state"], "private": summary["private"]}
    before_priorities = {row["code"]: row["total"] for row in summary["by_priority"]}
    after_groups = dict(before_groups)
    after_priorities = dict(before_priorities)
    priority_code = project.priority.code
    for line in requested:
        delta = line.amount - own.get((line.instrument_id, line.year), ZERO)
        group = line.instrument.share_group
        after_groups[group] = after_groups.get(group, ZERO) + delta
        after_priorities[priority_code] = after_priorities.get(priority_code, ZERO) + delta

    # Frame use counts committed money: granted on decided projects (as funding.selectors.frame_use does).
    granted = FundingLine.objects.filter(project__agreement_id=agreement_id,
                                         project__status__in=DECIDED_PROJECT_STATUSES)
    own_committed = {(row["instrument_id"], row["year"]): row["granted_amount"]
                     for row in granted.filter(project=project).values("instrument_id", "year", "granted_amount")}
    years = {line.year for line in requested}
    frames = {(fr.instrument_id, fr.year): fr.amount
              for fr in FundingFrame.objects.filter(agreement_id=agreement_id, year__in=years)}
    used = {(row["instrument_id"], row["year"]): row["total"] for row in
            granted.filter(year__in=years).order_by().values("instrument_id", "year")
            .annotate(total=_sum("granted_amount"))}
    frame_rows = []
    for line in requested:
        key = (line.instrument_id, line.year)
        frame = frames.get(key)
        before = used.get(key, ZERO)
        after = before - own_committed.get(key, ZERO) + line.amount
        frame_rows.append({
            "instrument": line.instrument, "code": line.instrument.code, "year": line.year, "requested": line.amount,
            "frame": frame, "used_before": before, "used_after": after,
            "remaining_after": (frame - after) if frame is not None else None,
            "over": frame is not None and after > frame,
            "percent_after": (after * HUNDRED / frame).quantize(CENT) if frame else None,
        })
    return {
        "requested_total": sum((line.amount for line in requested), ZERO),
        "lines": requested,
        "frames": frame_rows,
        "frames_ok": not any(row["over"] for row in frame_rows),
        "split_before": _split(before_groups),
        "split_after": _split(after_groups),
        "priority_code": priority_code,
        "priority4_before": priority4_rule_holds(before_priorities),
        "priority4_after": priority4_rule_holds(after_priorities),
    }


# --- the dashboard ---------------------------------------------------------------------------------------

def waiting_for_decision(*, user: AnyUser) -> list[dict[str, Any]]:
    """For a steering-group member: the proposals on their groups' next open agendas, with funding effect
    and whether the user may record the decision."""
    group_ids = list(Membership.objects.active().filter(user=user).values_list("group_id", flat=True)) \
        if user.is_authenticated else []
    result = []
    meetings = (Meeting.objects.filter(group_id__in=group_ids, status__in=[MeetingStatus.AGENDA_PUBLISHED,
                                                                           MeetingStatus.HELD])
                .select_related("group").order_by("starts_at"))
    for meeting in meetings:
        proposals = [p for p in agenda_proposals(meeting) if p.status == ProposalStatus.ON_AGENDA]
        if not proposals:
            continue
        effects = _effects(proposals)
        result.append({
            "meeting": meeting,
            # Decisions are recorded once the meeting has started (the service refuses earlier).
            "can_record": permissions.can_record_decision(user, meeting) and meeting.starts_at <= timezone.now(),
            "items": [{"proposal": p, "effect": effects[p.pk]} for p in proposals],
        })
    return result


def dashboard_governance(*, agreement: Agreement | None, user: AnyUser) -> dict[str, Any]:
    """The governance block of the dashboard (template governance/partials/dashboard_governance.html).

    Coordinator: proposals to prepare for the next meeting (drafts, and submitted ones not yet on an
    agenda). Steering member: the next meeting and the proposals on its agenda with their funding effect.
    Everyone who sees the agreement: the next meeting and the latest decisions."""
    context: dict[str, Any] = {"agreement": agreement, "is_preparer": False, "is_member": False,
                               "next_meeting": None, "agenda": [], "to_prepare": [], "recent_decisions": [],
                               "can_record": False}
    if agreement is None or not permissions.can_view_portal(user):
        return context
    meeting = next_meeting(agreement=agreement, user=user)
    group = regional_group(agreement)
    context["next_meeting"] = meeting
    context["is_preparer"] = permissions.can_prepare_proposal(user, agreement)
    context["is_member"] = group is not None and permissions.is_group_member(user, group.pk)
    if context["is_preparer"]:
        context["to_prepare"] = list(
            Proposal.objects.visible_to(user).for_agreement(agreement)
            .filter(status__in=[ProposalStatus.DRAFT, ProposalStatus.SUBMITTED])
            .select_related("project").annotate(requested_total=_sum("funding_lines__amount"))
            .order_by("status", "-updated_at")[:20])
    if meeting is not None:
        proposals = agenda_proposals(meeting)
        effects = _effects(proposals) if context["is_member"] else {}
        context["agenda"] = [{"proposal": p, "effect": effects.get(p.pk)} for p in proposals]
        context["can_record"] = (permissions.can_record_decision(user, meeting)
                                 and meeting.starts_at <= timezone.now())
    context["recent_decisions"] = list(
        Decision.objects.visible_to(user).filter(proposal__project__agreement=agreement)
        .select_related("proposal__project", "meeting").order_by("-decided_at")[:5])
    return context


def project_decisions(*, project: Project, user: AnyUser | None = None) -> dict[str, Any]:
    """The proposal and decision history of one project (template governance/partials/project_decisions.html).
    With ``user``, proposals the user may not see (another agreement's drafts) are left out."""
    proposals = Proposal.objects.filter(project=project)
    if user is not None:
        proposals = proposals & Proposal.objects.visible_to(user)
    decisions_qs = (Decision.objects.select_related("meeting", "recorded_by", "corrects")
                    .prefetch_related(Prefetch("funding_lines", queryset=_decision_lines()), "recusals__user",
                                      "corrections")
                    .order_by("decided_at", "pk"))
    proposals = (proposals.select_related("meeting", "created_by")
                 .prefetch_related(Prefetch("decisions", queryset=decisions_qs),
                                   Prefetch("transitions", queryset=_transitions()),
                                   Prefetch("funding_lines", queryset=ProposalFundingLine.objects
                                            .select_related("instrument")))
                 .annotate(requested_total=_sum("funding_lines__amount"))
                 .order_by("-created_at"))
    proposals = list(proposals)  # type: ignore[assignment]  # fetched once: the page walks it several times
    idea = ProjectIdea.objects.filter(project=project).first()
    current = [d for p in proposals for d in p.decisions.all() if not d.corrections.all()]
    latest = max(current, key=lambda d: (d.decided_at, d.pk), default=None)
    can_propose = bool(
        user is not None and permissions.can_prepare_proposal(user, project.agreement_id)
        and project.status in PROPOSABLE_PROJECT_STATUSES
        and not any(p.status in (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.ON_AGENDA)
                    for p in proposals))
    return {"project": project, "idea": idea, "proposals": proposals, "latest_decision": latest,
            "approved": latest is not None and latest.outcome in APPROVING_OUTCOMES, "can_propose": can_propose}


def _decision_lines() -> Any:
    from .models import DecisionFundingLine

    return DecisionFundingLine.objects.select_related("instrument").order_by("year", "instrument__sort_order")


def _transitions() -> Any:
    from .models import ProposalTransition

    return ProposalTransition.objects.select_related("by", "meeting").order_by("at", "pk")


# --- ideas -----------------------------------------------------------------------------------------------

_WORD = re.compile(r"[\wåäöÅÄÖ]{4,}", re.UNICODE)
STOP_WORDS = {"hanke", "hankkeen", "project", "projekt", "kehittäminen", "development", "sekä", "jotka", "with",
              "ja", "och", "and", "the", "for", "kehittämishanke", "joka", "tukee", "painopistettä", "under",
              "priority"}


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text or "")} - STOP_WORDS


# Candidates scored in Python after the database picked the likeliest (every agreement: the country's portfolio).
SIMILAR_CANDIDATES = 300


def _text_match(project: Project) -> tuple[Any, Any] | None:
    """On PostgreSQL: (condition, text score expression) — full-text search with the Finnish configuration
    over the Finnish titles and summaries (inflected forms match), plus trigram similarity of the titles.
    None elsewhere (SQLite: shared words only)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramSimilarity

    title = str(getattr(project, "title_fi", "") or project.title)
    words = sorted(_words(f"{title} {getattr(project, 'summary_fi', '') or project.summary}"))
    if not words:
        return None
    query = SearchQuery(" OR ".join(words), search_type="websearch", config="finnish")
    vector = SearchVector("title_fi", "summary_fi", config="finnish")
    score = SearchRank(vector, query) + TrigramSimilarity("title_fi", title)
    return Q(text_score__gt=0.05), score


def similar_projects(*, project: Project, user: AnyUser, limit: int = 5) -> list[dict[str, Any]]:
    """Projects of every agreement the user may see that may overlap with an idea or proposal (the agreement
    asks to avoid overlap and build complementary projects): scored by the same priority (2, by its code, so
    across agreements), each shared theme (2), each shared method category (1) and the text — shared words
    in title and summary (1 each), on PostgreSQL also the full-text match in Finnish and the titles' trigram
    similarity (up to 5 in all). Another agreement's projects appear only when the user may see them
    (`visible_to`: decided projects of other agreements). Themes are matched by identifier: each agreement has
    its own themes, and two agreements' "mobility" are the same subject."""
    theme_slugs = set(project.themes.values_list("slug", flat=True))
    method_ids = set(project.methods.values_list("pk", flat=True))
    words = _words(f"{project.title} {project.summary}")
    priority_code = project.priority.code if project.priority_id else None
    candidates = (Project.objects.visible_to(user).exclude(pk=project.pk)
                  .exclude(status__in=[ProjectStatus.REJECTED, ProjectStatus.WITHDRAWN]))
    condition = Q(priority__code=priority_code) | Q(themes__slug__in=theme_slugs) | Q(methods__in=method_ids)
    text = _text_match(project)
    if text is not None:
        candidates = candidates.annotate(text_score=text[1])
        condition |= text[0]
        order: list[Any] = ["-text_score", "-updated_at"]
    else:
        order = ["-updated_at"]
    rows = list(candidates.filter(condition).distinct().order_by(*order)
                .select_related("priority", "lead_organisation", "agreement")
                .prefetch_related("themes", "methods")[:SIMILAR_CANDIDATES])
    scored = []
    for other in rows:
        same_priority = priority_code is not None and other.priority.code == priority_code
        shared_themes = [t for t in other.themes.all() if t.slug in theme_slugs]
        shared_methods = [m for m in other.methods.all() if m.pk in method_ids]
        shared_words = sorted(words & _words(f"{other.title} {other.summary}"))
        text_points = len(shared_words)
        if text is not None:
            text_points = max(text_points, round(10 * float(getattr(other, "text_score", 0) or 0)))
        score = 2 * same_priority + 2 * len(shared_themes) + len(shared_methods) + min(text_points, 5)
        if score >= 3:
            scored.append({"project": other, "score": score, "themes": shared_themes, "methods": shared_methods,
                           "words": shared_words[:5], "same_priority": same_priority,
                           "other_agreement": other.agreement_id != project.agreement_id})
    scored.sort(key=lambda row: (-row["score"], row["other_agreement"], row["project"].code))
    return scored[:limit]


def idea_list(*, agreement: Agreement | None, user: AnyUser, stage: str | None = None) -> QuerySet[Project]:
    """The projects of the idea list, each with its preparation record (``project.idea``).

    Without a stage: the open ideas, exactly ``portfolio.selectors.ideas`` (the projects in status "idea",
    the figure the dashboard and the summaries show and the API's ``status=idea`` returns). "idea" and
    "being prepared" narrow them by the record's stage (a project without a record is at "idea"); a later
    stage (proposal, became a project, rejected, dropped) lists the ideas that reached it."""
    from portfolio.selectors import ideas

    if not stage or stage in OPEN_IDEA_STAGES:
        rows = ideas(user=user, agreement=agreement)
        if stage == IdeaStage.IDEA:
            rows = rows.filter(Q(idea__stage=IdeaStage.IDEA) | Q(idea__isnull=True))
        elif stage == IdeaStage.PREPARING:
            rows = rows.filter(idea__stage=IdeaStage.PREPARING)
    else:
        rows = (Project.objects.visible_to(user).for_agreement(agreement.pk if agreement else None)
                .filter(idea__in=ProjectIdea.objects.visible_to(user).filter(stage=stage)))
    return (rows.select_related("idea", "priority", "agreement", "lead_organisation")
            .order_by(F("idea__updated_at").desc(nulls_last=True), "code"))


def idea_pipeline(*, agreement: Agreement | None, user: AnyUser) -> dict[str, int]:
    """The number of ideas at each stage (every stage, zeros included), counted as ``idea_list`` lists them:
    "idea" + "being prepared" is the number of open ideas the dashboard shows."""
    if agreement is None:
        return {}
    counts = {stage: idea_list(agreement=agreement, user=user, stage=stage).count() for stage in IdeaStage.values}
    return counts


def meeting_detail(*, meeting: Meeting, user: AnyUser) -> dict[str, Any]:
    """Everything the meeting page shows: agenda with funding effect, decisions, attendance and quorum."""
    proposals = agenda_proposals(meeting)
    effects = _effects(proposals)
    decided_ids = {p.pk for p in proposals if p.status != ProposalStatus.ON_AGENDA}
    decisions = list(meeting.decisions.select_related("proposal__project", "recorded_by", "corrects__proposal")
                     .prefetch_related(Prefetch("funding_lines", queryset=_decision_lines()), "recusals__user")
                     .order_by("decided_at", "pk"))
    members = list(Membership.objects.active(timezone.localdate(meeting.starts_at)).filter(group=meeting.group)
                   .select_related("user", "substitute_for__user", "organisation").order_by("role", "user__last_name"))
    return {
        "meeting": meeting,
        "agenda": [{"proposal": p, "effect": effects[p.pk],
                    "decisions": [d for d in decisions if d.proposal_id == p.pk]} for p in proposals],
        "other_items": list(meeting.other_items.all()),
        "decisions": decisions,
        "members": members,
        "attendee_ids": set(meeting.attendees.values_list("pk", flat=True)),
        "quorum": meeting_quorum(meeting),
        "decided_ids": decided_ids,
    }


def meeting_quorum(meeting: Meeting, *, excluding: Iterable[int] = ()) -> dict[str, int | bool]:
    """Members present (attendees with a seat in the group in their term on the day) against the quorum."""
    day = timezone.localdate(meeting.starts_at)
    excluded = set(excluding)
    member_ids = set(Membership.objects.active(day).filter(group_id=meeting.group_id).values_list("user_id",
                                                                                                  flat=True))
    present = {pk for pk in meeting.attendees.values_list("pk", flat=True) if pk in member_ids} - excluded
    quorum = meeting.group.quorum
    return {"present": len(present), "quorum": quorum, "ok": len(present) >= quorum}


# --- money against the funding frames (registered in funding.commitments by GovernanceConfig.ready) ------

def frame_commitments(*, agreement_id: int, year: int | None, exclude_project_id: int | None,
                      include_pending_proposal_ids: Iterable[int] | None, as_of: dt.date | None
                      ) -> list[Commitment]:
    """Committed money: the approved decisions' lines of projects not yet marked decided (a corrected
    decision counts through its correction only); pending money: the requested lines of proposals waiting
    for a decision (only `include_pending_proposal_ids` when given). ``as_of``: decisions of meetings held
    by the end of that day, projects' and proposals' states of that day."""
    year_q = Q(year=year) if year is not None else Q()
    decisions_q, corrections = Q(), Decision.objects.filter(corrects=OuterRef("decision"))
    decided_projects_q = Q(decision__proposal__project__status__in=DECIDED_STATUSES + DROPPED_STATUSES)
    pending_statuses = [ProposalStatus.SUBMITTED, ProposalStatus.ON_AGENDA]
    proposal_status: Any = F("proposal__status")
    if as_of is not None and not is_live(as_of):
        decisions_q = Q(decision__meeting__starts_at__lt=day_end(as_of))
        corrections = corrections.filter(meeting__starts_at__lt=day_end(as_of))
        decided_projects_q = Q(decision__proposal__project_id__in=project_source(as_of).filter(
            status__in=DECIDED_STATUSES + DROPPED_STATUSES).values("id"))
        proposal_status = Subquery(ProposalTransition.objects.filter(
            proposal=OuterRef("proposal"), at__lt=day_end(as_of)).order_by("-at", "-pk").values("to_status")[:1])
    approved = DecisionFundingLine.objects.filter(
        decisions_q, year_q, decision__proposal__project__agreement_id=agreement_id,
        decision__outcome__in=list(APPROVING_OUTCOMES),
    ).exclude(decided_projects_q).filter(
        # A corrected decision counts through its correction only.
        ~Exists(corrections))
    pending = ProposalFundingLine.objects.alias(proposal_state=proposal_status).filter(
        year_q, proposal__project__agreement_id=agreement_id,
        proposal_state__in=pending_statuses,
    )
    if include_pending_proposal_ids is not None:
        pending = pending.filter(proposal_id__in=list(include_pending_proposal_ids))
    if exclude_project_id is not None:
        approved = approved.exclude(decision__proposal__project_id=exclude_project_id)
        pending = pending.exclude(proposal__project_id=exclude_project_id)
    sources: list[tuple[QuerySet[Any], Kind]] = [(approved, "committed"), (pending, "pending")]
    return [Commitment(kind=kind, code=agg["instrument__code"], year=agg["year"], amount=agg["total"])
            for qs, kind in sources
            for agg in qs.order_by().values("instrument__code", "year").annotate(total=_sum("amount"))]


def pending_proposals(agreement: Agreement) -> QuerySet[Proposal]:
    """The agreement's proposals waiting for a decision, with their requested funding (the what-if page's
    choice; registered in funding.commitments by GovernanceConfig.ready)."""
    return (Proposal.objects.filter(project__agreement=agreement,
                                    status__in=[ProposalStatus.SUBMITTED, ProposalStatus.ON_AGENDA])
            .select_related("project", "project__priority", "meeting")
            .prefetch_related("funding_lines__instrument").order_by("project__code", "pk"))


def with_current_decision(queryset: QuerySet[Proposal], *, user: AnyUser) -> QuerySet[Proposal]:
    """The proposals with ``current_decisions``: their decisions the user may see that no correction has
    superseded, the latest first (the proposal list links a decided proposal to its decision)."""
    decisions = (Decision.objects.visible_to(user).current().select_related("meeting")
                 .order_by("-decided_at", "-pk"))
    return queryset.prefetch_related(Prefetch("decisions", queryset=decisions, to_attr="current_decisions"))


# --- list exports ------------------------------------------------------------------------------------------

def proposal_export_rows(*, queryset: QuerySet[Proposal]) -> tuple[list[str], Iterable[list[Any]]]:
    """Column headings and rows of a proposal export (the filtered list, every page)."""
    from django.utils.translation import gettext as _

    headings = [_("Project code"), _("Project"), _("Proposal"), _("Status"), _("Meeting"), _("Submitted"),
                _("Requested (€)")]
    queryset = queryset.select_related("project", "meeting").annotate(requested=_sum("funding_lines__amount"))

    def rows() -> Iterable[list[Any]]:
        for p in queryset.iterator(chunk_size=1000):
            yield [p.project.code, p.project.title, p.title, p.get_status_display(),
                   str(p.meeting) if p.meeting else "",
                   timezone.localtime(p.submitted_at).date() if p.submitted_at else None, p.requested]

    return headings, rows()


def decision_export_rows(*, queryset: QuerySet[Decision]) -> tuple[list[str], Iterable[list[Any]]]:
    """Column headings and rows of a decision export: every decision the user may see, corrections marked."""
    from django.utils.translation import gettext as _

    headings = [_("Project code"), _("Project"), _("Proposal"), _("Meeting"), _("Decision date"), _("Outcome"),
                _("Reached by"), _("Approved (€)"), _("Conditions"), _("Corrects the decision of")]
    queryset = queryset.select_related("proposal__project", "meeting", "corrects__meeting").annotate(
        granted=_sum("funding_lines__amount"))

    def rows() -> Iterable[list[Any]]:
        for d in queryset.iterator(chunk_size=1000):
            yield [d.proposal.project.code, d.proposal.project.title, d.proposal.title, str(d.meeting),
                   d.decided_on, d.get_outcome_display(), d.get_method_display(), d.granted, d.conditions,
                   d.corrects.decided_on if d.corrects else None]

    return headings, rows()

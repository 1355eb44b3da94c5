"""Every write of the governance app: the proposal and meeting workflows and the permanent decision record.

Each service is atomic, locks the rows two users can race for (`select_for_update`), authorises the user
with the predicates of permissions.py (PermissionDenied), and refuses an illegal step with TransitionError,
a ValidationError whose message says what is wrong and what to do. Every proposal step is recorded as a
ProposalTransition (who, when, from, to). E-mail goes out from Celery tasks after the commit.

Workflow
    proposal:  draft → submitted → on_agenda → decided            (any open state → withdrawn)
               a decision "returned for preparation" sends the proposal back to draft;
               confirming minutes sends undecided agenda proposals back to submitted (postponed).
    meeting:   planned → published (agenda) → held (first decision) → confirmed (minutes; final)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from funding.models import FundingInstrument
from portfolio.choices import ProjectStatus
from portfolio.data import hev
from portfolio.i18n import typed_in
from portfolio.models import Project
from portfolio.services import attachment_check
from portfolio.upsert import translated, upsert

from . import permissions
from .choices import (
    APPROVING_OUTCOMES,
    DECIDING_MEETING_STATUSES,
    DecisionMethod,
    DecisionOutcome,
    GroupKind,
    IdeaStage,
    MeetingStatus,
    ProposalStatus,
)
from .models import (
    AgendaItem,
    ApplicationCriteria,
    CriteriaInUseError,
    CriteriaItem,
    Decision,
    DecisionFundingLine,
    Meeting,
    Membership,
    PermanentRecordError,
    ProjectIdea,
    Proposal,
    ProposalAssessment,
    ProposalAttachment,
    ProposalFundingLine,
    ProposalTransition,
    Recusal,
    SteeringGroup,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.core.files.uploadedfile import UploadedFile

    from portfolio.models import Agreement

    User = AbstractBaseUser

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # the DecimalField's 14 digits

__all__ = [
    "TransitionError", "PermanentRecordError",
    "steering_groups_ensure", "membership_save", "criteria_version_create", "criteria_item_update",
    "idea_create", "idea_update", "idea_set_stage",
    "proposal_create", "proposal_update", "proposal_assess", "proposal_attach", "proposal_submit",
    "proposal_withdraw", "proposal_add_to_agenda", "proposal_remove_from_agenda",
    "meeting_create", "meeting_update", "meeting_add_item", "meeting_publish_agenda",
    "meeting_record_attendance", "meeting_update_minutes", "meeting_confirm_minutes",
    "decision_record", "decision_correct",
]


class TransitionError(ValidationError):
    """An illegal step of the proposal or meeting workflow."""

    def __init__(self, message: Any, code: str = "illegal_transition", params: Any = None) -> None:
        super().__init__(message, code=code, params=params)


def _deny(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You do not have permission to do this."))


def _now() -> dt.datetime:
    return timezone.now()


def _transition(proposal: Proposal, to_status: str, *, user: User | None, meeting: Meeting | None = None,
                note: str = "", from_status: str | None = None) -> None:
    ProposalTransition.objects.create(
        proposal=proposal, from_status=proposal.status if from_status is None else from_status,
        to_status=to_status, meeting=meeting, by=user, at=_now(), note=note[:255],
    )
    proposal.status = to_status


def _lock_proposal(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update(of=("self",)).select_related("project", "meeting").get(pk=proposal.pk)


def _lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).select_related("group").get(pk=meeting.pk)


def _status_label(status: str) -> str:
    return str(ProposalStatus(status).label)


def _meeting_status_label(status: str) -> str:
    return str(MeetingStatus(status).label)


def _require_proposal_status(proposal: Proposal, allowed: Iterable[str], action: str) -> None:
    allowed = tuple(allowed)
    if proposal.status not in allowed:
        raise TransitionError(
            _("Cannot %(action)s: the proposal is “%(status)s”; this is possible only when it is %(allowed)s.")
            % {"action": action, "status": _status_label(proposal.status),
               "allowed": _(" or ").join(f"“{_status_label(s)}”" for s in allowed)},
            code=f"proposal_{proposal.status}",
        )


def _require_meeting_status(meeting: Meeting, allowed: Iterable[str], action: str) -> None:
    allowed = tuple(allowed)
    if meeting.status not in allowed:
        if meeting.status == MeetingStatus.MINUTES_CONFIRMED:
            raise TransitionError(
                _("Cannot %(action)s: the minutes of this meeting are confirmed and it is a permanent record.")
                % {"action": action}, code="meeting_confirmed")
        raise TransitionError(
            _("Cannot %(action)s: the meeting is “%(status)s”; this is possible only when it is %(allowed)s.")
            % {"action": action, "status": _meeting_status_label(meeting.status),
               "allowed": _(" or ").join(f"“{_meeting_status_label(s)}”" for s in allowed)},
            code=f"meeting_{meeting.status}",
        )


def _on_commit(task_name: str, object_id: int) -> None:
    """Write the notification into the outbox inside the surrounding transaction (committed with the change
    or not at all) and hand it to the broker once committed (never before). A broker that refuses it then
    does not undo or fail the saved change: the recovery sweep sends it later."""
    from .notifications import outbox_add, outbox_send

    entry_id = outbox_add(task_name=task_name, object_id=object_id)
    transaction.on_commit(lambda: outbox_send(entry_id=entry_id))


def _set_project_status(project: Project, status: str, *, only_from: Iterable[str], user: User | None) -> None:
    """The project's status follows the governance workflow. Saved like portfolio's own status service
    (project_status_advance): locked, version bumped (ETags and edit forms see the change), with history."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.status not in list(only_from):
        return
    locked.status = status
    locked.version += 1
    locked._history_user = user  # type: ignore[attr-defined]
    locked._change_reason = "governance"  # type: ignore[attr-defined]
    locked.save(update_fields=["status", "version", "updated_at"])
    project.status, project.version = locked.status, locked.version


# --- funding lines ---------------------------------------------------------------------------------------

def _instrument(value: Any) -> FundingInstrument:
    if isinstance(value, FundingInstrument):
        return value
    code = str(getattr(value, "code", value) or "").strip().upper()
    try:
        return FundingInstrument.objects.get(code=code)
    except FundingInstrument.DoesNotExist as exc:
        raise ValidationError(_("Unknown funding instrument “%(code)s”.") % {"code": code},
                              code="unknown_instrument") from exc


def _instrument_unavailable(instrument: FundingInstrument, year: int, on: dt.date) -> str | None:
    """Why new money of the instrument cannot be requested or decided on the day for the year, or None.
    The day is what counts (the submission date of a proposal, the meeting's date of a decision): AKKE
    ended on 31.1.2025 and RRF on 31.8.2026 whatever year a line names."""
    from funding.services import instrument_available_on

    params = {"code": instrument.code, "year": year,
              "until": formats.date_format(instrument.available_until, "SHORT_DATE_FORMAT")
              if instrument.available_until else "",
              "from": formats.date_format(instrument.available_from, "SHORT_DATE_FORMAT")
              if instrument.available_from else ""}
    if not instrument_available_on(instrument, on):
        if instrument.available_until and on > instrument.available_until:
            return _("%(code)s ended on %(until)s; it is no longer available for new funding.") % params
        return _("%(code)s is available only from %(from)s.") % params
    if instrument.available_from and year < instrument.available_from.year:
        return _("%(code)s is not available for %(year)s.") % params
    if instrument.available_until and year > instrument.available_until.year:
        return _("%(code)s ends on %(until)s; it is not available for %(year)s.") % params
    return None


def _clean_lines(*, agreement: Agreement, lines: Iterable[Any], new_money: bool, on: dt.date | None = None,
                 already_granted: Iterable[tuple[str, int]] = ()) -> list[dict[str, Any]]:
    """Funding lines as [{instrument, year, amount}], validated; raises one ValidationError listing all
    problems. ``new_money``: refuse instruments not available on the day ``on`` (default today) or in the
    line's year. ``already_granted``: (code, year) pairs a corrected decision granted, which its
    correction may keep even after the instrument ended."""
    day = on or timezone.localdate()
    kept = set(already_granted)
    errors: list[str] = []
    clean: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()
    years = agreement.years
    for n, line in enumerate(lines, start=1):
        get = line.get if isinstance(line, Mapping) else lambda k, _line=line: getattr(_line, k, None)
        try:
            instrument = _instrument(get("instrument") or get("instrument_code"))
        except ValidationError as exc:
            errors.append(_("Line %(n)s: %(error)s") % {"n": n, "error": exc.messages[0]})
            continue
        try:
            year = int(get("year"))
            raw = get("amount")
            amount = Decimal(str(raw).strip()) if raw not in (None, "") and not isinstance(raw, bool) else None
        except (TypeError, ValueError, InvalidOperation):
            errors.append(_("Line %(n)s: enter a year and an amount in euros.") % {"n": n})
            continue
        if amount is None or not amount.is_finite():
            errors.append(_("Line %(n)s: enter an amount in euros.") % {"n": n})
            continue
        if amount < 0:
            errors.append(_("Line %(n)s: an amount cannot be negative.") % {"n": n})
        elif amount > MAX_AMOUNT:  # before quantize, which fails on huge exponents ("1e400")
            errors.append(_("Line %(n)s: the amount is too large.") % {"n": n})
        elif amount != amount.quantize(CENT):
            errors.append(_("Line %(n)s: an amount has at most two decimals (cents).") % {"n": n})
        else:
            amount = amount.quantize(CENT)
        if year not in years:
            errors.append(_("Line %(n)s: %(year)s is outside the agreement's years %(first)s–%(last)s.")
                          % {"n": n, "year": year, "first": years.start, "last": years.stop - 1})
        elif new_money and (instrument.code, year) not in kept and (
                unavailable := _instrument_unavailable(instrument, year, day)):
            errors.append(_("Line %(n)s: %(error)s") % {"n": n, "error": unavailable})
        if (instrument.code, year) in seen:
            errors.append(_("Line %(n)s: %(code)s %(year)s appears twice.")
                          % {"n": n, "code": instrument.code, "year": year})
        seen.add((instrument.code, year))
        clean.append({"instrument": instrument, "year": year, "amount": amount})
    if errors:
        raise ValidationError(errors, code="invalid_lines")
    return clean


def _replace_proposal_lines(proposal: Proposal, lines: list[dict[str, Any]]) -> None:
    proposal.funding_lines.all().delete()
    ProposalFundingLine.objects.bulk_create([
        ProposalFundingLine(proposal=proposal, instrument=line["instrument"], year=line["year"],
                            amount=line["amount"])
        for line in lines if line["amount"]
    ])


# --- steering groups, criteria ---------------------------------------------------------------------------

def steering_groups_ensure(*, agreement: Any, regional_names: dict[str, str],
                           national_names: dict[str, str]) -> list[str]:
    """The agreement's steering group and the single national steering group exist."""
    changed = []
    _, did = upsert(SteeringGroup, {"kind": GroupKind.REGIONAL, "agreement": agreement},
                    translated("name", regional_names))
    if did:
        changed.append("steering group")
    _, did = upsert(SteeringGroup, {"kind": GroupKind.NATIONAL, "agreement": None},
                    translated("name", national_names))
    if did:
        changed.append("national steering group")
    return changed


def agreement_groups_load(agreement: Agreement) -> list[str]:
    """Governance's part of `portfolio.services.agreement_load` (registered in `GovernanceConfig.ready()`):
    the loaded agreement's steering group and the national one, named as in the agreement's data."""
    return steering_groups_ensure(agreement=agreement, regional_names=hev.STEERING_GROUP,
                                  national_names=hev.NATIONAL_GROUP)


def membership_save(*, group: SteeringGroup, member: User, role: str, user: User | None,
                    organisation: Any = None, substitute_for: Membership | None = None,
                    term_start: dt.date | None = None, term_end: dt.date | None = None) -> Membership:
    """Add a member to a group or change their seat. Only the group's chair/secretary (or a superuser)."""
    if user is not None:
        _deny(permissions.can_manage_members(user, group))
    if substitute_for is not None and substitute_for.group_id != group.pk:
        raise ValidationError(_("A substitute stands in for a member of the same group."))
    with transaction.atomic():
        seat = Membership.objects.select_for_update().filter(group=group, user=member).first() or Membership(
            group=group, user=member)
        if substitute_for is not None and substitute_for.pk == seat.pk:
            raise ValidationError(_("A member cannot be their own substitute."))
        seat.role, seat.organisation, seat.substitute_for = role, organisation, substitute_for
        seat.term_start, seat.term_end = term_start, term_end
        seat.full_clean()
        seat.save()
    return seat


def criteria_version_create(*, group: SteeringGroup, title: str, text: str, items: Iterable[str],
                            valid_from: dt.date, user: User | None) -> ApplicationCriteria:
    """A new version of the group's application criteria; earlier versions stay as they were."""
    if user is not None:
        _deny(bool(user.is_superuser) or permissions.can_manage_meeting(user, group))
    items = [item.strip() for item in items if item and item.strip()]
    if not items:
        raise ValidationError(_("Criteria need at least one checklist item."), code="no_items")
    with transaction.atomic():
        SteeringGroup.objects.select_for_update().filter(pk=group.pk).first()
        last = ApplicationCriteria.objects.filter(group=group).order_by("-version").first()
        criteria = ApplicationCriteria.objects.create(
            group=group, version=(last.version + 1) if last else 1, title=title, text=text,
            valid_from=valid_from, created_by=user)
        CriteriaItem.objects.bulk_create(
            [CriteriaItem(criteria=criteria, position=n, text=text_) for n, text_ in enumerate(items, start=1)])
    return criteria


def criteria_item_update(*, item: CriteriaItem, text: str, user: User | None) -> CriteriaItem:
    """Reword a checklist item that no proposal has yet been assessed against. A used item is immutable
    (the assessments must keep their meaning): a change is a new criteria version (criteria_version_create)."""
    if user is not None:
        _deny(bool(user.is_superuser) or permissions.can_manage_meeting(user, item.criteria.group))
    if not text.strip():
        raise ValidationError({"text": _("Write the criterion.")})
    with transaction.atomic():
        item = CriteriaItem.objects.select_for_update().get(pk=item.pk)
        if item.is_used:
            raise CriteriaInUseError()
        item.text = text.strip()
        item.full_clean()
        item.save()
    return item


def criteria_current(*, agreement: Agreement | None, on: dt.date | None = None) -> ApplicationCriteria | None:
    """The newest criteria version of the agreement's steering group in force on the day."""
    day = on or timezone.localdate()
    return (ApplicationCriteria.objects.filter(group__agreement=agreement, group__kind=GroupKind.REGIONAL,
                                               valid_from__lte=day).order_by("-version").first())


# --- project ideas ---------------------------------------------------------------------------------------

IDEA_FIELDS = ("need", "objectives", "overlaps", "programme_fit", "notes")


def idea_create(*, agreement: Agreement, title: str, priority: Any, lead_organisation: Any, user: User,
                summary: str = "", themes: Iterable[Any] = (), methods: Iterable[Any] = (),
                code: str = "", language: str | None = None, **notes: str) -> ProjectIdea:
    """A new project idea: a Project with status "idea" plus its preparation record.

    `title` and `summary` are typed in `language` (default: the active UI language) and stored in that
    language's column; when that is not Finnish they fill the Finnish column too, so Finnish readers never
    see a blank title (portfolio.i18n.typed_in). The other languages stay empty until someone translates."""
    _deny(permissions.can_prepare_proposal(user, agreement))
    unknown = set(notes) - set(IDEA_FIELDS)
    if unknown:
        raise TypeError(f"unknown idea fields: {sorted(unknown)}")
    if priority.agreement_id != agreement.pk:
        raise ValidationError({"priority": _("Choose a priority of this agreement.")})
    with transaction.atomic():
        if not code:
            n = Project.objects.filter(agreement=agreement).count() + 1
            while Project.objects.filter(agreement=agreement, code=f"IDEA-{n:03d}").exists():
                n += 1
            code = f"IDEA-{n:03d}"
        project = Project(agreement=agreement, code=code, **typed_in("title", title, language=language),
                          **typed_in("summary", summary, language=language), priority=priority,
                          lead_organisation=lead_organisation, status=ProjectStatus.IDEA, coordinator=user)
        project.full_clean()
        project.save()
        project.themes.set(list(themes))
        if methods:
            project.methods.set(list(methods))
        idea = ProjectIdea.objects.create(project=project, created_by=user, **notes)
    return idea


def idea_update(*, idea: ProjectIdea, user: User, **fields: str) -> ProjectIdea:
    """Change the coordinator's notes of an idea (until it is dropped)."""
    _deny(permissions.can_prepare_proposal(user, idea.project.agreement_id))
    unknown = set(fields) - set(IDEA_FIELDS)
    if unknown:
        raise TypeError(f"unknown idea fields: {sorted(unknown)}")
    with transaction.atomic():
        idea = ProjectIdea.objects.select_for_update().get(pk=idea.pk)
        if idea.stage == IdeaStage.DROPPED:
            raise TransitionError(_("This idea has been dropped; it can no longer be changed."))
        for name, value in fields.items():
            setattr(idea, name, value)
        idea.full_clean()
        idea.save()
    return idea


IDEA_STAGE_STEPS: dict[str, tuple[str, ...]] = {
    IdeaStage.IDEA: (IdeaStage.PREPARING, IdeaStage.DROPPED),
    IdeaStage.PREPARING: (IdeaStage.IDEA, IdeaStage.DROPPED),
    IdeaStage.PROPOSAL: (),
    IdeaStage.DROPPED: (IdeaStage.IDEA,),
}


def idea_set_stage(*, idea: ProjectIdea, stage: str, user: User) -> ProjectIdea:
    """Move an idea along idea ⇄ being prepared, or drop it; "proposal" is reached by proposal_create."""
    _deny(permissions.can_prepare_proposal(user, idea.project.agreement_id))
    with transaction.atomic():
        idea = ProjectIdea.objects.select_for_update(of=("self",)).select_related("project").get(pk=idea.pk)
        if stage not in IDEA_STAGE_STEPS[idea.stage]:
            raise TransitionError(_("An idea that is “%(from)s” cannot become “%(to)s”.")
                                  % {"from": IdeaStage(idea.stage).label, "to": IdeaStage(stage).label})
        idea.stage = stage
        idea.save(update_fields=["stage", "updated_at"])
        if stage == IdeaStage.DROPPED:
            _set_project_status(idea.project, ProjectStatus.WITHDRAWN, only_from=[ProjectStatus.IDEA], user=user)
        elif idea.project.status == ProjectStatus.WITHDRAWN:
            _set_project_status(idea.project, ProjectStatus.IDEA, only_from=[ProjectStatus.WITHDRAWN], user=user)
    return idea


# --- proposals -------------------------------------------------------------------------------------------

# A withdrawn project may be proposed again (it goes back to "idea"); rejected and closed ones may not.
PROPOSABLE_PROJECT_STATUSES = (ProjectStatus.IDEA, ProjectStatus.PROPOSAL, ProjectStatus.APPROVED,
                               ProjectStatus.RUNNING, ProjectStatus.WITHDRAWN)


def proposal_create(*, project: Project, title: str, user: User, plan: str = "",
                    funding_lines: Iterable[Any] = (), criteria: ApplicationCriteria | None = None) -> Proposal:
    """A draft proposal for a project (an idea, or an existing project that asks for more funding).
    Without ``criteria`` the agreement's current criteria version is used."""
    _deny(permissions.can_prepare_proposal(user, project.agreement_id))
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        if project.status not in PROPOSABLE_PROJECT_STATUSES:
            raise TransitionError(_("A proposal cannot be made for a project that is “%(status)s”.")
                                  % {"status": ProjectStatus(project.status).label}, code="project_closed")
        if Proposal.objects.filter(project=project).open().exists():
            raise TransitionError(_("This project already has an open proposal; continue with that one or "
                                    "withdraw it first."), code="open_proposal_exists")
        lines = _clean_lines(agreement=project.agreement, lines=funding_lines, new_money=True)
        if criteria is None:
            criteria = criteria_current(agreement=project.agreement)
        elif criteria.group.agreement_id != project.agreement_id:
            raise ValidationError({"criteria": _("Choose criteria of this agreement's steering group.")})
        proposal = Proposal(project=project, title=title, plan=plan, criteria=criteria, created_by=user,
                            status=ProposalStatus.DRAFT)
        proposal.full_clean()
        proposal.save()
        _transition(proposal, ProposalStatus.DRAFT, user=user, from_status="", note=_("Created"))
        _replace_proposal_lines(proposal, lines)
        _set_project_status(project, ProjectStatus.IDEA, only_from=[ProjectStatus.WITHDRAWN], user=user)
        ProjectIdea.objects.filter(project=project).exclude(stage=IdeaStage.DROPPED).update(
            stage=IdeaStage.PROPOSAL, updated_at=_now())
    return proposal


def proposal_update(*, proposal: Proposal, user: User, title: str | None = None, plan: str | None = None,
                    funding_lines: Iterable[Any] | None = None,
                    criteria: ApplicationCriteria | None = None) -> Proposal:
    """Change a draft: title, plan, requested funding (replaced as a whole) and criteria version."""
    with transaction.atomic():
        proposal = _lock_proposal(proposal)
        _deny(permissions.can_prepare_proposal(user, proposal.project.agreement_id))
        _require_proposal_status(proposal, [ProposalStatus.DRAFT], _("change the proposal"))
        if title is not None:
            proposal.title = title
        if plan is not None:
            proposal.plan = plan
        if criteria is not None:
            if criteria.group.agreement_id != proposal.project.agreement_id:
                raise ValidationError({"criteria": _("Choose criteria of this agreement's steering group.")})
            proposal.criteria = criteria
        proposal.full_clean()
        proposal.save()
        if funding_lines is not None:
            _replace_proposal_lines(
                proposal, _clean_lines(agreement=proposal.project.agreement, lines=funding_lines, new_money=True))
    return proposal


def proposal_assess(*, proposal: Proposal, answers: Mapping[int, tuple[str, str]], user: User) -> Proposal:
    """Answer the criteria checklist: {item id: (answer, justification)}. Drafts only."""
    from .choices import CriterionAnswer

    with transaction.atomic():
        proposal = _lock_proposal(proposal)
        _deny(permissions.can_prepare_proposal(user, proposal.project.agreement_id))
        _require_proposal_status(proposal, [ProposalStatus.DRAFT], _("assess the proposal against the criteria"))
        if proposal.criteria_id is None:
            raise TransitionError(_("The proposal has no application criteria to assess against."))
        items = {item.pk: item for item in proposal.criteria.items.all()}
        for item_id, (answer, note) in answers.items():
            if int(item_id) not in items:
                raise ValidationError(_("The criterion does not belong to this proposal's criteria."))
            if answer not in CriterionAnswer.values:
                raise ValidationError(_("Choose an assessment for every criterion."))
            ProposalAssessment.objects.update_or_create(proposal=proposal, item=items[int(item_id)],
                                                        defaults={"answer": answer, "note": note or ""})
    return proposal




def proposal_attach(*, proposal: Proposal, uploaded: UploadedFile, user: User) -> ProposalAttachment:
    """Attach a document to a draft or submitted proposal. The type is checked from the file's first bytes,
    not only from its name; the file is stored under a generated name."""
    import os

    name = os.path.basename((uploaded.name or "").replace("\\", "/"))[:255] or "file"
    try:
        content_type = attachment_check(upload=uploaded)[1]  # one upload rule for the whole portal
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    with transaction.atomic():
        proposal = _lock_proposal(proposal)
        _deny(permissions.can_prepare_proposal(user, proposal.project.agreement_id))
        _require_proposal_status(proposal, [ProposalStatus.DRAFT, ProposalStatus.SUBMITTED],
                                 _("attach a document"))
        attachment = ProposalAttachment(proposal=proposal, original_name=name, content_type=content_type,
                                        size=uploaded.size, uploaded_by=user)
        attachment.file.save(name, uploaded, save=False)
        attachment.save()
    return attachment


def proposal_submit(*, proposal: Proposal, user: User) -> Proposal:
    """Draft → submitted: the proposal goes to the steering group. Needs a plan, requested funding and,
    when the proposal has criteria, an assessment of every criterion."""
    with transaction.atomic():
        proposal = _lock_proposal(proposal)
        _deny(permissions.can_prepare_proposal(user, proposal.project.agreement_id))
        _require_proposal_status(proposal, [ProposalStatus.DRAFT], _("submit the proposal"))
        problems = []
        if not proposal.plan.strip():
            problems.append(_("Write the project plan before submitting."))
        if not proposal.funding_lines.filter(amount__gt=0).exists():
            problems.append(_("Enter the requested funding by instrument and year before submitting."))
        try:  # availability is checked on the submission date, which may be after the draft was written
            _clean_lines(agreement=proposal.project.agreement, new_money=True, on=timezone.localdate(),
                         lines=proposal.funding_lines.select_related("instrument"))
        except ValidationError as exc:
            problems.extend(exc.messages)
        if proposal.criteria_id is not None:
            missing = proposal.criteria.items.exclude(
                pk__in=proposal.assessments.values("item_id")).count()
            if missing:
                problems.append(_("Assess the proposal against every criterion (%(n)s not assessed).")
                                % {"n": missing})
        if problems:
            raise TransitionError(problems, code="incomplete")
        _transition(proposal, ProposalStatus.SUBMITTED, user=user)
        proposal.submitted_at = _now()
        proposal.save(update_fields=["status", "submitted_at", "updated_at"])
        _set_project_status(proposal.project, ProjectStatus.PROPOSAL, only_from=[ProjectStatus.IDEA], user=user)
        _on_commit("proposal_submitted_notify_task", proposal.pk)
    return proposal


def proposal_withdraw(*, proposal: Proposal, user: User, reason: str = "") -> Proposal:
    """Draft, submitted or on an agenda → withdrawn (off the agenda). A decided proposal stays decided."""
    with transaction.atomic():
        proposal = _lock_proposal(proposal)
        _deny(permissions.can_prepare_proposal(user, proposal.project.agreement_id))
        _require_proposal_status(proposal, [ProposalStatus.DRAFT, ProposalStatus.SUBMITTED,
                                            ProposalStatus.ON_AGENDA], _("withdraw the proposal"))
        if proposal.meeting_id and proposal.meeting.status == MeetingStatus.MINUTES_CONFIRMED:
            raise TransitionError(_("The meeting's minutes are confirmed; the proposal can no longer be withdrawn."))
        meeting = proposal.meeting
        _transition(proposal, ProposalStatus.WITHDRAWN, user=user, meeting=meeting, note=reason)
        proposal.meeting = None
        proposal.save(update_fields=["status", "meeting", "updated_at"])
        # Only a project that never got further than the proposal is withdrawn with it.
        _set_project_status(proposal.project, ProjectStatus.WITHDRAWN,
                            only_from=[ProjectStatus.IDEA, ProjectStatus.PROPOSAL], user=user)
    return proposal


def proposal_add_to_agenda(*, proposal: Proposal, meeting: Meeting, user: User) -> Proposal:
    """Submitted → on the agenda of a planned or published meeting of the agreement's steering group."""
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        proposal = _lock_proposal(proposal)
        _deny(permissions.can_manage_meeting(user, meeting.group))
        _require_proposal_status(proposal, [ProposalStatus.SUBMITTED], _("put the proposal on an agenda"))
        _require_meeting_status(meeting, [MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED],
                                _("add items to the agenda"))
        if meeting.group.agreement_id != proposal.project.agreement_id:
            raise TransitionError(_("The proposal belongs to another agreement; put it on a meeting of its own "
                                    "agreement's steering group."), code="wrong_group")
        _transition(proposal, ProposalStatus.ON_AGENDA, user=user, meeting=meeting)
        proposal.meeting = meeting
        proposal.save(update_fields=["status", "meeting", "updated_at"])
    return proposal


def proposal_remove_from_agenda(*, proposal: Proposal, user: User) -> Proposal:
    """On the agenda → submitted, while the meeting has not been held."""
    with transaction.atomic():
        proposal = _lock_proposal(proposal)
        _require_proposal_status(proposal, [ProposalStatus.ON_AGENDA], _("remove the proposal from the agenda"))
        meeting = _lock_meeting(proposal.meeting)
        _deny(permissions.can_manage_meeting(user, meeting.group))
        _require_meeting_status(meeting, [MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED],
                                _("change the agenda"))
        _transition(proposal, ProposalStatus.SUBMITTED, user=user, meeting=meeting, note=_("Removed from the agenda"))
        proposal.meeting = None
        proposal.save(update_fields=["status", "meeting", "updated_at"])
    return proposal


# --- meetings --------------------------------------------------------------------------------------------

def meeting_create(*, group: SteeringGroup, title: str, starts_at: dt.datetime, user: User,
                   location: str = "", online_url: str = "") -> Meeting:
    """A planned meeting of a steering group."""
    _deny(permissions.can_manage_meeting(user, group))
    if not (location or online_url):
        raise ValidationError(_("Give the place of the meeting or its online link."), code="no_place")
    meeting = Meeting(group=group, title=title, starts_at=starts_at, location=location, online_url=online_url,
                      status=MeetingStatus.PLANNED, created_by=user)
    meeting.full_clean()
    meeting.save()
    return meeting


def meeting_update(*, meeting: Meeting, user: User, title: str | None = None,
                   starts_at: dt.datetime | None = None, location: str | None = None,
                   online_url: str | None = None) -> Meeting:
    """Change the time or place of a meeting that has not been held."""
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        _deny(permissions.can_manage_meeting(user, meeting.group))
        _require_meeting_status(meeting, [MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED],
                                _("change the meeting"))
        for name, value in (("title", title), ("starts_at", starts_at), ("location", location),
                            ("online_url", online_url)):
            if value is not None:
                setattr(meeting, name, value)
        meeting.full_clean()
        meeting.save()
    return meeting


def meeting_add_item(*, meeting: Meeting, title: str, user: User, description: str = "") -> AgendaItem:
    """An agenda item other than a proposal."""
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        _deny(permissions.can_manage_meeting(user, meeting.group))
        _require_meeting_status(meeting, [MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED],
                                _("add items to the agenda"))
        if not title.strip():
            raise ValidationError({"title": _("Give the item a title.")})
        position = meeting.other_items.count() + 1
        return AgendaItem.objects.create(meeting=meeting, title=title.strip(), description=description,
                                         position=position)


def meeting_publish_agenda(*, meeting: Meeting, user: User) -> Meeting:
    """Planned → agenda published; the members and the agreement's coordinators are told by e-mail."""
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        _deny(permissions.can_manage_meeting(user, meeting.group))
        _require_meeting_status(meeting, [MeetingStatus.PLANNED], _("publish the agenda"))
        if not meeting.proposals.exists() and not meeting.other_items.exists():
            raise TransitionError(_("The agenda is empty: add submitted proposals or other items before "
                                    "publishing it."), code="empty_agenda")
        meeting.status = MeetingStatus.AGENDA_PUBLISHED
        meeting.agenda_published_at = _now()
        meeting.agenda_published_by = user
        meeting.save(update_fields=["status", "agenda_published_at", "agenda_published_by"])
        _on_commit("agenda_published_notify_task", meeting.pk)
    return meeting


def meeting_record_attendance(*, meeting: Meeting, attendees: Iterable[User], user: User) -> Meeting:
    """Who is present (members, substitutes, presenters); quorum counts the group's members only."""
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        _deny(permissions.can_keep_minutes(user, meeting))
        _require_meeting_status(meeting, DECIDING_MEETING_STATUSES, _("record attendance"))
        meeting.attendees.set(list(attendees))
    return meeting


def meeting_update_minutes(*, meeting: Meeting, minutes: str, user: User) -> Meeting:
    """Write the minutes of a published or held meeting (until they are confirmed)."""
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        _deny(permissions.can_keep_minutes(user, meeting))
        _require_meeting_status(meeting, DECIDING_MEETING_STATUSES, _("change the minutes"))
        meeting.minutes = minutes
        meeting.save(update_fields=["minutes"])
    return meeting


def meeting_quorum(meeting: Meeting, *, excluding: Iterable[int] = ()) -> dict[str, int | bool]:
    """Members present (attendees with a seat in the group in their term on the day) against the quorum."""
    day = timezone.localdate(meeting.starts_at)
    excluded = set(excluding)
    member_ids = set(Membership.objects.active(day).filter(group_id=meeting.group_id).values_list("user_id",
                                                                                                  flat=True))
    present = {pk for pk in meeting.attendees.values_list("pk", flat=True) if pk in member_ids} - excluded
    quorum = meeting.group.quorum
    return {"present": len(present), "quorum": quorum, "ok": len(present) >= quorum}


def meeting_confirm_minutes(*, meeting: Meeting, user: User) -> Meeting:
    """The final act: the minutes and every decision of the meeting become a permanent record. Proposals
    still on the agenda without a decision go back to "submitted" for a later meeting."""
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        _deny(permissions.can_keep_minutes(user, meeting))
        _require_meeting_status(meeting, DECIDING_MEETING_STATUSES, _("confirm the minutes"))
        if not meeting.minutes.strip():
            raise TransitionError(_("Write the minutes before confirming them."), code="no_minutes")
        for proposal in Proposal.objects.select_for_update().filter(meeting=meeting,
                                                                    status=ProposalStatus.ON_AGENDA):
            _transition(proposal, ProposalStatus.SUBMITTED, user=user, meeting=meeting,
                        note=_("Not decided; postponed to a later meeting"))
            proposal.meeting = None
            proposal.save(update_fields=["status", "meeting", "updated_at"])
        meeting.status = MeetingStatus.MINUTES_CONFIRMED
        meeting.minutes_confirmed_at = _now()
        meeting.minutes_confirmed_by = user
        meeting.save(update_fields=["status", "minutes_confirmed_at", "minutes_confirmed_by"])
    return meeting


# --- decisions -------------------------------------------------------------------------------------------

def _clean_recusals(recusals: Iterable[Any], group_id: int) -> list[tuple[Any, str]]:
    result: list[tuple[Any, str]] = []
    seen = set()
    for item in recusals:
        if isinstance(item, Mapping):
            member, reason = item.get("user"), item.get("reason", "")
        elif isinstance(item, tuple | list):
            member, reason = item[0], (item[1] if len(item) > 1 else "")
        else:
            member, reason = item, ""
        member_id = getattr(member, "pk", member)
        if member_id in seen:
            continue
        seen.add(member_id)
        if not Membership.objects.filter(group_id=group_id, user_id=member_id).exists():
            raise ValidationError({"recusals": _("Only members of the steering group can be recorded as recused.")})
        result.append((member_id, str(reason or "")[:255]))
    return result


def _validate_decision_input(*, meeting: Meeting, outcome: str, method: str, votes_for: int | None,
                             votes_against: int | None, votes_abstain: int | None, approved: list[dict[str, Any]],
                             conditions: str, recused_ids: set[int], user: User, rationale: str = "") -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if outcome not in DecisionOutcome.values:
        add("outcome", _("Choose the outcome of the decision."))
    if method not in DecisionMethod.values:
        add("method", _("Say whether the decision was reached by consensus or by vote."))
    quorum = meeting_quorum(meeting, excluding=recused_ids)
    if not quorum["ok"]:
        add("__all__", _("No quorum: %(present)s members present and not recused, %(quorum)s needed. Record the "
                         "attendance first.") % quorum)
    if user.pk in recused_ids:
        add("recusals", _("You are recused from this decision; another chair or secretary records it."))
    if method == DecisionMethod.VOTE:
        if votes_for is None or votes_against is None:
            add("votes_for", _("A vote records the votes for and against."))
        else:
            if min(votes_for, votes_against, votes_abstain or 0) < 0:
                add("votes_for", _("Vote counts cannot be negative."))
            total = votes_for + votes_against + (votes_abstain or 0)
            if total > quorum["present"]:
                add("votes_for", _("%(total)s votes were counted but only %(present)s members could vote.")
                    % {"total": total, "present": quorum["present"]})
            if outcome in APPROVING_OUTCOMES and votes_for < votes_against:
                add("outcome", _("The vote went against the proposal; it cannot be recorded as approved."))
    elif method == DecisionMethod.CONSENSUS and any(v is not None for v in (votes_for, votes_against, votes_abstain)):
        add("method", _("A consensus decision has no vote counts; choose “vote” to record them."))
    if outcome in APPROVING_OUTCOMES:
        if not any(line["amount"] > 0 for line in approved):
            add("approved_lines", _("An approval states the approved funding by instrument and year."))
    elif approved and any(line["amount"] for line in approved):
        add("approved_lines", _("Only an approval grants funding; remove the amounts or change the outcome."))
    if outcome == DecisionOutcome.APPROVED_WITH_CONDITIONS and not conditions.strip():
        add("conditions", _("Write the conditions of the approval."))
    if outcome == DecisionOutcome.REJECTED and not rationale.strip():
        add("rationale", _("Give the reasons for the rejection: a rejection is recorded with its grounds."))
    if errors:
        raise ValidationError(errors, code="invalid_decision")


def _apply_decision(decision: Decision, approved: list[dict[str, Any]], corrected: Decision | None) -> None:
    """The decision's effects on the project, in the caller's transaction: status and granted funding."""
    from funding import services as funding_services

    project = Project.objects.select_for_update().get(pk=decision.proposal.project_id)
    by = decision.recorded_by
    wanted: dict[tuple[str, int], Decimal] = {}
    if decision.outcome in APPROVING_OUTCOMES:
        funding_services.frame_check_commit(
            agreement=project.agreement,
            lines=[{"instrument": line["instrument"].code, "year": line["year"], "amount": line["amount"]}
                   for line in approved],
            exclude_project=project)
        wanted = {(line["instrument"].code, line["year"]): line["amount"] for line in approved}
    # A correction withdraws what the corrected decision granted and did not grant again.
    withdrawn: set[tuple[str, int]] = set()
    if corrected is not None and corrected.outcome in APPROVING_OUTCOMES:
        withdrawn = {(line.instrument.code, line.year) for line in corrected.funding_lines.select_related(
            "instrument")} - set(wanted)
    requested = {(line.instrument.code, line.year): line.amount
                 for line in decision.proposal.funding_lines.select_related("instrument")}
    # Granted money changes only through the funding app's ledger service, which records this decision as
    # the source of each amount.
    keys = [*wanted, *sorted(withdrawn)]
    if keys:
        funding_services.granted_set_from_decision(
            project=project, amounts={key: wanted.get(key, Decimal("0.00")) for key in keys},
            planned_if_new={key: requested.get(key, wanted.get(key, Decimal("0.00"))) for key in keys},
            source=_("Steering-group decision %(id)s (%(meeting)s)") % {"id": decision.pk,
                                                                          "meeting": decision.meeting},
            user=by)
    if decision.outcome in APPROVING_OUTCOMES:
        _set_project_status(project, ProjectStatus.APPROVED,
                            only_from=[ProjectStatus.IDEA, ProjectStatus.PROPOSAL, ProjectStatus.REJECTED], user=by)
    elif decision.outcome == DecisionOutcome.REJECTED:
        _set_project_status(project, ProjectStatus.REJECTED,
                            only_from=[ProjectStatus.IDEA, ProjectStatus.PROPOSAL, ProjectStatus.APPROVED]
                            if corrected is not None else [ProjectStatus.IDEA, ProjectStatus.PROPOSAL], user=by)
    elif decision.outcome == DecisionOutcome.RETURNED and corrected is not None:
        _set_project_status(project, ProjectStatus.PROPOSAL,
                            only_from=[ProjectStatus.APPROVED, ProjectStatus.REJECTED], user=by)


def _check_grant_against_request(proposal: Proposal, approved: list[dict[str, Any]]) -> None:
    """A decision grants at most what the proposal requests, per instrument and year (the stricter reading:
    moving money between instruments or years is a change of the proposal too). More is an amendment of
    the proposal first: return it for preparation, change the request, and decide it again."""
    requested = {(line.instrument.code, line.year): line.amount
                 for line in proposal.funding_lines.select_related("instrument")}
    errors = []
    for line in approved:
        key = (line["instrument"].code, line["year"])
        asked = requested.get(key, Decimal("0.00"))
        if line["amount"] and line["amount"] > asked:
            errors.append(_("%(code)s %(year)s: the decision grants %(granted)s but the proposal requests "
                            "%(requested)s. A decision cannot grant more than requested: amend the proposal "
                            "first (return it for preparation).")
                          % {"code": key[0], "year": key[1], "granted": _euros(line["amount"]),
                             "requested": _euros(asked)})
    if errors:
        raise ValidationError({"approved_lines": errors}, code="more_than_requested")


def _check_frames_exist(agreement: Agreement, approved: list[dict[str, Any]]) -> None:
    """EU and state money is committed only within a funding frame: a year whose frame TEM has not yet
    allocated (no regional allocation decision) cannot take commitments until the frame is recorded."""
    from funding.choices import ShareGroup
    from funding.selectors import frames_for

    framed = {(frame.instrument.code, frame.year) for frame in frames_for(agreement=agreement)}
    errors = [
        _("%(code)s %(year)s has no funding frame yet (no regional allocation decision): the funding can be "
          "decided once the frame for that year is recorded.") % {"code": line["instrument"].code,
                                                                  "year": line["year"]}
        for line in approved
        if line["amount"] and line["instrument"].share_group == ShareGroup.EU_STATE
        and (line["instrument"].code, line["year"]) not in framed]
    if errors:
        raise ValidationError({"approved_lines": errors}, code="no_frame")


def _euros(value: Decimal) -> str:
    return f"{formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)} €"


def _create_decision(*, proposal: Proposal, meeting: Meeting, outcome: str, method: str, votes_for: int | None,
                     votes_against: int | None, votes_abstain: int | None, approved_lines: Iterable[Any],
                     conditions: str, rationale: str, recusals: Iterable[Any], user: User,
                     corrects: Decision | None) -> Decision:
    now = _now()
    if now < meeting.starts_at:
        raise TransitionError(
            _("The meeting starts on %(when)s: its decisions can be recorded once it has started.")
            % {"when": formats.date_format(timezone.localtime(meeting.starts_at), "SHORT_DATETIME_FORMAT")},
            code="meeting_not_started")
    decided_on = timezone.localdate(meeting.starts_at)
    already = {(line.instrument.code, line.year) for line in corrects.funding_lines.select_related("instrument")
               } if corrects is not None else set()
    try:
        approved = _clean_lines(agreement=proposal.project.agreement, lines=approved_lines, new_money=True,
                                on=decided_on, already_granted=already)
    except ValidationError as exc:
        raise ValidationError({"approved_lines": exc.messages}, code="invalid_lines") from exc
    recused = _clean_recusals(recusals, meeting.group_id)
    if method == DecisionMethod.VOTE and votes_abstain is None and votes_for is not None:
        votes_abstain = 0
    _validate_decision_input(meeting=meeting, outcome=outcome, method=method, votes_for=votes_for,
                             votes_against=votes_against, votes_abstain=votes_abstain, approved=approved,
                             conditions=conditions, recused_ids={pk for pk, _r in recused}, user=user,
                             rationale=rationale)
    if outcome in APPROVING_OUTCOMES:
        _check_grant_against_request(proposal, approved)
        _check_frames_exist(proposal.project.agreement, approved)
    decision = Decision(proposal=proposal, meeting=meeting, outcome=outcome, method=method, votes_for=votes_for,
                        votes_against=votes_against, votes_abstain=votes_abstain, conditions=conditions,
                        rationale=rationale, corrects=corrects, recorded_by=user, decided_at=now,
                        decided_on=decided_on)
    decision.full_clean()
    decision.save()
    DecisionFundingLine.objects.bulk_create([
        DecisionFundingLine(decision=decision, instrument=line["instrument"], year=line["year"],
                            amount=line["amount"]) for line in approved if line["amount"]])
    Recusal.objects.bulk_create([Recusal(decision=decision, user_id=pk, reason=reason) for pk, reason in recused])
    _apply_decision(decision, approved, corrects)
    if meeting.status == MeetingStatus.AGENDA_PUBLISHED:
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["status"])
    _on_commit("decision_recorded_notify_task", decision.pk)
    return decision


def decision_record(*, proposal: Proposal, meeting: Meeting, outcome: str, user: User,
                    method: str = DecisionMethod.CONSENSUS, votes_for: int | None = None,
                    votes_against: int | None = None, votes_abstain: int | None = None,
                    approved_lines: Iterable[Any] = (), conditions: str = "", rationale: str = "",
                    recusals: Iterable[Any] = ()) -> Decision:
    """Record the steering group's decision on a proposal on the meeting's agenda. An approval moves the
    project to "approved" and sets its granted funding; all of it commits together or not at all.
    ``approved_lines``: [{instrument (code), year, amount}]; ``recusals``: users or (user, reason)."""
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        proposal = _lock_proposal(proposal)
        _deny(permissions.can_record_decision(user, meeting))
        _require_meeting_status(meeting, DECIDING_MEETING_STATUSES, _("record a decision"))
        if proposal.meeting_id != meeting.pk:
            if proposal.status == ProposalStatus.DECIDED:
                raise TransitionError(_("This proposal has already been decided; a change is a correcting "
                                        "decision."), code="proposal_decided")
            raise TransitionError(_("The proposal is not on this meeting's agenda."), code="not_on_agenda")
        _require_proposal_status(proposal, [ProposalStatus.ON_AGENDA], _("record a decision"))
        decision = _create_decision(proposal=proposal, meeting=meeting, outcome=outcome, method=method,
                                    votes_for=votes_for, votes_against=votes_against, votes_abstain=votes_abstain,
                                    approved_lines=approved_lines, conditions=conditions, rationale=rationale,
                                    recusals=recusals, user=user, corrects=None)
        if outcome == DecisionOutcome.RETURNED:
            _transition(proposal, ProposalStatus.DECIDED, user=user, meeting=meeting,
                        note=str(DecisionOutcome(outcome).label))
            _transition(proposal, ProposalStatus.DRAFT, user=user, meeting=meeting,
                        note=_("Returned for preparation"))
            proposal.meeting = None
            proposal.submitted_at = None
            proposal.save(update_fields=["status", "meeting", "submitted_at", "updated_at"])
        else:
            _transition(proposal, ProposalStatus.DECIDED, user=user, meeting=meeting,
                        note=str(DecisionOutcome(outcome).label))
            proposal.save(update_fields=["status", "updated_at"])
    return decision


def decision_correct(*, decision: Decision, meeting: Meeting, outcome: str, rationale: str, user: User,
                     method: str = DecisionMethod.CONSENSUS, votes_for: int | None = None,
                     votes_against: int | None = None, votes_abstain: int | None = None,
                     approved_lines: Iterable[Any] = (), conditions: str = "",
                     recusals: Iterable[Any] = ()) -> Decision:
    """A new decision, taken at a meeting of the same group, that corrects an earlier one. The earlier
    decision is left as it was (the permanent record); its project effects are replaced by the new ones."""
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        original = (Decision.objects.select_for_update(of=("self",)).select_related("proposal", "meeting")
                    .get(pk=decision.pk))
        proposal = _lock_proposal(original.proposal)
        _deny(permissions.can_correct_decision(user, original, meeting))
        _require_meeting_status(meeting, DECIDING_MEETING_STATUSES, _("record a correcting decision"))
        if Decision.objects.filter(corrects=original).exists():
            raise TransitionError(_("This decision has already been corrected; correct the latest correction "
                                    "instead."), code="already_corrected")
        if not rationale.strip():
            raise ValidationError({"rationale": _("Say why the decision is corrected.")})
        if original.outcome == DecisionOutcome.RETURNED and proposal.status != ProposalStatus.DRAFT:
            raise TransitionError(_("The returned proposal has moved on; decide it again instead of correcting."),
                                  code="returned_moved_on")
        corrected = _create_decision(proposal=proposal, meeting=meeting, outcome=outcome, method=method,
                                     votes_for=votes_for, votes_against=votes_against,
                                     votes_abstain=votes_abstain, approved_lines=approved_lines,
                                     conditions=conditions, rationale=rationale, recusals=recusals, user=user,
                                     corrects=original)
        target = ProposalStatus.DRAFT if outcome == DecisionOutcome.RETURNED else ProposalStatus.DECIDED
        note = _("Corrected by a new decision")
        if proposal.status != target:
            if target == ProposalStatus.DECIDED:
                proposal.meeting = meeting
            else:
                proposal.meeting = None
            _transition(proposal, target, user=user, meeting=meeting, note=note)
            proposal.save(update_fields=["status", "meeting", "updated_at"])
        else:
            ProposalTransition.objects.create(proposal=proposal, from_status=proposal.status, to_status=target,
                                              meeting=meeting, by=user, at=_now(), note=note)
    return corrected

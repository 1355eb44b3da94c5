"""The proposal workflow: draft → submitted → on the agenda (→ withdrawn)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.choices import ProjectStatus
from portfolio.models import Project
from portfolio.services import attachment_check

from .. import permissions
from ..choices import (
    PROPOSABLE_PROJECT_STATUSES,
    IdeaStage,
    MeetingStatus,
    ProposalStatus,
)
from ..models import (
    ApplicationCriteria,
    Meeting,
    ProjectIdea,
    Proposal,
    ProposalAssessment,
    ProposalAttachment,
)
from ._common import (
    TransitionError,
    _clean_lines,
    _deny,
    _idea_follow,
    _lock_meeting,
    _lock_proposal,
    _now,
    _on_commit,
    _replace_proposal_lines,
    _require_meeting_status,
    _require_proposal_status,
    _set_project_status,
    _transition,
)
from .groups import criteria_current

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import UploadedFile


# --- proposals -------------------------------------------------------------------------------------------

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
        if project.status == ProjectStatus.IDEA:
            # An idea whose proposal is being written is "being prepared"; it becomes "proposal" when the
            # proposal is submitted (its project's status then is "proposal": _idea_follow).
            _idea_follow(project, user=user)
            ProjectIdea.objects.filter(project=project, stage=IdeaStage.IDEA).update(
                stage=IdeaStage.PREPARING, updated_at=_now())
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
    from ..choices import CriterionAnswer

    with transaction.atomic():
        proposal = _lock_proposal(proposal)
        _deny(permissions.can_prepare_proposal(user, proposal.project.agreement_id))
        _require_proposal_status(proposal, [ProposalStatus.DRAFT], _("assess the proposal against the criteria"))
        criteria = proposal.criteria
        if criteria is None:
            raise TransitionError(_("The proposal has no application criteria to assess against."))
        items = {item.pk: item for item in criteria.items.all()}
        for item_id, (answer, note) in answers.items():
            if int(item_id) not in items:
                raise ValidationError(_("The criterion does not belong to this proposal's criteria."))
            if answer not in CriterionAnswer.values:
                raise ValidationError(_("Choose an assessment for every criterion."))
            ProposalAssessment.objects.update_or_create(proposal=proposal, item=items[int(item_id)],
                                                        defaults={"answer": answer, "note": note or ""})
    return proposal


def proposal_attach(*, proposal: Proposal, uploaded: UploadedFile[Any], user: User) -> ProposalAttachment:
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
                                        size=uploaded.size,  # type: ignore[misc]  # a received upload has one
                                        uploaded_by=user)
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
        if proposal.criteria is not None:
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
        if proposal.meeting is not None and proposal.meeting.status == MeetingStatus.MINUTES_CONFIRMED:
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
        meeting = _lock_meeting(proposal.meeting)  # type: ignore[arg-type]  # on the agenda: has one
        _deny(permissions.can_manage_meeting(user, meeting.group))
        _require_meeting_status(meeting, [MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED],
                                _("change the agenda"))
        _transition(proposal, ProposalStatus.SUBMITTED, user=user, meeting=meeting, note=_("Removed from the agenda"))
        proposal.meeting = None
        proposal.save(update_fields=["status", "meeting", "updated_at"])
    return proposal

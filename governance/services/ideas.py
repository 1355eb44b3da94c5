"""Project ideas: preparation before a proposal."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portfolio.choices import ProjectStatus
from portfolio.i18n import typed_in
from portfolio.models import Agreement, Project
from portfolio.selectors import project_code_next

from .. import permissions
from ..choices import (
    IdeaStage,
)
from ..models import (
    ProjectIdea,
)
from ._common import (
    TransitionError,
    _deny,
    _set_project_status,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from portfolio.models import Organisation, Priority


# --- project ideas ---------------------------------------------------------------------------------------

IDEA_FIELDS = ("need", "objectives", "overlaps", "programme_fit", "notes")


def idea_create(*, agreement: Agreement, title: str, priority: Priority, lead_organisation: Organisation, user: User,
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
    themes = list(themes)
    if any(theme.agreement_id != agreement.pk for theme in themes):
        # The same rule as portfolio.services._m2m_apply: a project's themes are its own agreement's.
        raise ValidationError({"themes": [_("Choose themes of this project's agreement.")]},
                              code="theme_of_other_agreement")
    with transaction.atomic():
        if not code:
            # A provisional code until the steering group approves the idea (portfolio.services.project_admit).
            Agreement.objects.select_for_update().get(pk=agreement.pk)
            code = project_code_next(agreement=agreement, provisional=True)
        project = Project(agreement=agreement, code=code, **typed_in("title", title, language=language),
                          **typed_in("summary", summary, language=language), priority=priority,
                          lead_organisation=lead_organisation, status=ProjectStatus.IDEA, coordinator=user)
        project.full_clean()
        project.save()
        project.themes.set(themes)
        if methods:
            project.methods.set(list(methods))
        idea = ProjectIdea.objects.create(project=project, created_by=user, **notes)
    return idea


def idea_record_ensure(project: Project, user: User | None) -> ProjectIdea | None:
    """The preparation record of a project in status "idea" that has none (a project created on the
    project form, by the API or an import: every new project starts as an idea). Registered with
    portfolio.services.project_create in GovernanceConfig.ready(); runs in its transaction."""
    if project.status != ProjectStatus.IDEA:
        return None
    idea, _created = ProjectIdea.objects.get_or_create(project=project, defaults={"created_by": user})
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


# The steps a coordinator takes on the idea page. "Proposal", "became a project" and "rejected" follow the
# project's status (proposal_submit, decision_record), never set by hand.
IDEA_STAGE_STEPS: dict[str, tuple[str, ...]] = {
    IdeaStage.IDEA: (IdeaStage.PREPARING, IdeaStage.DROPPED),
    IdeaStage.PREPARING: (IdeaStage.IDEA, IdeaStage.DROPPED),
    IdeaStage.PROPOSAL: (),
    IdeaStage.PROJECT: (),
    IdeaStage.REJECTED: (),
    IdeaStage.DROPPED: (IdeaStage.IDEA,),
}


def idea_set_stage(*, idea: ProjectIdea, stage: str, user: User) -> ProjectIdea:
    """Move an idea along idea ⇄ being prepared, or drop it; "proposal" is reached by submitting a proposal
    (proposal_submit), "became a project" or "rejected" by the steering group's decision."""
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

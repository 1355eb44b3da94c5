"""Project ideas: list, create, detail and stage."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.forms import apply_service_errors
from portfolio.selectors import current_agreement

from .. import forms, permissions, selectors, services
from ..choices import OPEN_IDEA_STAGES, IdeaStage
from ..models import (
    ProjectIdea,
    Proposal,
)
from ._common import (
    _error_messages,
    _portal,
)

# --- ideas -------------------------------------------------------------------------------------------------

def _ideas(request: HttpRequest) -> Any:
    return ProjectIdea.objects.visible_to(request.user).select_related(
        "project__priority", "project__agreement", "project__lead_organisation")


@login_required
def idea_list(request: HttpRequest) -> HttpResponse:
    _portal(request)
    agreement = current_agreement(request)
    stage = request.GET.get("stage") or ""
    if stage not in IdeaStage.values:
        stage = ""
    pipeline = selectors.idea_pipeline(agreement=agreement, user=request.user)
    return render(request, "governance/idea_list.html", {
        "projects": selectors.idea_list(agreement=agreement, user=request.user, stage=stage or None),
        "stage": stage, "stage_label": IdeaStage(stage).label if stage else "",
        "open_count": sum(pipeline.get(s, 0) for s in OPEN_IDEA_STAGES),
        "stages": [(value, label, pipeline.get(value, 0)) for value, label in IdeaStage.choices],
        "can_create": agreement is not None and permissions.can_prepare_proposal(request.user, agreement)})


@login_required
def idea_create(request: HttpRequest) -> HttpResponse:
    _portal(request)
    agreement = current_agreement(request)
    if agreement is None or not permissions.can_prepare_proposal(request.user, agreement):
        raise PermissionDenied
    form = forms.IdeaForm(request.POST or None, agreement=agreement, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            idea = services.idea_create(agreement=agreement, user=request.user, title=data["title"],
                                        summary=data["summary"], priority=data["priority"],
                                        lead_organisation=data["lead_organisation"], themes=data["themes"],
                                        methods=data["methods"], language=request.LANGUAGE_CODE,
                                        **{k: data[k] for k in services.IDEA_FIELDS})
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The project idea was saved."))
            return redirect(idea)
    return render(request, "governance/idea_form.html", {"form": form, "idea": None})


@login_required
def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _portal(request)
    idea = get_object_or_404(_ideas(request), pk=pk)
    can_prepare = permissions.can_prepare_proposal(request.user, idea.project.agreement_id)
    form = forms.IdeaNotesForm(request.POST or None, initial={k: getattr(idea, k) for k in services.IDEA_FIELDS})
    if request.method == "POST":
        if not can_prepare:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.idea_update(idea=idea, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The notes were saved."))
                return redirect(idea)
    proposals = Proposal.objects.visible_to(request.user).filter(project=idea.project)
    return render(request, "governance/idea_detail.html", {
        "idea": idea, "form": form if can_prepare else None, "can_prepare": can_prepare,
        "similar": selectors.similar_projects(project=idea.project, user=request.user),
        "proposals": proposals, "stages": services.IDEA_STAGE_STEPS[idea.stage],
        "has_open_proposal": proposals.open().exists(),
    })


@login_required
@require_POST
def idea_stage(request: HttpRequest, pk: int) -> HttpResponse:
    _portal(request)
    idea = get_object_or_404(_ideas(request), pk=pk)
    if not permissions.can_prepare_proposal(request.user, idea.project.agreement_id):
        raise PermissionDenied  # before the form: a user who may not act gets a 403 whatever the body holds
    form = forms.IdeaStageForm(request.POST)
    if form.is_valid():
        try:
            services.idea_set_stage(idea=idea, stage=form.cleaned_data["stage"], user=request.user)
        except ValidationError as exc:
            _error_messages(request, exc)
        else:
            messages.success(request, _("The stage of the idea was changed."))
    return redirect(idea)

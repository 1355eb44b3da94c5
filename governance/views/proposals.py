"""Proposal pages: list, create, detail, edit, assess, attach, and the workflow buttons."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.forms import apply_service_errors
from portfolio.audit import security_event_record
from portfolio.choices import SecurityEventKind
from portfolio.exports import export_response
from portfolio.models import Project

from .. import forms, permissions, selectors, services
from ..choices import MeetingStatus, ProposalStatus
from ..filters import ProposalFilter
from ..models import (
    Meeting,
    Proposal,
    ProposalAttachment,
)
from ._common import (
    _decision_form_refusal,
    _error_messages,
    _grid_context,
    _grid_preview,
    _meetings,
    _object_action,
    _portal,
    _proposals,
    _published_agenda_warning,
)

# --- proposals ---------------------------------------------------------------------------------------------

@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    _portal(request)
    filterset = ProposalFilter(request.GET or None, queryset=_proposals(request).order_by("-created_at"),
                               request=request)
    proposals = selectors.with_current_decision(filterset.qs, user=request.user)
    page = Paginator(proposals, 50).get_page(request.GET.get("page"))
    template = "governance/partials/proposal_rows.html" if request.htmx else "governance/proposal_list.html"
    return render(request, template, {"filter": filterset, "page": page})


@login_required
def proposal_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _portal(request)
    filterset = ProposalFilter(request.GET or None, queryset=_proposals(request).order_by("-created_at"),
                               request=request)
    headings, rows = selectors.proposal_export_rows(queryset=filterset.qs)
    return export_response(request, what="proposals", fmt=fmt, headings=headings, rows=rows, title=_("Proposals"))


def _project_to_propose(request: HttpRequest) -> Project:
    """The visible project (``?project=``) whose agreement the user prepares proposals for (404 / 403)."""
    _portal(request)
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=request.GET.get("project") or 0)
    if not permissions.can_prepare_proposal(request.user, project.agreement_id):
        raise PermissionDenied
    return project


@login_required
def proposal_create(request: HttpRequest) -> HttpResponse:
    project = _project_to_propose(request)
    form = forms.ProposalForm(request.POST or None, project=project,
                              initial={"title": project.title, "plan": project.summary})
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(project=project, user=request.user, title=form.cleaned_data["title"],
                                                plan=form.cleaned_data["plan"],
                                                funding_lines=form.cleaned_data["funding_lines"])
        except ValidationError as exc:
            form.apply_grid_errors(exc)
        else:
            messages.success(request, _("The draft proposal was saved."))
            return redirect(proposal)
    return _proposal_form_page(request, form, project=project, proposal=None)


def _proposal_grid(project: Project) -> dict[str, Any]:
    """What the proposal form's funding grid shows besides the cells (see _grid_context)."""
    return {"project": project,
            "preview_url": reverse("governance:proposal-funding-preview") + f"?project={project.pk}",
            "legend": _("Requested funding (€)"), "effect_title": _("Funding effect of the request")}


def _proposal_form_page(request: HttpRequest, form: forms.ProposalForm, *, project: Project,
                        proposal: Proposal | None) -> HttpResponse:
    return render(request, "governance/proposal_form.html",
                  {"form": form, "project": project, "proposal": proposal,
                   **_grid_context(form, **_proposal_grid(project))},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def proposal_funding_preview(request: HttpRequest) -> HttpResponse:
    """The live totals and funding effect of the amounts typed into a proposal's grid (saves nothing)."""
    project = _project_to_propose(request)
    return _grid_preview(request, forms.ProposalForm(request.POST, project=project), **_proposal_grid(project))


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _portal(request)
    proposal = get_object_or_404(_proposals(request).select_related("criteria", "created_by"), pk=pk)
    user = request.user
    agreement_id = proposal.project.agreement_id
    can_prepare = permissions.can_prepare_proposal(user, agreement_id)
    meetings = Meeting.objects.none()
    if can_prepare and proposal.status == ProposalStatus.SUBMITTED:
        meetings = (_meetings(request).filter(group__agreement_id=agreement_id,
                                              status__in=[MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED])
                    .order_by("starts_at"))
    assessments = {a.item_id: a for a in proposal.assessments.all()}
    items = list(proposal.criteria.items.all()) if proposal.criteria_id else []
    history = selectors.project_decisions(project=proposal.project, user=user)
    context = {
        "proposal": proposal,
        "effect": selectors.proposal_funding_effect(proposal=proposal),
        "can_prepare": can_prepare,
        "can_edit": permissions.can_change_proposal(user, proposal),
        "agenda_form": forms.AgendaForm(meetings=meetings) if meetings.exists() else None,
        "checklist": [(item, assessments.get(item.pk)) for item in items],
        "attachments": proposal.attachments.all(),
        "transitions": proposal.transitions.select_related("by", "meeting"),
        "decisions": [d for p in history["proposals"] if p.pk == proposal.pk for d in p.decisions.all()],
        "can_record": proposal.meeting is not None and proposal.status == ProposalStatus.ON_AGENDA
        and permissions.can_record_decision(user, proposal.meeting)
        and _decision_form_refusal(proposal.meeting, proposal) is None,
    }
    return render(request, "governance/proposal_detail.html", context)


def _proposal_for_write(request: HttpRequest, pk: int) -> Proposal:
    proposal = get_object_or_404(_proposals(request), pk=pk)
    if not permissions.can_prepare_proposal(request.user, proposal.project.agreement_id):
        raise PermissionDenied
    return proposal


@login_required
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _portal(request)
    proposal = _proposal_for_write(request, pk)
    if proposal.status != ProposalStatus.DRAFT:
        messages.error(request, _("Only a draft can be changed."))
        return redirect(proposal)
    form = forms.ProposalForm(request.POST or None, project=proposal.project,
                              lines=proposal.funding_lines.select_related("instrument"),
                              initial={"title": proposal.title, "plan": proposal.plan})
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_update(proposal=proposal, user=request.user, title=form.cleaned_data["title"],
                                     plan=form.cleaned_data["plan"], funding_lines=form.cleaned_data["funding_lines"])
        except ValidationError as exc:
            form.apply_grid_errors(exc)
        else:
            messages.success(request, _("The proposal was saved."))
            return redirect(proposal)
    return _proposal_form_page(request, form, project=proposal.project, proposal=proposal)


@login_required
def proposal_assess(request: HttpRequest, pk: int) -> HttpResponse:
    _portal(request)
    proposal = _proposal_for_write(request, pk)
    if proposal.criteria_id is None:
        raise Http404
    form = forms.AssessmentForm(request.POST or None, items=proposal.criteria.items.all(),
                                initial_answers={a.item_id: a for a in proposal.assessments.all()})
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_assess(proposal=proposal, answers=form.answers(), user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The criteria assessment was saved."))
            return redirect(proposal)
    return render(request, "governance/proposal_assess.html", {"form": form, "proposal": proposal})


@login_required
@require_POST
def proposal_attach(request: HttpRequest, pk: int) -> HttpResponse:
    _portal(request)
    proposal = _proposal_for_write(request, pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.proposal_attach(proposal=proposal, uploaded=form.cleaned_data["file"], user=request.user)
        except ValidationError as exc:
            _error_messages(request, exc)
        else:
            messages.success(request, _("The document was attached."))
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect(proposal)


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    _portal(request)
    proposal = get_object_or_404(_proposals(request), pk=pk)
    attachment = get_object_or_404(ProposalAttachment, pk=attachment_pk, proposal=proposal)
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    security_event_record(kind=SecurityEventKind.DOWNLOAD, request=request, obj=attachment)
    response["Cache-Control"] = "no-store"
    return response


def _proposal_action(request: HttpRequest, pk: int, action: Any, success: str) -> HttpResponse:
    return _object_action(request, _proposals(request), pk, action, success)


@login_required
@require_POST
def proposal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _proposal_action(request, pk, lambda p: services.proposal_submit(proposal=p, user=request.user),
                            _("The proposal was submitted to the steering group."))


@login_required
@require_POST
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _proposal_action(request, pk,
                            lambda p: services.proposal_withdraw(proposal=p, user=request.user, reason=reason),
                            _("The proposal was withdrawn."))


@login_required
@require_POST
def proposal_agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    _portal(request)
    # The permission first: a user who may not act gets a 403 whatever the body holds.
    if not permissions.can_put_on_agenda(request.user, get_object_or_404(_proposals(request), pk=pk)):
        raise PermissionDenied
    meeting = get_object_or_404(_meetings(request), pk=request.POST.get("meeting") or 0)
    warning = _published_agenda_warning(meeting)
    response = _proposal_action(
        request, pk, lambda p: services.proposal_add_to_agenda(proposal=p, meeting=meeting, user=request.user),
        _("The proposal was put on the agenda."))
    if warning and Proposal.objects.filter(pk=pk, meeting=meeting).exists():
        messages.warning(request, warning)
    return response


@login_required
@require_POST
def proposal_agenda_remove(request: HttpRequest, pk: int) -> HttpResponse:
    return _proposal_action(request, pk,
                            lambda p: services.proposal_remove_from_agenda(proposal=p, user=request.user),
                            _("The proposal was removed from the agenda."))

"""Recording a decision, its page and its correction."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portfolio.exports import export_response

from .. import forms, permissions, selectors, services
from ..choices import MeetingStatus, ProposalStatus
from ..filters import DecisionFilter
from ..models import (
    Decision,
    Meeting,
    Proposal,
)
from ._common import (
    _decision_form_refusal,
    _grid_context,
    _grid_preview,
    _meetings,
    _portal,
    _proposals,
)

# --- decisions ---------------------------------------------------------------------------------------------

def _recording(request: HttpRequest, meeting_pk: int, proposal_pk: int) -> tuple[Meeting, Proposal]:
    """The visible meeting and proposal of a decision the user may record there (404 / 403 otherwise)."""
    _portal(request)
    meeting = get_object_or_404(_meetings(request), pk=meeting_pk)
    proposal = get_object_or_404(_proposals(request), pk=proposal_pk)
    if not permissions.can_record_decision(request.user, meeting):
        raise PermissionDenied
    return meeting, proposal


@login_required
def decision_record(request: HttpRequest, meeting_pk: int, proposal_pk: int) -> HttpResponse:
    meeting, proposal = _recording(request, meeting_pk, proposal_pk)
    # The form is offered only for a decision that can be recorded now (not refused after filling it in).
    refusal = _decision_form_refusal(meeting, proposal)
    if refusal:
        messages.info(request, refusal)
        return redirect(proposal if proposal.status == ProposalStatus.DECIDED else meeting)
    form = forms.DecisionForm(request.POST or None, group=meeting.group, proposal=proposal,
                              lines=proposal.funding_lines.select_related("instrument"),
                              on=timezone.localdate(meeting.starts_at))
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_record(proposal=proposal, meeting=meeting, user=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form.apply_grid_errors(exc)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect(meeting)
    return _decision_form_page(request, form, meeting=meeting, proposal=proposal, corrects=None)


def _decision_grid(meeting: Meeting, proposal: Proposal) -> dict[str, Any]:
    """What the decision form's funding grid shows besides the cells (see _grid_context)."""
    return {"project": proposal.project,
            "preview_url": reverse("governance:decision-funding-preview", args=[meeting.pk, proposal.pk]),
            "legend": _("Approved funding (€)"), "effect_title": _("Funding effect of approving these amounts")}


def _decision_form_page(request: HttpRequest, form: forms.DecisionForm, *, meeting: Meeting, proposal: Proposal,
                        corrects: Decision | None) -> HttpResponse:
    return render(request, "governance/decision_form.html", {
        "form": form, "meeting": meeting, "proposal": proposal, "corrects": corrects,
        "quorum": services.meeting_quorum(meeting), **_grid_context(form, **_decision_grid(meeting, proposal))},
        status=400 if form.errors else 200)


@login_required
@require_POST
def decision_funding_preview(request: HttpRequest, meeting_pk: int, proposal_pk: int) -> HttpResponse:
    """The live totals and funding effect of the amounts typed into a decision's grid (saves nothing)."""
    meeting, proposal = _recording(request, meeting_pk, proposal_pk)
    form = forms.DecisionForm(request.POST, group=meeting.group, proposal=proposal,
                              on=timezone.localdate(meeting.starts_at))
    return _grid_preview(request, form, **_decision_grid(meeting, proposal))


@login_required
def decision_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every decision the user may see (filters: agreement, meeting, project, outcome), as CSV or XLSX."""
    _portal(request)
    decisions = Decision.objects.visible_to(request.user).order_by("decided_on", "pk")
    filterset = DecisionFilter(request.GET or None, queryset=decisions, request=request)
    headings, rows = selectors.decision_export_rows(queryset=filterset.qs)
    return export_response(request, what="decisions", fmt=fmt, headings=headings, rows=rows, title=_("Decisions"))


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _portal(request)
    decision = get_object_or_404(
        Decision.objects.visible_to(request.user).select_related("proposal__project", "meeting__group",
                                                                 "recorded_by", "corrects")
        .prefetch_related("funding_lines__instrument", "recusals__user", "corrections"), pk=pk)
    meetings = []
    if not decision.corrections.exists():
        meetings = [m for m in Meeting.objects.filter(group=decision.meeting.group,
                                                      status__in=[MeetingStatus.AGENDA_PUBLISHED, MeetingStatus.HELD])
                    if permissions.can_correct_decision(request.user, decision, m)]
    return render(request, "governance/decision_detail.html", {"decision": decision, "correct_meetings": meetings})


@login_required
def decision_correct(request: HttpRequest, pk: int) -> HttpResponse:
    _portal(request)
    decision = get_object_or_404(Decision.objects.visible_to(request.user).select_related("proposal__project",
                                                                                          "meeting__group"), pk=pk)
    meeting = get_object_or_404(_meetings(request), pk=request.GET.get("meeting") or request.POST.get("meeting") or 0)
    if not permissions.can_correct_decision(request.user, decision, meeting):
        raise PermissionDenied
    proposal = decision.proposal
    initial = {"outcome": decision.outcome, "method": decision.method, "conditions": decision.conditions}
    form = forms.DecisionForm(request.POST or None, group=meeting.group, proposal=proposal, initial=initial,
                              lines=decision.funding_lines.select_related("instrument"),
                              on=timezone.localdate(meeting.starts_at))
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_correct(decision=decision, meeting=meeting, user=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form.apply_grid_errors(exc)
        else:
            messages.success(request, _("The correcting decision was recorded."))
            return redirect(meeting)
    return _decision_form_page(request, form, meeting=meeting, proposal=proposal, corrects=decision)

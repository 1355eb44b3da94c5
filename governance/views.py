"""HTML views of decision-making: thin — they authorise, call one service or selector, and render.
Every list starts from `visible_to(user)`; a row the user may not see is a 404, an action they may not
take is a 403, an illegal workflow step is a message on the page (the service's TransitionError)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.forms import apply_service_errors
from portfolio.audit import security_event_record
from portfolio.choices import SecurityEventKind
from portfolio.models import Project
from portfolio.permissions import can_view_portal
from portfolio.selectors import current_agreement

from . import forms, permissions, selectors, services
from .choices import IdeaStage, MeetingStatus, ProposalStatus
from .filters import MeetingFilter, ProposalFilter
from .models import (
    Decision,
    Meeting,
    Membership,
    ProjectIdea,
    Proposal,
    ProposalAttachment,
    SteeringGroup,
)


def _portal(request: HttpRequest) -> None:
    if not can_view_portal(request.user):
        raise PermissionDenied


def _error_messages(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _proposals(request: HttpRequest) -> Any:
    return Proposal.objects.visible_to(request.user).select_related("project__agreement", "meeting")


def _meetings(request: HttpRequest) -> Any:
    return Meeting.objects.visible_to(request.user).select_related("group")


# --- overview ----------------------------------------------------------------------------------------------

@login_required
def index(request: HttpRequest) -> HttpResponse:
    _portal(request)
    agreement = current_agreement(request)
    pipeline = selectors.idea_pipeline(agreement=agreement, user=request.user)
    context = {
        "governance": selectors.dashboard_governance(agreement=agreement, user=request.user),
        "waiting": selectors.waiting_for_decision(user=request.user),
        "meetings": list(_meetings(request).for_agreement(agreement).order_by("-starts_at")[:10]),
        "pipeline": [(label, pipeline.get(stage, 0), stage) for stage, label in IdeaStage.choices],
    }
    return render(request, "governance/index.html", context)


@login_required
def waiting(request: HttpRequest) -> HttpResponse:
    """"Waiting for my decision": the steering member's agenda across their groups."""
    _portal(request)
    return render(request, "governance/waiting.html", {"waiting": selectors.waiting_for_decision(user=request.user)})


# --- proposals ---------------------------------------------------------------------------------------------

@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    _portal(request)
    filterset = ProposalFilter(request.GET or None, queryset=_proposals(request).order_by("-created_at"),
                               request=request)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    template = "governance/partials/proposal_rows.html" if request.htmx else "governance/proposal_list.html"
    return render(request, template, {"filter": filterset, "page": page})


@login_required
def proposal_create(request: HttpRequest) -> HttpResponse:
    _portal(request)
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=request.GET.get("project") or 0)
    if not permissions.can_prepare_proposal(request.user, project.agreement_id):
        raise PermissionDenied
    form = forms.ProposalForm(request.POST or None, initial={"title": project.title, "plan": project.summary})
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(project=project, user=request.user, title=form.cleaned_data["title"],
                                                plan=form.cleaned_data["plan"],
                                                funding_lines=form.cleaned_data["funding_lines"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The draft proposal was saved."))
            return redirect(proposal)
    return render(request, "governance/proposal_form.html", {"form": form, "project": project, "proposal": None})


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
    initial = {"title": proposal.title, "plan": proposal.plan,
               "funding_lines": forms.lines_as_text(proposal.funding_lines.select_related("instrument"))}
    form = forms.ProposalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_update(proposal=proposal, user=request.user, title=form.cleaned_data["title"],
                                     plan=form.cleaned_data["plan"], funding_lines=form.cleaned_data["funding_lines"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The proposal was saved."))
            return redirect(proposal)
    return render(request, "governance/proposal_form.html",
                  {"form": form, "project": proposal.project, "proposal": proposal})


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


def _object_action(request: HttpRequest, queryset: Any, pk: int, action: Any, success: str) -> HttpResponse:
    """Run one service on a visible object, report the result as a message and go back to the object."""
    _portal(request)
    obj = get_object_or_404(queryset, pk=pk)
    try:
        action(obj)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, success)
    return redirect(obj)


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


# --- meetings ----------------------------------------------------------------------------------------------

@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    _portal(request)
    filterset = MeetingFilter(request.GET or None, queryset=_meetings(request).order_by("-starts_at"), request=request)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(request, "governance/meeting_list.html", {"filter": filterset, "page": page})


def _managed_groups(request: HttpRequest) -> list[SteeringGroup]:
    return [g for g in SteeringGroup.objects.select_related("agreement")
            if permissions.can_manage_meeting(request.user, g)]


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    _portal(request)
    groups = _managed_groups(request)
    if not groups:
        raise PermissionDenied
    agreement = current_agreement(request)
    default = next((g for g in groups if agreement and g.agreement_id == agreement.pk), groups[0])
    group = default
    if request.method == "POST":
        group = next((g for g in groups if str(g.pk) == request.POST.get("group")), default)
    form = forms.MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(group=group, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The meeting was planned. Now build its agenda."))
            return redirect(meeting)
    return render(request, "governance/meeting_form.html",
                  {"form": form, "groups": groups, "group": group, "meeting": None})


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _portal(request)
    meeting = get_object_or_404(_meetings(request), pk=pk)
    if not permissions.can_manage_meeting(request.user, meeting.group):
        raise PermissionDenied
    initial = {"title": meeting.title, "starts_at": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M"),
               "location": meeting.location, "online_url": meeting.online_url}
    form = forms.MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The meeting was changed."))
            return redirect(meeting)
    return render(request, "governance/meeting_form.html",
                  {"form": form, "groups": [meeting.group], "group": meeting.group, "meeting": meeting})


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _portal(request)
    meeting = get_object_or_404(_meetings(request), pk=pk)
    context = selectors.meeting_detail(meeting=meeting, user=request.user)
    can_manage = permissions.can_manage_meeting(request.user, meeting.group)
    can_record = permissions.can_record_decision(request.user, meeting)
    open_ = meeting.status in (MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED)
    deciding = meeting.status in (MeetingStatus.AGENDA_PUBLISHED, MeetingStatus.HELD)
    candidates = Proposal.objects.none()
    if can_manage and open_ and meeting.group.agreement_id:
        candidates = Proposal.objects.filter(project__agreement_id=meeting.group.agreement_id,
                                             status=ProposalStatus.SUBMITTED).select_related("project")
    attendance_users = get_user_model().objects.filter(
        pk__in=Membership.objects.filter(group=meeting.group).values("user_id")).order_by("last_name", "username")
    context.update({
        "can_manage": can_manage and open_,
        "can_publish": can_manage and meeting.status == MeetingStatus.PLANNED,
        "can_record": can_record and deciding and _meeting_started(meeting),
        "not_started_note": _meeting_not_started_message(meeting)
        if can_record and deciding and not _meeting_started(meeting) else None,
        "agenda_warning": _published_agenda_warning(meeting) if can_manage and open_ else None,
        "candidates": candidates,
        "item_form": forms.AgendaItemForm() if can_manage and open_ else None,
        "attendance_form": forms.AttendanceForm(users=attendance_users,
                                                initial={"attendees": list(context["attendee_ids"])})
        if can_record and deciding else None,
        "minutes_form": forms.MinutesForm(initial={"minutes": meeting.minutes}) if can_record and deciding else None,
    })
    return render(request, "governance/meeting_detail.html", context)


def _meeting_action(request: HttpRequest, pk: int, action: Any, success: str) -> HttpResponse:
    return _object_action(request, _meetings(request), pk, action, success)


@login_required
@require_POST
def meeting_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_action(request, pk, lambda m: services.meeting_publish_agenda(meeting=m, user=request.user),
                           _("The agenda was published and the members were notified."))


@login_required
@require_POST
def meeting_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    _portal(request)
    if not permissions.can_manage_meeting(request.user, get_object_or_404(_meetings(request), pk=pk).group):
        raise PermissionDenied  # before the form: a user who may not act gets a 403 whatever the body holds
    form = forms.AgendaItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the item a title."))
        return redirect("governance:meeting-detail", pk=pk)
    added: list[Any] = []

    def add(m: Meeting) -> Any:
        added.append(services.meeting_add_item(meeting=m, user=request.user, **form.cleaned_data))
        return added[-1]

    response = _meeting_action(request, pk, add, _("The item was added to the agenda."))
    warning = _published_agenda_warning(added[0].meeting) if added else None
    if warning:
        messages.warning(request, warning)
    return response


@login_required
@require_POST
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    _portal(request)
    meeting = get_object_or_404(_meetings(request), pk=pk)
    users = get_user_model().objects.filter(pk__in=Membership.objects.filter(group=meeting.group).values("user_id"))
    form = forms.AttendanceForm(request.POST, users=users)
    if not form.is_valid():
        messages.error(request, _("Choose the members present."))
        return redirect(meeting)
    return _meeting_action(request, pk, lambda m: services.meeting_record_attendance(
        meeting=m, attendees=form.cleaned_data["attendees"], user=request.user), _("The attendance was saved."))


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.MinutesForm(request.POST)
    minutes = form.cleaned_data["minutes"] if form.is_valid() else ""
    return _meeting_action(request, pk, lambda m: services.meeting_update_minutes(meeting=m, minutes=minutes,
                                                                                  user=request.user),
                           _("The minutes were saved."))


@login_required
@require_POST
def meeting_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_action(request, pk, lambda m: services.meeting_confirm_minutes(meeting=m, user=request.user),
                           _("The minutes were confirmed. The meeting's decisions are now a permanent record."))


@login_required
def meeting_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from .pdf import minutes_pdf

    _portal(request)
    meeting = get_object_or_404(_meetings(request), pk=pk)
    content = minutes_pdf(meeting=meeting, user=request.user)
    response = HttpResponse(content, content_type="application/pdf")
    name = f"poytakirja-{meeting.starts_at:%Y-%m-%d}-{meeting.pk}.pdf"
    response["Content-Disposition"] = f"attachment; filename=\"{name}\""
    response["Cache-Control"] = "no-store"
    return response


# --- decisions ---------------------------------------------------------------------------------------------

def _decision_form_refusal(meeting: Meeting, proposal: Proposal) -> str | None:
    """Why no decision on the proposal can be recorded at the meeting now, or None."""
    if proposal.status == ProposalStatus.DECIDED:
        return _("This proposal has already been decided; a change is a correcting decision (see the decision).")
    if proposal.meeting_id != meeting.pk or proposal.status != ProposalStatus.ON_AGENDA:
        return _("The proposal is not on this meeting's agenda.")
    if meeting.status not in (MeetingStatus.AGENDA_PUBLISHED, MeetingStatus.HELD):
        return _("Decisions are recorded at a meeting whose agenda is published and whose minutes are not "
                 "confirmed.")
    if not _meeting_started(meeting):
        return _meeting_not_started_message(meeting)
    return None


def _meeting_started(meeting: Meeting) -> bool:
    return meeting.starts_at <= timezone.now()


def _meeting_not_started_message(meeting: Meeting) -> str:
    from django.utils import formats

    return _("The meeting starts on %(when)s: its decisions can be recorded once it has started.") % {
        "when": formats.date_format(timezone.localtime(meeting.starts_at), "SHORT_DATETIME_FORMAT")}


def _published_agenda_warning(meeting: Meeting) -> str | None:
    if meeting.status != MeetingStatus.AGENDA_PUBLISHED:
        return None
    return _("The agenda has already been published and sent to the members: an item added now is not in the "
             "agenda they received. Tell them about the change.")


@login_required
def decision_record(request: HttpRequest, meeting_pk: int, proposal_pk: int) -> HttpResponse:
    _portal(request)
    meeting = get_object_or_404(_meetings(request), pk=meeting_pk)
    proposal = get_object_or_404(_proposals(request), pk=proposal_pk)
    if not permissions.can_record_decision(request.user, meeting):
        raise PermissionDenied
    # The form is offered only for a decision that can be recorded now (not refused after filling it in).
    refusal = _decision_form_refusal(meeting, proposal)
    if refusal:
        messages.info(request, refusal)
        return redirect(proposal if proposal.status == ProposalStatus.DECIDED else meeting)
    initial = {"approved_lines": forms.lines_as_text(proposal.funding_lines.select_related("instrument"))}
    form = forms.DecisionForm(request.POST or None, group=meeting.group, initial=initial,
                              on=timezone.localdate(meeting.starts_at))
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_record(proposal=proposal, meeting=meeting, user=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect(meeting)
    return render(request, "governance/decision_form.html", {
        "form": form, "meeting": meeting, "proposal": proposal, "corrects": None,
        "effect": selectors.proposal_funding_effect(proposal=proposal),
        "quorum": services.meeting_quorum(meeting)}, status=400 if form.errors else 200)


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
    initial = {"outcome": decision.outcome, "method": decision.method, "conditions": decision.conditions,
               "approved_lines": forms.lines_as_text(decision.funding_lines.select_related("instrument"))}
    form = forms.DecisionForm(request.POST or None, group=meeting.group, initial=initial,
                              on=timezone.localdate(meeting.starts_at))
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_correct(decision=decision, meeting=meeting, user=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The correcting decision was recorded."))
            return redirect(meeting)
    return render(request, "governance/decision_form.html", {
        "form": form, "meeting": meeting, "proposal": proposal, "corrects": decision,
        "effect": selectors.proposal_funding_effect(proposal=proposal),
        "quorum": services.meeting_quorum(meeting)}, status=400 if form.errors else 200)


# --- steering groups and criteria --------------------------------------------------------------------------

def _groups(request: HttpRequest) -> list[SteeringGroup]:
    return [g for g in SteeringGroup.objects.select_related("agreement") if permissions.can_view_group(request.user, g)]


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    _portal(request)
    return render(request, "governance/group_list.html", {"groups": _groups(request)})


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _portal(request)
    group = get_object_or_404(SteeringGroup.objects.select_related("agreement"), pk=pk)
    if not permissions.can_view_group(request.user, group):
        raise Http404
    memberships = (Membership.objects.filter(group=group)
                   .select_related("user", "organisation", "substitute_for__user").order_by("role", "user__last_name"))
    criteria = group.criteria_versions.prefetch_related("items")
    can_edit_members = permissions.can_manage_members(request.user, group)
    form = forms.MembershipForm(request.POST or None, group=group) if can_edit_members else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.membership_save(group=group, user=request.user, member=data["member"], role=data["role"],
                                         organisation=data["organisation"], substitute_for=data["substitute_for"],
                                         term_start=data["term_start"], term_end=data["term_end"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The membership was saved."))
                return redirect("governance:group-detail", pk=group.pk)
    return render(request, "governance/group_detail.html", {
        "group": group, "memberships": memberships, "criteria": criteria, "form": form,
        "meetings": Meeting.objects.filter(group=group).order_by("-starts_at")[:10],
        "can_manage": permissions.can_manage_meeting(request.user, group),
    }, status=400 if form is not None and form.errors else 200)


@login_required
def criteria_create(request: HttpRequest, pk: int) -> HttpResponse:
    _portal(request)
    # Another agreement's group is "not found", as a group that does not exist.
    group = get_object_or_404(SteeringGroup.objects.visible_to(request.user), pk=pk)
    if not permissions.can_manage_meeting(request.user, group):
        raise PermissionDenied
    latest = group.criteria_versions.prefetch_related("items").first()
    initial = {"title": latest.title, "text": latest.text,
               "items": "\n".join(i.text for i in latest.items.all())} if latest else {}
    form = forms.CriteriaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.criteria_version_create(group=group, user=request.user, title=form.cleaned_data["title"],
                                             text=form.cleaned_data["text"], items=form.item_list(),
                                             valid_from=form.cleaned_data["valid_from"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("A new version of the application criteria was saved."))
            return redirect("governance:group-detail", pk=group.pk)
    return render(request, "governance/criteria_form.html", {"form": form, "group": group})


def _token_user(request: HttpRequest) -> Any:
    """The user of an `Authorization: Token <key>` header (the API's tokens), for calendar clients that
    cannot hold a session; None without the header. An invalid token raises AuthenticationFailed."""
    from rest_framework.authentication import TokenAuthentication

    result = TokenAuthentication().authenticate(request)  # type: ignore[arg-type]
    return result[0] if result else None


def group_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """The upcoming meetings of a group as iCalendar, at a stable URL. Signed-in users (session) or
    API tokens; anonymous requests go to the login page like every other page."""
    from django.contrib.auth.views import redirect_to_login
    from rest_framework.exceptions import AuthenticationFailed

    from .ical import meetings_calendar

    user = request.user
    if not user.is_authenticated:
        try:
            user = _token_user(request)
        except AuthenticationFailed:
            response = HttpResponse(status=401)
            response["WWW-Authenticate"] = "Token"
            return response
        if user is None:
            return redirect_to_login(request.get_full_path())
    if not can_view_portal(user):
        raise PermissionDenied
    group = get_object_or_404(SteeringGroup, pk=pk)
    if not permissions.can_view_group(user, group):
        raise Http404
    meetings = Meeting.objects.visible_to(user).filter(group=group).upcoming()
    response = HttpResponse(meetings_calendar(group=group, meetings=meetings, request=request),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="steering-group-{group.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- ideas -------------------------------------------------------------------------------------------------

def _ideas(request: HttpRequest) -> Any:
    return ProjectIdea.objects.visible_to(request.user).select_related(
        "project__priority", "project__agreement", "project__lead_organisation")


@login_required
def idea_list(request: HttpRequest) -> HttpResponse:
    _portal(request)
    agreement = current_agreement(request)
    ideas = _ideas(request)
    if agreement is not None:
        ideas = ideas.filter(project__agreement=agreement)
    stage = request.GET.get("stage")
    if stage:
        ideas = ideas.filter(stage=stage)
    return render(request, "governance/idea_list.html", {
        "ideas": ideas.order_by("-updated_at"), "stage": stage,
        "can_create": agreement is not None and permissions.can_prepare_proposal(request.user, agreement),
        "pipeline": selectors.idea_pipeline(agreement=agreement, user=request.user)})


@login_required
def idea_create(request: HttpRequest) -> HttpResponse:
    _portal(request)
    agreement = current_agreement(request)
    if agreement is None or not permissions.can_prepare_proposal(request.user, agreement):
        raise PermissionDenied
    form = forms.IdeaForm(request.POST or None, agreement=agreement)
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


def proposal_url_for_project(project: Project) -> str:
    return f"{reverse('governance:proposal-create')}?project={project.pk}"


def project_decisions_panel(request: HttpRequest, project: Project, can_edit: bool) -> SafeString:
    """The proposals-and-decisions block of the project page (registered as `portfolio.panels.DECISIONS`)."""
    decisions = selectors.project_decisions(project=project, user=request.user)
    return render_to_string("governance/partials/project_decisions.html",
                            {"decisions": decisions, "history": decisions}, request=request)

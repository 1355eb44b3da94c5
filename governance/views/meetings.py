"""Meeting pages: list, create, edit, detail, agenda, attendance, minutes and their PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.forms import apply_service_errors
from portfolio.selectors import current_agreement

from .. import forms, permissions, selectors, services
from ..choices import MeetingStatus, ProposalStatus
from ..filters import MeetingFilter
from ..models import (
    Meeting,
    Membership,
    Proposal,
    SteeringGroup,
)
from ._common import (
    _meeting_not_started_message,
    _meeting_started,
    _meetings,
    _object_action,
    _portal,
    _published_agenda_warning,
)

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
    from ..pdf import minutes_pdf

    _portal(request)
    meeting = get_object_or_404(_meetings(request), pk=pk)
    content = minutes_pdf(meeting=meeting, user=request.user)
    response = HttpResponse(content, content_type="application/pdf")
    name = f"poytakirja-{meeting.starts_at:%Y-%m-%d}-{meeting.pk}.pdf"
    response["Content-Disposition"] = f"attachment; filename=\"{name}\""
    response["Cache-Control"] = "no-store"
    return response

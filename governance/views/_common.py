"""Shared steps of the governance pages: the portal check, error messages, the visible proposals and meetings,
one service run on a visible object."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.permissions import can_view_portal

from ..choices import MeetingStatus, ProposalStatus
from ..models import (
    Meeting,
    Proposal,
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

"""Shared steps of the governance pages: the portal check, error messages, the visible proposals and meetings,
one service run on a visible object."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.permissions import can_view_portal

from .. import selectors
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


def _grid_context(form: Any, *, project: Any, preview_url: str, legend: str, effect_title: str) -> dict[str, Any]:
    """The template context of a funding grid (governance/partials/funding_grid.html) and its live
    preview: the typed amounts' totals and their funding effect, from the one effect selector."""
    return {"grid_form": form, "grid_rows": form.grid_rows(), "grid_year_totals": form.grid_year_totals(),
            "grid_total": form.grid_total(), "grid_preview_url": preview_url, "grid_legend": legend,
            "grid_effect_title": effect_title,
            "grid_effect": selectors.funding_effect(project=project, lines=form.grid_effect_lines())}


def _grid_preview(request: HttpRequest, form: Any, **kwargs: Any) -> HttpResponse:
    """The live preview of a funding grid: totals and each cell's error as out-of-band swaps, and the
    funding effect (frames, 40/60 split, priority 4) of the amounts as typed. Reads only, saves nothing."""
    form.is_valid()  # the cells' own errors (the other fields are not shown here)
    return render(request, "governance/partials/funding_preview.html", _grid_context(form, **kwargs))

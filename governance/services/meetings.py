"""Steering-group meetings: agenda, attendance, minutes and their confirmation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import permissions
from ..choices import (
    DECIDING_MEETING_STATUSES,
    MeetingStatus,
    ProposalStatus,
)
from ..models import (
    AgendaItem,
    Meeting,
    Proposal,
    SteeringGroup,
)
from ._common import (
    TransitionError,
    _deny,
    _lock_meeting,
    _now,
    _on_commit,
    _require_meeting_status,
    _transition,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# --- meetings --------------------------------------------------------------------------------------------

# What apps above governance put on a meeting's agenda when it is created or moved (reporting: an approved
# summary that waited for the group's next meeting): each app's AppConfig.ready() registers a function that
# meeting_create and meeting_update call in their transaction, with the meeting and the user who made it.
MeetingScheduledPart = Callable[[Meeting, "User"], object]
_meeting_scheduled_parts: list[MeetingScheduledPart] = []


def register_meeting_scheduled_part(part: MeetingScheduledPart) -> None:
    """Add one app's part of `meeting_create`/`meeting_update` (idempotent: `ready()` may run more than once)."""
    if part not in _meeting_scheduled_parts:
        _meeting_scheduled_parts.append(part)


def _meeting_scheduled(meeting: Meeting, user: User) -> None:
    for part in _meeting_scheduled_parts:
        part(meeting, user)


def meeting_create(*, group: SteeringGroup, title: str, starts_at: dt.datetime, user: User,
                   location: str = "", online_url: str = "") -> Meeting:
    """A planned meeting of a steering group (with what other apps put on its agenda at once)."""
    _deny(permissions.can_manage_meeting(user, group))
    if not (location or online_url):
        raise ValidationError(_("Give the place of the meeting or its online link."), code="no_place")
    meeting = Meeting(group=group, title=title, starts_at=starts_at, location=location, online_url=online_url,
                      status=MeetingStatus.PLANNED, created_by=user)
    meeting.full_clean()
    with transaction.atomic():
        meeting.save()
        _meeting_scheduled(meeting, user)
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
        _meeting_scheduled(meeting, user)
    return meeting


def meeting_add_item(*, meeting: Meeting, title: str, user: User, description: str = "",
                     link: str = "") -> AgendaItem:
    """An agenda item other than a proposal; `link` is an optional path of the portal page it is about."""
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        _deny(permissions.can_manage_meeting(user, meeting.group))
        _require_meeting_status(meeting, [MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED],
                                _("add items to the agenda"))
        if not title.strip():
            raise ValidationError({"title": _("Give the item a title.")})
        position = meeting.other_items.count() + 1
        if link and not link.startswith("/"):
            raise ValidationError({"link": _("A link to a page of the portal starts with /.")})
        return AgendaItem.objects.create(meeting=meeting, title=title.strip()[:200], description=description,
                                         position=position, link=link)


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

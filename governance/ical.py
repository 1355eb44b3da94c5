"""The iCalendar feed of a steering group's upcoming meetings (RFC 5545, `icalendar` package)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.http import HttpRequest
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Meeting, SteeringGroup

MEETING_LENGTH = dt.timedelta(hours=2)


def meetings_calendar(*, group: SteeringGroup, meetings: Iterable[Meeting], request: HttpRequest) -> bytes:
    """One VEVENT per meeting with a stable UID, so calendar clients update events instead of duplicating."""
    calendar = Calendar()
    calendar.add("prodid", "-//Ecosystem agreement portfolio//governance//FI")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", group.name)
    calendar.add("x-wr-timezone", "Europe/Helsinki")
    host = request.get_host().split(":")[0] or "portal"
    stamp = timezone.now()
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.starts_at + MEETING_LENGTH)
        event.add("summary", meeting.title)
        if meeting.location:
            event.add("location", meeting.location)
        description = [request.build_absolute_uri(meeting.get_absolute_url())]
        if meeting.online_url:
            description.append(meeting.online_url)
            event.add("url", meeting.online_url)
        event.add("description", "\n".join(description))
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()

"""The portfolio as it stood at the end of a day ("as of"), rebuilt from django-simple-history's tables.

A point-in-time reconstruction: for each object, its latest historical row with ``history_date`` before
the end of the ``as_of`` day (midnight that follows it, in ``settings.TIME_ZONE``, Europe/Helsinki); an
object whose latest row is a deletion (``-``) did not exist then. ``as_of`` of today (or ``None``) reads
the live tables instead (the fast path), which hold the same state. See docs/as-of.md."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

if TYPE_CHECKING:
    from .models import AsOfProject, Project


def today() -> dt.date:
    return timezone.localdate()


def is_live(as_of: dt.date | None) -> bool:
    """Whether the live tables answer for ``as_of`` (today, or no date; a future day is answered as today)."""
    return as_of is None or as_of >= today()


def day_end(as_of: dt.date) -> dt.datetime:
    """The first moment after the ``as_of`` day, in the portal's time zone (rows before it count)."""
    return dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_default_timezone())


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def latest_rows(history_model: type[models.Model], as_of: dt.date) -> QuerySet:
    """The historical rows that were current at the end of ``as_of``: per object id the latest row before
    the cutoff (ties on ``history_date`` broken by ``history_id``), minus objects then deleted."""
    cutoff = day_end(as_of)
    later = history_model._default_manager.filter(id=OuterRef("id"), history_date__lt=cutoff).filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id")))
    return (history_model._default_manager.filter(history_date__lt=cutoff).filter(~Exists(later))
            .exclude(history_type="-"))


def project_rows_as_of(as_of: dt.date) -> QuerySet[AsOfProject]:
    """Every project as it stood at the end of ``as_of`` (historical rows with the live field names)."""
    from .models import AsOfProject

    return AsOfProject.objects.filter(history_id__in=latest_rows(AsOfProject, as_of).values("history_id"))


def project_source(as_of: dt.date | None = None) -> QuerySet[Project] | QuerySet[AsOfProject]:
    """The projects to count figures from: live today, the historical rows of ``as_of`` otherwise. Both
    answer the same lookups (``status``, ``priority__code``, ``methods__code``, ``end_date``, ...); ``pk``
    differs (use ``id`` for the project's id)."""
    from .models import Project

    return Project.objects.all() if is_live(as_of) else project_rows_as_of(as_of)  # type: ignore[arg-type]

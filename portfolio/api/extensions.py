"""What apps above portfolio add to the project API: its financing plan (funding) and the decisions on its
proposals (governance). Portfolio does not import them: each app's `AppConfig.ready()` registers a read-only
field of `ProjectSerializer` and the prefetch that feeds it; the project viewset and serializer ask here.
A field nobody registered is absent (the serializer shows the project's own fields only).

The list (`GET /api/v1/projects/`) is built from rows, not through the serializer per project: a field also
registers `rows`, which gives its representation for a page of project ids at once (one query, whatever the
page size), exactly as `field` renders it. A field without `rows` makes the list fall back to the serializer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from rest_framework import serializers


@dataclass(frozen=True)
class ProjectField:
    name: str
    field: Callable[[], serializers.Field]  # a fresh field for each serializer instance
    prefetch: Callable[[], Prefetch | str] | None = None
    rows: Callable[[list[int]], dict[int, Any]] | None = None  # project id -> the field's value


_fields: dict[str, ProjectField] = {}


def register_project_field(name: str, *, field: Callable[[], serializers.Field],
                           prefetch: Callable[[], Prefetch | str] | None = None,
                           rows: Callable[[list[int]], dict[int, Any]] | None = None) -> None:
    """Add (or replace: `ready()` may run more than once) a read-only field of the project API. `rows(ids)`
    returns the field's value for each of those projects (a project missing from it gets [])."""
    _fields[name] = ProjectField(name=name, field=field, prefetch=prefetch, rows=rows)


def project_fields() -> list[ProjectField]:
    """The registered fields in registration order (the apps' order in INSTALLED_APPS)."""
    return list(_fields.values())


def project_prefetches() -> list[Prefetch | str]:
    return [f.prefetch() for f in _fields.values() if f.prefetch is not None]

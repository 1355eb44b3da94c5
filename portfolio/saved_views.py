"""Saved views of the project list: a user's named filter sets ("my views"), kept as the list's query string."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from .models import SavedView

MAX_PER_USER = 50


def _clean_query(query: str, allowed: set[str]) -> str:
    """Only the list's own filter parameters (the page number and anything else are dropped)."""
    params = QueryDict(query, mutable=True)
    kept = QueryDict(mutable=True)
    for key in params:
        if key in allowed and key != "page":
            values = [v for v in params.getlist(key) if v != ""]
            if values:
                kept.setlist(key, values)
    return kept.urlencode()


@transaction.atomic
def saved_view_save(*, user: Any, name: str, query: str, allowed: set[str]) -> SavedView:
    """Save (or replace, by name) the user's view of the list's filters; a 400-style ValidationError names
    the field for an empty or too long name, or too many views."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the view a name.")]})
    if len(name) > 100:
        raise ValidationError({"name": [_("The name is too long (at most 100 characters).")]})
    clean = _clean_query(query, allowed)
    if len(clean) > 1000:
        raise ValidationError({"name": [_("These filters are too long to save.")]})
    existing = SavedView.objects.select_for_update().filter(user=user, name=name).first()
    if existing is not None:
        existing.query = clean
        existing.save(update_fields=["query"])
        return existing
    if SavedView.objects.filter(user=user).count() >= MAX_PER_USER:
        raise ValidationError({"name": [_("You have the most saved views there can be; delete one first.")]})
    return SavedView.objects.create(user=user, name=name, query=clean)


def saved_views_of(user: Any) -> QuerySet[SavedView]:
    return SavedView.objects.filter(user=user) if getattr(user, "is_authenticated", False) else SavedView.objects.none()


def saved_view_delete(*, user: Any, pk: int) -> bool:
    """Delete one of the user's own views; another user's id deletes nothing (False)."""
    deleted, _rows = SavedView.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)

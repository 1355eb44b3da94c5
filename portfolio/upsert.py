"""Idempotent create-or-update used by the loaders: a row is saved only when a value really changes, so a
second run writes nothing (and adds no history)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def upsert(model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> tuple[M, bool]:
    """Return (object, changed)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**{**lookup, **values})
        obj.full_clean()
        obj.save()
        return obj, True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save()
    return obj, bool(changed)


def translated(field: str, names: dict[str, str]) -> dict[str, str]:
    """{'name_fi': …, 'name_sv': …, 'name_en': …} plus the base field in Finnish."""
    values = {f"{field}_{lang}": text for lang, text in names.items()}
    values[field] = names["fi"]
    return values

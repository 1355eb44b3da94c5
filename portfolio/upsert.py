"""Idempotent create-or-update used by the loaders: a row is saved only when a value really changes, so a
second run writes nothing (and adds no history)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import models
from django.utils import translation

M = TypeVar("M", bound=models.Model)
P = ParamSpec("P")
R = TypeVar("R")


def in_data_language(func: Callable[P, R]) -> Callable[P, R]:
    """Run a loader in the data's source language (Finnish): modeltranslation maps the plain field names
    (`name`, `title`) to the active language, so comparing them in another language would see a change
    where there is none."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
            return func(*args, **kwargs)

    return wrapper


def upsert(model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> tuple[M, bool]:
    """Return (object, changed)."""
    obj = model._default_manager.filter(**lookup).first()
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
    """{'name_fi': …, 'name_sv': …, 'name_en': …}: every language column by name. Never the plain field,
    which modeltranslation would write into the active language's column; the untranslated column
    mirrors Finnish on save (portfolio.i18n.SourceLanguageColumns)."""
    return {f"{field}_{lang}": text for lang, text in names.items()}

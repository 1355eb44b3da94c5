"""Writing translated fields (django-modeltranslation) without losing a language.

modeltranslation maps a plain field name to the *active* language's column: under the Swedish UI
`project.title = x` and `Project(title=x)` write `title_sv`, `full_clean()` copies the Finnish fallback
into an empty `title_sv`, and `save()` stores in the untranslated `title` column whatever the active
language shows. So:

- every write names its language column (`title_fi`, `title_sv`, `title_en`): forms and serializers
  have one field per language, loaders use `upsert.translated()`, a single box typed in the UI language
  goes through `typed_in()`. `tests/test_translated_writes.py` checks this at run time and in the source;
- the untranslated column always mirrors Finnish, the source language (the agreement's own language and
  modeltranslation's fallback): translated models inherit `SourceLanguageColumns`, which saves with
  Finnish active and validates the language columns instead of the plain one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation

SOURCE_LANGUAGE: str = settings.MODELTRANSLATION_DEFAULT_LANGUAGE


def translated_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The model's translated field names (`title`, `summary`), empty when it has none."""
    from modeltranslation.translator import NotRegistered, translator

    try:
        return tuple(translator.get_options_for_model(model).fields)
    except NotRegistered:
        return ()


def ui_language(language: str | None = None) -> str:
    """`language`, or the active one, as one of the configured language codes (source language if unknown)."""
    code = (language or translation.get_language() or SOURCE_LANGUAGE).split("-")[0].lower()
    return code if code in {lang for lang, _ in settings.LANGUAGES} else SOURCE_LANGUAGE


def typed_in(field: str, text: str, *, language: str | None = None) -> dict[str, str]:
    """The columns a text typed in one box in `language` (default: the active UI language) fills on a NEW
    object: that language's column, and also the source-language (Finnish) column when the text was typed
    in another language. modeltranslation falls back to Finnish but never from Finnish, so without this an
    idea created in the English UI would show a blank title to every Finnish reader; the Finnish column
    can be corrected later in the project form. An empty text fills nothing."""
    if not text:
        return {}
    lang = ui_language(language)
    return {f"{field}_{lang}": text, f"{field}_{SOURCE_LANGUAGE}": text} if lang != SOURCE_LANGUAGE else {
        f"{field}_{SOURCE_LANGUAGE}": text}


class SourceLanguageColumns:
    """Mixin (before `models.Model`) for models with translated fields: the untranslated column and its
    history copy always hold the Finnish text, and validation never writes through a plain field name."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The plain column is saved from the plain attribute, which reads the active language: make that
        # Finnish for the save (and the history record written in post_save), whatever the UI language.
        with translation.override(SOURCE_LANGUAGE):
            super().save(*args, **kwargs)  # type: ignore[misc]

    def clean_fields(self, exclude: Any = None) -> None:
        # Django's clean_fields sets every field it cleans; for a plain translated field that would copy
        # the Finnish fallback into an empty active-language column. Validate the language columns (which
        # are fields of their own) and require Finnish where the plain field is required.
        plain = translated_fields(type(self))  # type: ignore[arg-type]
        excluded = set(exclude or ()) | set(plain)
        errors: dict[str, list[Any]] = {}
        try:
            super().clean_fields(exclude=excluded)  # type: ignore[misc]
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for name in plain:
            field = self._meta.get_field(name)  # type: ignore[attr-defined]
            column = f"{name}_{SOURCE_LANGUAGE}"
            if not field.blank and column not in excluded and column not in errors and not getattr(self, column):
                errors[column] = [ValidationError(field.error_messages["blank"], code="blank")]
        if errors:
            raise ValidationError(errors)


def translated_reader(model: type[models.Model], name: str) -> Any:
    """A function giving, for a row of the model's columns (a values() dict, or an instance's __dict__), what
    the translated attribute `name` gives: the active language, then the fallbacks, exactly as
    modeltranslation's descriptor decides, with the language order resolved once rather than per row
    (lists of hundreds of rows; issue 16)."""
    from types import SimpleNamespace

    from modeltranslation.fields import NONE
    from modeltranslation.utils import get_language, resolution_order

    descriptor = model.__dict__[name]
    undefined = descriptor.fallback_undefined
    if undefined is NONE:
        undefined = descriptor.field.get_default()
    columns = [f"{name}_{lang}" for lang in resolution_order(get_language(), descriptor.fallback_languages)]

    def value(row: Any) -> Any:
        for column in columns:
            if column in row and descriptor.meaningful_value(row[column], undefined):
                return row[column]
        languages = {key: row[key] for key in row if key.startswith(f"{name}_")}
        return descriptor.__get__(SimpleNamespace(**languages), model)

    return value

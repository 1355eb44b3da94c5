"""Change history (django-simple-history) as readable entries: who, when, what, old → new."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _

ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
# The untranslated columns mirror Finnish (portfolio.i18n): their language columns are shown instead.
IGNORED = {"id", "version", "updated_at", "created_at", "title", "summary", "name", "description", "file"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime
    who: str
    subject: str
    action: str
    changes: list[Change] = field(default_factory=list)


def _value(model: type[models.Model], name: str, value: Any, cache: dict[tuple[str, Any], str]) -> str:
    if value is None or value == "":
        return "—"
    try:
        f = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - history-only fields
        return str(value)
    if isinstance(value, list):  # m2m: list of through-row dicts
        target = f.related_model
        ids = [next((v for k, v in row.items() if k != model._meta.model_name), None) for row in value]
        names = [str(o) for o in target.objects.filter(pk__in=[i for i in ids if i is not None])]
        return ", ".join(sorted(names)) or "—"
    if f.is_relation and f.related_model is not None:
        key = (f.related_model._meta.label, value)
        if key not in cache:
            obj = f.related_model._default_manager.filter(pk=value).first()
            cache[key] = str(obj) if obj is not None else f"#{value}"
        return cache[key]
    if getattr(f, "choices", None):
        return str(dict(f.choices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    # Amounts and dates as the reader's language writes them ("124 000,00", "12.2.2026"; "12/02/2026").
    if isinstance(f, models.DecimalField) and isinstance(value, Decimal | int | str):
        try:
            return formats.number_format(Decimal(value), decimal_pos=f.decimal_places, use_l10n=True,
                                         force_grouping=True)
        except (ArithmeticError, ValueError):
            return str(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


# The parts of a project's history that apps above portfolio keep (funding's lines): each app's
# AppConfig.ready() registers a function giving a project's entries of its records (built with
# `entries_of`), and history_entries adds them.
ProjectHistory = Callable[[Any], list[Entry]]
_project_history: list[ProjectHistory] = []


def register_project_history(source: ProjectHistory) -> None:
    if source not in _project_history:
        _project_history.append(source)


def entries_of(records: list[Any], model: type[models.Model], subject: Any) -> list[Entry]:
    """Diff each history record against the previous record of the same object."""
    cache: dict[tuple[str, Any], str] = {}
    by_object: dict[Any, list[Any]] = {}
    for record in records:
        by_object.setdefault(getattr(record, "id", None), []).append(record)
    result: list[Entry] = []
    for rows in by_object.values():
        rows.sort(key=lambda r: (r.history_date, r.history_id))
        previous = None
        for record in rows:
            changes: list[Change] = []
            if previous is not None and record.history_type == "~":
                delta = record.diff_against(previous, foreign_keys_are_objs=False)
                for change in delta.changes:
                    if change.field in IGNORED:
                        continue
                    label = str(model._meta.get_field(change.field).verbose_name) if change.field in {
                        f.name for f in model._meta.get_fields()} else change.field
                    changes.append(Change(label, _value(model, change.field, change.old, cache),
                                          _value(model, change.field, change.new, cache)))
            previous = record
            if record.history_type == "~" and not changes:
                continue  # a save that changed nothing visible (e.g. only the version)
            user = record.history_user
            result.append(Entry(
                when=record.history_date,
                who=(user.get_full_name() or user.get_username()) if user else str(_("system")),
                subject=subject(record) if callable(subject) else str(subject),
                action=str(ACTIONS.get(record.history_type, record.history_type)),
                changes=changes,
            ))
    return result


def history_entries(*, project: Any = None, organisation: Any = None, limit: int | None = 50) -> list[Entry]:
    """The change history of a project (with its funding lines, co-implementers and attachments) or of an
    organisation, newest first."""
    entries: list[Entry] = []
    if project is not None:
        from .models import Project, ProjectAttachment, ProjectPartner

        entries += entries_of(list(Project.history.filter(id=project.pk).select_related("history_user")),
                              Project, _("Project"))
        for source in _project_history:
            entries += source(project)
        entries += entries_of(list(ProjectPartner.history.filter(project_id=project.pk)
                                 .select_related("history_user")), ProjectPartner,
                            lambda r: str(_("Co-implementer %(name)s") % {"name": _value(
                                ProjectPartner, "organisation", r.organisation_id, {})}))
        entries += entries_of(list(ProjectAttachment.history.filter(project_id=project.pk)
                                 .select_related("history_user")), ProjectAttachment,
                            lambda r: str(_("Attachment %(name)s") % {"name": r.original_name}))
    if organisation is not None:
        from .models import Organisation

        entries += entries_of(list(Organisation.history.filter(id=organisation.pk).select_related("history_user")),
                            Organisation, _("Organisation"))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit] if limit else entries


def action_plan_history_entries(*, agreement: Any, limit: int | None = 100) -> list[Entry]:
    """The change history of an agreement's action plan: its priorities' descriptions and its themes,
    newest first."""
    from .models import Priority, Theme

    entries = entries_of(list(Priority.history.filter(agreement_id=agreement.pk).select_related("history_user")),
                         Priority, lambda r: str(_("Priority %(code)s") % {"code": r.code}))
    entries += entries_of(list(Theme.history.filter(agreement_id=agreement.pk).select_related("history_user")),
                          Theme, lambda r: str(_("Theme %(name)s") % {"name": r.name_fi or r.slug}))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit] if limit else entries

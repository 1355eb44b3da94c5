"""What may not be deleted, and why: the guard shared by the ORM and the admin.

Most of the permanent record is protected in the schema (``on_delete=PROTECT``). Some rules are not a foreign
key: a user named in the change history (simple-history's ``history_user`` is ``SET_NULL`` and cannot be
changed), a project that has been decided, or a guest who attended confirmed minutes. Those rules are
registered here, by the app that knows them (apps to the right register their own; this module never looks
to its right), and enforced twice: by a ``pre_delete`` receiver, so an ORM or queryset delete is refused with
``ProtectedError`` inside the delete's transaction, and by the admin (``ExplainRefusedDeleteMixin``), so the
delete page says why instead of failing."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import ProtectedError
from django.db.models.signals import pre_delete
from django.utils.translation import gettext as _

from .choices import PUBLIC_PROJECT_STATUSES

# A blocker answers, for one object about to be deleted, the reasons it must stay (empty: may go).
Blocker = Callable[[models.Model], list[str]]
_BLOCKERS: dict[type[models.Model], list[Blocker]] = {}


def deletion_blocker_register(model: type[models.Model], blocker: Blocker) -> None:
    """Register a rule that refuses deleting rows of ``model``; connects the ORM guard once per model."""
    if model not in _BLOCKERS:
        _BLOCKERS[model] = []
        pre_delete.connect(_refuse_blocked_delete, sender=model, dispatch_uid=f"deletion-guard-{model._meta.label}")
    if blocker not in _BLOCKERS[model]:
        _BLOCKERS[model].append(blocker)


def deletion_blockers(obj: models.Model) -> list[str]:
    """Why ``obj`` may not be deleted (translated sentences); empty when nothing registered objects."""
    reasons: list[str] = []
    for model, blockers in _BLOCKERS.items():
        if isinstance(obj, model):
            for blocker in blockers:
                reasons.extend(blocker(obj))
    return reasons


def _refuse_blocked_delete(sender: type[models.Model], instance: models.Model, **kwargs: object) -> None:
    # pre_delete runs inside the collector's transaction: raising here deletes nothing at all.
    reasons = deletion_blockers(instance)
    if reasons:
        raise ProtectedError(" ".join(reasons), {instance})


def blocked_objects(objs: Iterable[models.Model]) -> list[str]:
    """One line per blocked object, for the admin's "cannot delete" list."""
    return [f"{obj}: {reason}" for obj in objs for reason in deletion_blockers(obj)]


# --- the rules the bottom app knows ------------------------------------------------------------------------

def _user_in_history(user: models.Model) -> list[str]:
    for model in apps.get_models():
        field = next((f for f in model._meta.get_fields() if f.name == "history_user"), None)
        if field is not None and field.is_relation and model._default_manager.filter(history_user=user).exists():
            return [_("This person is named in the change history. People leave by deactivation and "
                      "anonymisation, never by deleting their account.")]
    return []


def _decided_project(project: models.Model) -> list[str]:
    if getattr(project, "status", None) in PUBLIC_PROJECT_STATUSES:
        return [_("A decided project (approved, running or closed) is part of the permanent record and "
                  "cannot be deleted; close or withdraw it instead.")]
    return []


def register_portfolio_blockers() -> None:
    from .models import Project  # noqa: PLC0415 - called from AppConfig.ready, after the models exist

    deletion_blocker_register(get_user_model(), _user_in_history)
    deletion_blocker_register(Project, _decided_project)


class ExplainRefusedDeleteMixin:
    """Admin mixin: the delete page and the bulk delete action list the registered reasons as protected
    objects, so Django's own "cannot delete" page says why, and nothing is deleted."""

    def get_deleted_objects(self, objs, request):  # type: ignore[no-untyped-def]
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)  # type: ignore[misc]
        protected = list(protected) + blocked_objects(objs)
        return deleted, model_count, perms_needed, protected

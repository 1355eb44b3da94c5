"""Writes of the portfolio app: the agreement loader and the role set-up."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import security_event_record
from .choices import SecurityEventKind
from .data import hev
from .models import (
    Agreement,
    AgreementParty,
    ApiToken,
    MethodCategory,
    Organisation,
    Priority,
    Project,
    ProjectAttachment,
    ProjectContact,
    ProjectPartner,
    Theme,
)
from .plan import financing_plan
from .roles import ROLE_MODEL_PERMISSIONS
from .upsert import in_data_language, translated, upsert

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import UploadedFile
    from django.http import HttpRequest
    from django_stubs_ext import StrOrPromise

# The parts of the agreement that apps above portfolio own (e.g. governance's steering groups): each app's
# AppConfig.ready() registers a function that creates or updates its part of a loaded agreement and returns
# what it changed. agreement_load runs them after the priorities and method categories.
AgreementPart = Callable[[Agreement], list[str]]
_agreement_parts: list[AgreementPart] = []


def register_agreement_part(part: AgreementPart) -> None:
    """Add one app's part of `agreement_load` (idempotent: `ready()` may run more than once)."""
    if part not in _agreement_parts:
        _agreement_parts.append(part)


# What apps above portfolio keep for a new project (governance: the preparation record of an idea): each
# app's AppConfig.ready() registers a function that project_create calls in its transaction.
ProjectCreatedPart = Callable[[Project, "User | None"], object]
_project_created_parts: list[ProjectCreatedPart] = []


def register_project_created_part(part: ProjectCreatedPart) -> None:
    """Add one app's part of `project_create` (idempotent: `ready()` may run more than once)."""
    if part not in _project_created_parts:
        _project_created_parts.append(part)


@dataclass
class LoadResult:
    agreement: Agreement
    changed: list[str] = field(default_factory=list)


def roles_sync() -> list[str]:
    """Create the role groups and give each exactly the model permissions of ROLE_MODEL_PERMISSIONS."""
    changed: list[str] = []
    for role, actions in ROLE_MODEL_PERMISSIONS.items():
        group, created = Group.objects.get_or_create(name=role)
        wanted: set[int] = set()
        for action, models in actions.items():
            for dotted in models:
                app_label, model = dotted.split(".")
                wanted.add(Permission.objects.get(content_type__app_label=app_label,
                                                  codename=f"{action}_{model}").pk)
        current = set(group.permissions.values_list("pk", flat=True))
        if created or current != wanted:
            group.permissions.set(wanted)
            changed.append(f"group {role}")
    return changed


@in_data_language
@transaction.atomic
def agreement_load() -> LoadResult:
    """Create or update the Helsinki–Espoo–Vantaa agreement with its parties, priorities, method categories,
    funding instruments, steering groups and the coordination project. Running it again changes nothing."""
    changed: list[str] = roles_sync()

    data = hev.AGREEMENT
    agreement, did = upsert(Agreement, {"code": data["code"]}, {
        **translated("name", data["name"]), "region": data["region"], "valid_from": data["valid_from"],
        "valid_until": data["valid_until"], "programme": data["programme"], "status": "active",
    })
    if did:
        changed.append(f"agreement {agreement.code}")

    organisations: dict[str, Organisation] = {}
    for key, names, short, kind, business_id, municipality, role in hev.PARTIES:
        lookup = {"business_id": business_id} if business_id else {"short_name": short, "kind": kind}
        org, did = upsert(Organisation, lookup, {**translated("name", names), "short_name": short, "kind": kind,
                                                 "municipality": municipality})
        organisations[key] = org
        _, did_party = upsert(AgreementParty, {"agreement": agreement, "organisation": org}, {"role": role})
        if did or did_party:
            changed.append(f"party {short}")

    for code, names, is_open in hev.PRIORITIES:
        _, did = upsert(Priority, {"agreement": agreement, "code": code},
                        {**translated("name", names), "is_open": is_open})
        if did:
            changed.append(f"priority {code}")
    changed += _action_plan_load(agreement)
    for code, names in hev.METHOD_CATEGORIES:
        _, did = upsert(MethodCategory, {"code": code}, translated("name", names))
        if did:
            changed.append(f"method category {code}")

    changed += _coordination_project_load(agreement, organisations)
    # The apps above, in INSTALLED_APPS order: funding's instruments and the coordination project's
    # funding, governance's steering groups.
    for part in _agreement_parts:
        changed += part(agreement)
    return LoadResult(agreement=agreement, changed=changed)


def _action_plan_load(agreement: Agreement) -> list[str]:
    """The annex's priority descriptions and example themes (hev.PRIORITY_DESCRIPTIONS, hev.THEMES). The
    annex is kept current by the coordinators in the portal, so this only fills what is missing: an empty
    description column, a theme the agreement does not have, the priority of a theme that has none. It never
    overwrites an edit, and a second run changes nothing."""
    changed: list[str] = []
    priorities = {p.code: p for p in Priority.objects.filter(agreement=agreement)}
    for code, texts in hev.PRIORITY_DESCRIPTIONS.items():
        priority = priorities[code]
        missing = {f"description_{lang}": text for lang, text in texts.items()
                   if not getattr(priority, f"description_{lang}")}
        if missing:
            for column, text in missing.items():
                setattr(priority, column, text)
            priority.full_clean()
            priority.save()
            changed.append(f"priority {code} description")
    existing = {t.slug: t for t in Theme.objects.filter(agreement=agreement)}
    for position, (slug, code, names) in enumerate(hev.THEMES, start=1):
        theme = existing.get(slug)
        if theme is None:
            theme = Theme(agreement=agreement, slug=slug, priority=priorities[code], position=position,
                          **translated("name", names))
        elif theme.priority_id is None:
            theme.priority = priorities[code]
        else:
            continue
        theme.full_clean()
        theme.save()
        changed.append(f"theme {slug}")
    return changed


def _coordination_project_load(agreement: Agreement, organisations: dict[str, Organisation]) -> list[str]:
    spec = hev.COORDINATION_PROJECT
    changed: list[str] = []
    project, did = upsert(Project, {"agreement": agreement, "code": spec["code"]}, {
        **translated("title", spec["title"]), **translated("summary", spec["summary"]),
        "lead_organisation": organisations[spec["lead"]],
        "priority": Priority.objects.get(agreement=agreement, code=spec["priority"]),
        "start_date": spec["start_date"], "end_date": spec["end_date"], "is_coordination_project": True,
    })
    if did:
        changed.append(f"project {project.code}")
    if project.status == "idea":  # a fresh load: the coordination project has run since 2021
        project.status = "running"
        project.save(update_fields=["status"])
    methods = set(MethodCategory.objects.filter(code__in=spec["methods"]).values_list("pk", flat=True))
    if set(project.methods.values_list("pk", flat=True)) != methods:
        project.methods.set(methods)
        changed.append(f"project {project.code} methods")
    for key in spec["partners"]:
        _, did = upsert(ProjectPartner, {"project": project, "organisation": organisations[key]}, {})
        if did:
            changed.append(f"project {project.code} partner {key}")
    return changed




# --- projects -------------------------------------------------------------------------------------------

class StaleVersionError(Exception):
    """The project (or action-plan theme) changed since the editor loaded it (optimistic concurrency).
    `current` is the saved row as it is now; `changes` maps field name → (value the editor started from,
    value saved now)."""

    def __init__(self, *, current: Project | Theme, expected: int,
                 changes: dict[str, tuple[Any, Any]] | None = None):
        self.current = current
        self.expected = expected
        self.changes = changes or {}
        super().__init__(f"{current._meta.model_name} {current.pk} is at version {current.version}, "
                         f"not {expected}")


# Fields a coordinator sets through project_create/project_update. Status, version and the agreement are
# not among them: status moves through governance decisions, version only through this service.
PROJECT_FIELDS = (
    "code", "title_fi", "title_sv", "title_en", "summary_fi", "summary_sv", "summary_en", "lead_organisation",
    "priority", "start_date", "end_date", "internationalisation", "is_coordination_project",
    "is_supra_regional", "eura_code", "coordinator",
)
PROJECT_M2M_FIELDS = ("methods", "themes", "partners")


def _project_check(project: Project) -> None:
    from django.core.exceptions import ValidationError

    errors: dict[str, list[StrOrPromise]] = {}
    if project.priority_id and project.priority.agreement_id != project.agreement_id:
        errors.setdefault("priority", []).append(_("This priority belongs to another agreement."))
    if project.start_date and project.end_date and project.end_date < project.start_date:
        errors.setdefault("end_date", []).append(_("The end date cannot be before the start date."))
    if errors:
        raise ValidationError(errors)
    project.full_clean(exclude=["partners", "methods", "themes"])


def _apply(project: Project, data: dict[str, Any]) -> None:
    # Translated fields are written by their language columns only (title_fi, title_sv, title_en); the
    # untranslated column mirrors Finnish on save (portfolio.i18n.SourceLanguageColumns).
    for name in PROJECT_FIELDS:
        if name in data:
            setattr(project, name, data[name])


def _m2m_apply(project: Project, data: dict[str, Any]) -> None:
    if "methods" in data:
        project.methods.set(data["methods"])
    if "themes" in data:
        themes = list(data["themes"])
        if any(theme.agreement_id != project.agreement_id for theme in themes):
            from django.core.exceptions import ValidationError

            raise ValidationError({"themes": [_("Choose themes of this project's agreement.")]},
                                  code="theme_of_other_agreement")
        project.themes.set(themes)
    if data.get("partners") is not None:
        # Items are organisations, or dicts {"organisation": ..., "budget_share": Decimal}.
        wanted: dict[int, Decimal | None] = {}
        for item in data["partners"]:
            organisation = item["organisation"] if isinstance(item, dict) else item
            share = item.get("budget_share") if isinstance(item, dict) else None
            wanted[organisation.pk] = share
        current = {p.organisation_id: p for p in project.partnerships.all()}
        for organisation_id, partnership in current.items():
            if organisation_id not in wanted:
                partnership.delete()
        for organisation_id, share in wanted.items():
            existing = current.get(organisation_id)
            if existing is None:
                ProjectPartner.objects.create(project=project, organisation_id=organisation_id,
                                              budget_share=share or Decimal("0.00"))
            elif share is not None and existing.budget_share != share:
                existing.budget_share = share
                existing.save(update_fields=["budget_share"])


def partner_shares_over_plan(project: Project) -> tuple[Decimal, Decimal] | None:
    """The one rule on co-implementers' money: their budget shares together fit in the project's total
    planned budget (corrections included). ``(shares, total)`` when they do not, else None. The project form
    and the financing plan (funding.services.funding_lines_replace) both ask this."""
    from django.db.models import Sum

    shares = project.partnerships.aggregate(t=Sum("budget_share"))["t"] or Decimal("0.00")
    # The reverse relation of the funding lines: the plan's planned money, corrections included.
    total = project.funding_lines.aggregate(t=Sum("planned_amount"))["t"] or Decimal("0.00")
    return (shares, total) if shares > total else None


def _partners_check(project: Project) -> None:
    """Co-implementers (osatoteuttajat) are organisations other than the lead, and their budget shares
    together fit in the project's total planned budget. Raises ValidationError on "partners"."""
    from django.core.exceptions import ValidationError
    from django.utils.formats import number_format

    def euros(value: Decimal) -> str:
        return f"{number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)} €"

    errors: list[StrOrPromise] = []
    if project.partnerships.filter(organisation_id=project.lead_organisation_id).exists():
        errors.append(_("The lead implementer cannot also be a co-implementer."))
    over = partner_shares_over_plan(project)
    if over is not None:
        errors.append(_("The co-implementers' budget shares total %(shares)s, more than the project's total "
                        "planned budget %(total)s.") % {"shares": euros(over[0]), "total": euros(over[1])})
    if errors:
        raise ValidationError({"partners": errors}, code="invalid_partners")


def _lines_replace(*, project: Project, lines: list[dict[str, Any]] | None, user: User | None,
                   expected_fingerprint: str | None) -> list[str]:
    """Write the financing plan through the funding app (its rules: instrument years, duplicates, amounts)
    and return its frame warnings."""
    if lines is None:
        return []
    return financing_plan().lines_replace(project=project, lines=lines, user=user,
                                          expected_fingerprint=expected_fingerprint)


@transaction.atomic
def project_create(*, agreement: Agreement, data: dict[str, Any], user: User | None,
                   lines: list[dict[str, Any]] | None = None) -> Project:
    """Create a project (status idea) with its methods, themes, co-implementers and funding lines, all or
    nothing. Frame overruns do not block; they are returned on `project.frame_warnings`."""
    from django.core.exceptions import PermissionDenied

    from .permissions import can_edit_agreement_portfolio

    if user is not None and not can_edit_agreement_portfolio(user, agreement):
        raise PermissionDenied
    project = Project(agreement=agreement)
    _apply(project, data)
    _project_check(project)
    project._history_user = user  # type: ignore[attr-defined]  # read by simple_history
    project.save()
    _m2m_apply(project, data)
    project.frame_warnings = _lines_replace(  # type: ignore[attr-defined]  # not a column: for the view
        project=project, lines=lines, user=user, expected_fingerprint=None)
    if data.get("partners"):
        _partners_check(project)
    for part in _project_created_parts:
        part(project, user)
    return project


def _column_changes(obj: Any, fields: Iterable[str], since_version: int) -> tuple[Any, dict[str, tuple[Any, Any]]]:
    """The history record of ``obj`` at ``since_version`` (None when there is none) and the columns among
    ``fields`` whose saved value differs from it now: field name → (old, now)."""
    history = obj.history  # simple_history adds it; ships no types
    record = history.filter(version=since_version).order_by("-history_date").first()
    changes: dict[str, tuple[Any, Any]] = {}
    if record is None:
        return None, changes
    for name in fields:
        model_field = type(obj)._meta.get_field(name)
        if not isinstance(model_field, Field):  # the fields are the model's own columns
            raise TypeError(f"{name} is not a column of {type(obj).__name__}")
        old, now = getattr(record, model_field.attname, None), getattr(obj, model_field.attname)
        if old != now:
            changes[name] = (old, now)
    return record, changes


def project_changes(*, project: Project, since_version: int) -> dict[str, tuple[Any, Any]]:
    """Fields whose saved value differs from the one the project had at `since_version` (from history):
    field name → (old, now)."""
    record, changes = _column_changes(project, PROJECT_FIELDS, since_version)
    if record is None:
        return {}
    for name in ("methods", "themes"):
        now_ids = set(getattr(project, name).values_list("pk", flat=True))
        through = getattr(record, name).all()
        key = "methodcategory_id" if name == "methods" else "theme_id"
        old_ids = {getattr(row, key) for row in through}
        if old_ids != now_ids:
            changes[name] = (old_ids, now_ids)
    return changes


@transaction.atomic
def project_update(*, project: Project, data: dict[str, Any], expected_version: int, user: User | None,
                   lines: list[dict[str, Any]] | None = None, lines_fingerprint: str | None = None) -> Project:
    """Update a project if nobody saved it after `expected_version`; otherwise raise StaleVersionError
    and write nothing. The row is locked for the check-and-write, so two saves of the same version cannot
    both succeed. The version goes up by one on every save."""
    from django.core.exceptions import PermissionDenied

    from .permissions import can_change_project

    locked = Project.objects.select_for_update().get(pk=project.pk)
    if user is not None and not can_change_project(user, locked):
        raise PermissionDenied
    if locked.version != expected_version:
        raise StaleVersionError(current=locked, expected=expected_version,
                                changes=project_changes(project=locked, since_version=expected_version))
    _apply(locked, data)
    _project_check(locked)
    locked.version = locked.version + 1
    locked._history_user = user  # type: ignore[attr-defined]  # read by simple_history
    # A conditional UPDATE as a second guard where select_for_update is a no-op (SQLite serialises writers
    # anyway with IMMEDIATE transactions).
    updated = Project.objects.filter(pk=locked.pk, version=expected_version).update(version=locked.version)
    if updated != 1:
        raise StaleVersionError(current=Project.objects.get(pk=locked.pk), expected=expected_version)
    locked.save()
    _m2m_apply(locked, data)
    locked.frame_warnings = _lines_replace(  # type: ignore[attr-defined]  # not a column: for the view
        project=locked, lines=lines, user=user, expected_fingerprint=lines_fingerprint)
    if data.get("partners") is not None or lines is not None or "lead_organisation" in data:
        _partners_check(locked)
    return locked


# --- organisations --------------------------------------------------------------------------------------

ORGANISATION_FIELDS = ("name_fi", "name_sv", "name_en", "short_name", "kind", "business_id", "municipality",
                       "website")


@transaction.atomic
def organisation_save(*, data: dict[str, Any], user: User | None, organisation: Organisation | None = None
                      ) -> Organisation:
    """Create or update an organisation (business ID normalised and check-digit validated)."""
    from django.core.exceptions import PermissionDenied

    from .permissions import can_change_organisation
    from .validators import normalise_business_id

    if user is not None and not can_change_organisation(user):
        raise PermissionDenied
    organisation = organisation or Organisation()
    for name in ORGANISATION_FIELDS:  # name_fi/name_sv/name_en by column; `name` mirrors Finnish on save
        if name in data:
            setattr(organisation, name, data[name])
    organisation.business_id = normalise_business_id(organisation.business_id or "")
    organisation.full_clean()
    organisation._history_user = user  # type: ignore[attr-defined]  # read by simple_history
    organisation.save()
    return organisation


# --- attachments ----------------------------------------------------------------------------------------

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# Allowed types: extension → (content type, check of the first bytes). Office files are ZIP containers.
ATTACHMENT_TYPES: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    "pdf": ("application/pdf", lambda head: head.startswith(b"%PDF-")),
    "png": ("image/png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             lambda head: head.startswith(b"PK\x03\x04")),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             lambda head: head.startswith(b"PK\x03\x04")),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
             lambda head: head.startswith(b"PK\x03\x04")),
    "odt": ("application/vnd.oasis.opendocument.text", lambda head: head.startswith(b"PK\x03\x04")),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", lambda head: head.startswith(b"PK\x03\x04")),
    "txt": ("text/plain", lambda head: b"\x00" not in head),
    "csv": ("text/csv", lambda head: b"\x00" not in head),
}


def _upload_size(upload: UploadedFile[Any]) -> int:
    # Django's uploads always know their size; the stubs allow None for files built without one.
    return upload.size or 0


def attachment_check(*, upload: UploadedFile[Any]) -> tuple[str, str]:
    """(extension, content type) of an allowed upload; ValidationError on size, type or content."""
    import os

    from django.core.exceptions import ValidationError

    size = _upload_size(upload)
    if size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(_("The file is too large (at most %(mb)s MB)."), code="too_large",
                              params={"mb": ATTACHMENT_MAX_BYTES // (1024 * 1024)})
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    ext = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
    if ext not in ATTACHMENT_TYPES:
        raise ValidationError(_("This type of file is not allowed. Allowed: %(types)s."), code="type",
                              params={"types": ", ".join(sorted(ATTACHMENT_TYPES))})
    content_type, looks_right = ATTACHMENT_TYPES[ext]
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if not looks_right(head):
        raise ValidationError(_("The file's content does not match its type (.%(ext)s)."), code="content",
                              params={"ext": ext})
    if ext in ("txt", "csv"):
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            try:
                head[:-4].decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ValidationError(_("A text file must be UTF-8."), code="encoding") from exc
    return ext, content_type


@transaction.atomic
def attachment_add(*, project: Project, upload: UploadedFile[Any], user: User | None, description: str = ""
                   ) -> ProjectAttachment:
    """Store an upload under a random name after checking size, type and content."""
    import os
    import uuid

    from django.core.exceptions import PermissionDenied
    from django.core.files.base import File

    from .permissions import can_change_project

    if user is not None and not can_change_project(user, project):
        raise PermissionDenied
    ext, content_type = attachment_check(upload=upload)
    original = os.path.basename((upload.name or "").replace("\\", "/"))[:255] or f"file.{ext}"
    attachment = ProjectAttachment(project=project, original_name=original, content_type=content_type,
                                   size=_upload_size(upload), description=description[:255], uploaded_by=user)
    attachment.file.save(f"{uuid.uuid4().hex}.{ext}", File(upload), save=False)
    attachment._history_user = user  # type: ignore[attr-defined]  # read by simple_history
    attachment.save()
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: ProjectAttachment, user: User | None) -> None:
    from django.core.exceptions import PermissionDenied

    from .permissions import can_change_project

    if user is not None and not can_change_project(user, attachment.project):
        raise PermissionDenied
    storage, name = attachment.file.storage, attachment.file.name
    attachment._history_user = user  # type: ignore[attr-defined]  # read by simple_history
    attachment.delete()
    if name:  # a stored attachment always has its file's name
        transaction.on_commit(lambda: storage.delete(name))


# --- status steps a coordinator takes -------------------------------------------------------------------

# Ideas, proposals, approvals and withdrawals move through governance decisions; starting and closing an
# approved project are the coordinators' own steps.
PROJECT_STATUS_STEPS: dict[str, tuple[str, ...]] = {"approved": ("running",), "running": ("closed",)}


@transaction.atomic
def project_status_advance(*, project: Project, status: str, user: User | None) -> Project:
    """Mark an approved project running, or a running project closed; any other change is refused."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from .permissions import can_change_project

    locked = Project.objects.select_for_update().get(pk=project.pk)
    if user is not None and not can_change_project(user, locked):
        raise PermissionDenied
    if status not in PROJECT_STATUS_STEPS.get(locked.status, ()):
        raise ValidationError(_("A project that is “%(from)s” cannot be marked “%(to)s”."), code="transition",
                              params={"from": locked.get_status_display(), "to": status})
    locked.status = status
    locked.version += 1
    locked._history_user = user  # type: ignore[attr-defined]  # read by simple_history
    locked.save(update_fields=["status", "version", "updated_at"])
    return locked


@transaction.atomic
def project_admit(*, project: Project, first_year: int | None, last_year: int | None, decided_on: dt.date,
                  user: User | None, reason: str) -> Project:
    """A project the steering group approved enters the portfolio: a provisional idea code (IDEA-001) is
    replaced by the next code of the agreement's series, and blank start and end dates are filled from the
    years of its approved funding (1.1. of the first year, not before the decision; 31.12. of the last year,
    not after the agreement). Dates and codes already set are kept. Called by governance's decision service
    in its transaction; saved like every status change: locked, version bumped, with history."""
    from .selectors import is_provisional_code, project_code_next

    Agreement.objects.select_for_update().get(pk=project.agreement_id)  # one code at a time per agreement
    locked = Project.objects.select_for_update().select_related("agreement").get(pk=project.pk)
    changed: list[str] = []
    if is_provisional_code(locked.code):
        locked.code = project_code_next(agreement=locked.agreement)
        changed.append("code")
    if first_year is not None and last_year is not None:
        start = max(dt.date(first_year, 1, 1), decided_on)
        end = min(dt.date(last_year, 12, 31), locked.agreement.valid_until)
        if locked.start_date is None and start <= (locked.end_date or end):
            locked.start_date = start
            changed.append("start_date")
        if locked.end_date is None and end >= (locked.start_date or start):
            locked.end_date = end
            changed.append("end_date")
    if changed:
        locked.version += 1
        locked._history_user = user  # type: ignore[attr-defined]  # read by simple_history
        locked._change_reason = reason[:100]  # type: ignore[attr-defined]  # read by simple_history
        locked.save(update_fields=[*changed, "version", "updated_at"])
    for name in (*changed, "version"):
        setattr(project, name, getattr(locked, name))
    return project


# --- project contacts -----------------------------------------------------------------------------------

@transaction.atomic
def project_contact_assign(*, project: Project, contact_user: Any, organisation: Organisation | None = None,
                           user: Any) -> ProjectContact:
    """Make a person a contact of a project (for its lead or a co-implementer) and give them the project-contact
    role. A coordinator of the project's agreement assigns; assigning twice keeps one row."""
    from django.contrib.auth.models import Group
    from django.core.exceptions import PermissionDenied

    from .permissions import can_assign_project_contacts
    from .roles import Role

    if user is not None and not can_assign_project_contacts(user, project):
        raise PermissionDenied
    contact = ProjectContact.objects.filter(project=project, user=contact_user).first() or ProjectContact(
        project=project, user=contact_user)
    contact.organisation = organisation
    contact.full_clean()
    contact._history_user = user  # type: ignore[attr-defined]
    contact.save()
    group, _created = Group.objects.get_or_create(name=Role.PROJECT_CONTACT)
    contact_user.groups.add(group)
    return contact


@transaction.atomic
def project_contact_remove(*, contact: ProjectContact, user: Any) -> None:
    from django.core.exceptions import PermissionDenied

    from .permissions import can_assign_project_contacts

    if user is not None and not can_assign_project_contacts(user, contact.project):
        raise PermissionDenied
    contact._history_user = user  # type: ignore[attr-defined]
    contact.delete()


# --- personal API tokens ------------------------------------------------------------------------------------

API_TOKEN_MARKER = "ept_"  # nosec B105 - a public prefix of personal tokens (tells them from DRF's), no secret
API_TOKEN_EXPIRY_DAYS = (30, 90, 365)
API_TOKEN_LIMIT = 20  # live tokens per user
# Writing the last-use time on every request would write on every API call; once in this many seconds is
# precise enough for "last used".
API_TOKEN_USE_RESOLUTION = dt.timedelta(minutes=5)


def api_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedApiToken:
    token: ApiToken
    key: str  # the secret: shown to the user once, never stored


def api_token_create(*, user: AbstractBaseUser, name: str, expires_in_days: int | None,
                     request: HttpRequest | None = None) -> CreatedApiToken:
    """A new personal API token for ``user``; returns the key, which exists nowhere else (only its hash is
    stored). Names are unique among the user's tokens that are not revoked; at most ``API_TOKEN_LIMIT`` live
    tokens. The creation goes to the security log."""
    from django.core.exceptions import ValidationError  # noqa: PLC0415

    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    if expires_in_days is not None and expires_in_days not in API_TOKEN_EXPIRY_DAYS:
        raise ValidationError({"expires_in": _("Choose one of the offered periods.")})
    now = timezone.now()
    with transaction.atomic():
        # Locks the user's row so two simultaneous creations cannot both pass the checks below.
        get_user_model()._default_manager.select_for_update().filter(pk=user.pk).first()
        mine = ApiToken.objects.visible_to(user)
        if mine.not_revoked().filter(name=name).exists():
            raise ValidationError({"name": _("You already have a token with this name.")})
        if mine.live(now).count() >= API_TOKEN_LIMIT:
            raise ValidationError(_("You have %(limit)s tokens in use: revoke one you no longer need first.")
                                  % {"limit": API_TOKEN_LIMIT})
        key = API_TOKEN_MARKER + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=user, name=name, prefix=key[: len(API_TOKEN_MARKER) + 6], key_hash=api_token_hash(key),  # type: ignore[misc]
            created_at=now,
            expires_at=now + dt.timedelta(days=expires_in_days) if expires_in_days else None,
        )
        security_event_record(kind=SecurityEventKind.API_TOKEN_CREATED, request=request, user=user, obj=token,
                              detail={"name": token.name, "prefix": token.prefix,
                                      "expires": token.expires_at.isoformat() if token.expires_at else None})
    return CreatedApiToken(token=token, key=key)


def api_token_revoke(*, token: ApiToken, user: AbstractBaseUser, request: HttpRequest | None = None) -> ApiToken:
    """Revoke one of the user's tokens (it stops working at once). Someone else's token is not found
    (``ApiToken.DoesNotExist``). Revoking twice changes nothing and logs once."""
    with transaction.atomic():
        token = ApiToken.objects.visible_to(user).select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            security_event_record(kind=SecurityEventKind.API_TOKEN_REVOKED, request=request, user=user,
                                  obj=token, detail={"name": token.name, "prefix": token.prefix})
    return token


class ApiTokenRefused(Exception):
    """A personal token that does not exist, is revoked or has expired (``reason``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def api_token_authenticate(*, key: str, now: dt.datetime | None = None) -> ApiToken:
    """The live token of ``key``, with its user; records the use (at most every
    ``API_TOKEN_USE_RESOLUTION``, one UPDATE without touching anything else). Raises ``ApiTokenRefused``."""
    now = now or timezone.now()
    token = ApiToken.objects.select_related("user").filter(key_hash=api_token_hash(key)).first()
    if token is None or token.revoked_at is not None:
        raise ApiTokenRefused("invalid")
    if token.is_expired(now):
        raise ApiTokenRefused("expired")
    if token.last_used_at is None or now - token.last_used_at >= API_TOKEN_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# --- the action plan (toimenpidesuunnitelma): priority descriptions and themes ---------------------------

THEME_FIELDS = ("slug", "priority", "name_fi", "name_sv", "name_en", "position")
PRIORITY_DESCRIPTION_FIELDS = ("description_fi", "description_sv", "description_en")


def theme_changes(*, theme: Theme, since_version: int) -> dict[str, tuple[Any, Any]]:
    """Fields of a theme whose saved value differs from the one it had at `since_version` (from its
    history): field name → (old, now)."""
    return _column_changes(theme, THEME_FIELDS, since_version)[1]


@transaction.atomic
def theme_save(*, agreement: Agreement, data: dict[str, Any], user: User | None, theme: Theme | None = None,
               expected_version: int | None = None) -> Theme:
    """Create or update a theme of an agreement's action plan (history: who, when, what). Its priority must
    be one of the same agreement's; the identifier is unique within the agreement.

    An update names the version the editor started from (`expected_version`, the form's hidden field): if
    someone saved the theme after it, StaleVersionError is raised and nothing is written, as for projects
    (project_update). The row is locked for the check-and-write; the version goes up by one on every save."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from .permissions import can_edit_agreement_portfolio

    if user is not None and not can_edit_agreement_portfolio(user, agreement):
        raise PermissionDenied
    if theme is not None:
        theme = Theme.objects.select_for_update().get(pk=theme.pk)
        if theme.agreement_id != agreement.pk:
            raise PermissionDenied
        if expected_version is not None and theme.version != expected_version:
            raise StaleVersionError(current=theme, expected=expected_version,
                                    changes=theme_changes(theme=theme, since_version=expected_version))
    else:
        theme = Theme(agreement=agreement)
    for name in THEME_FIELDS:  # name_fi/name_sv/name_en by column; `name` mirrors Finnish on save
        if name in data:
            setattr(theme, name, data[name])
    priority = theme.priority if theme.priority_id is not None else None
    if priority is not None and priority.agreement_id != agreement.pk:
        raise ValidationError({"priority": [_("This priority belongs to another agreement.")]})
    theme.full_clean()
    if theme.pk is not None:
        previous = theme.version
        theme.version = previous + 1
        # A conditional UPDATE as a second guard where select_for_update is a no-op.
        if Theme.objects.filter(pk=theme.pk, version=previous).update(version=theme.version) != 1:
            raise StaleVersionError(current=Theme.objects.get(pk=theme.pk), expected=previous)
    theme._history_user = user  # type: ignore[attr-defined]  # read by simple_history
    theme.save()
    return theme


class ThemeInUseError(Exception):
    """A theme that projects or ideas are linked to is not deleted (theme_delete): `projects` and `ideas`
    count them."""

    def __init__(self, *, theme: Theme, projects: int, ideas: int) -> None:
        self.theme = theme
        self.projects = projects
        self.ideas = ideas
        super().__init__(f"theme {theme.pk} is linked to {projects} projects and {ideas} ideas")


def theme_links(theme: Theme) -> tuple[int, int]:
    """How many projects and how many ideas (projects in status "idea") are linked to the theme now, of
    every status (a rejected or withdrawn project keeps its themes)."""
    from .choices import ProjectStatus

    linked = Project.objects.filter(themes=theme)
    ideas = linked.filter(status=ProjectStatus.IDEA).count()
    return linked.count() - ideas, ideas


@transaction.atomic
def theme_delete(*, theme: Theme, user: User | None) -> None:
    """Delete a theme of an agreement's action plan, by the agreement's coordinators. Refused
    (ThemeInUseError, nothing written) while any project or idea is linked to it: the coordinator first
    removes the theme from them, or keeps it. The deletion is in the theme's history (who, when, what it
    was). The annex versions already generated keep it (they are frozen); the coverage of an earlier day
    no longer lists it."""
    from django.core.exceptions import PermissionDenied

    from .permissions import can_edit_agreement_portfolio

    locked = Theme.objects.select_for_update().get(pk=theme.pk)
    if user is not None and not can_edit_agreement_portfolio(user, locked.agreement):
        raise PermissionDenied
    projects, ideas = theme_links(locked)
    if projects or ideas:
        raise ThemeInUseError(theme=locked, projects=projects, ideas=ideas)
    locked._history_user = user  # type: ignore[attr-defined]  # read by simple_history
    locked.delete()


@transaction.atomic
def priority_descriptions_save(*, agreement: Agreement, descriptions: dict[int, dict[str, str]],
                               user: User | None) -> list[Priority]:
    """Write the action-plan descriptions of an agreement's priorities (code → {description_fi: …, …}), all
    or nothing; only priorities whose text changed are saved (and get a history entry)."""
    from django.core.exceptions import PermissionDenied

    from .permissions import can_edit_agreement_portfolio

    if user is not None and not can_edit_agreement_portfolio(user, agreement):
        raise PermissionDenied
    changed: list[Priority] = []
    for priority in Priority.objects.select_for_update().filter(agreement=agreement, code__in=descriptions):
        values = descriptions[priority.code]
        columns = [name for name in PRIORITY_DESCRIPTION_FIELDS if name in values
                   and getattr(priority, name) != values[name]]
        if not columns:
            continue
        for name in columns:
            setattr(priority, name, values[name])
        priority.full_clean()
        priority._history_user = user  # type: ignore[attr-defined]  # read by simple_history
        priority.save()
        changed.append(priority)
    return changed

"""The register of personal data (GDPR Art. 30 record, as code; docs/personal-data.md says the same in prose),
the export of one person's data (Art. 15/20) and the anonymisation of a person who has left.

Every field of the user model and of every model that refers to a person is classified here; a test walks the
models and fails on any field that is neither listed as personal nor explicitly marked not personal. History
models (simple-history) are classified through the model they copy plus ``HISTORY_FIELDS``.

Layering: this bottom app never names the models of the apps to its right in order to load them. The export
finds rows by reflection (every relation to the user model); the apps to the right contribute the wording of a
former member's role through ``role_describer_register``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .audit import security_event_record
from .choices import SecurityEventKind
from .models import SecurityEvent

# Categories of a field. NOT_PERSONAL is the explicit "looked at, holds nothing about a person".
IDENTITY = "identity"  # names, user names: who the person is
CONTACT = "contact"  # e-mail
CREDENTIAL = "credential"  # password hashes, tokens: never exported, never logged
ACTIVITY = "activity"  # what the person did and when (sign-ins, downloads, attendance)
LINK = "link"  # a reference to the person (foreign key to the user)
NETWORK = "network"  # IP address, user agent
FREE_TEXT = "free text"  # may mention people; reviewed by hand on a request
NOT_PERSONAL = "not personal"

Register = dict[str, dict[str, str]]

REGISTER: Register = {
    "auth.user": {
        "id": NOT_PERSONAL, "password": CREDENTIAL, "last_login": ACTIVITY, "is_superuser": NOT_PERSONAL,
        "username": IDENTITY, "first_name": IDENTITY, "last_name": IDENTITY, "email": CONTACT,
        "is_staff": NOT_PERSONAL, "is_active": NOT_PERSONAL, "date_joined": ACTIVITY, "groups": NOT_PERSONAL,
        "user_permissions": NOT_PERSONAL,
    },
    "authtoken.token": {"key": CREDENTIAL, "user": LINK, "created": ACTIVITY},
    "authtoken.tokenproxy": {"key": CREDENTIAL, "user": LINK, "created": ACTIVITY},
    "admin.logentry": {
        "id": NOT_PERSONAL, "action_time": ACTIVITY, "user": LINK, "content_type": NOT_PERSONAL,
        "object_id": NOT_PERSONAL, "object_repr": FREE_TEXT, "action_flag": NOT_PERSONAL,
        "change_message": FREE_TEXT,
    },
    "sessions.session": {"session_key": CREDENTIAL, "session_data": CREDENTIAL, "expire_date": ACTIVITY},
    "axes.accessattempt": {
        "id": NOT_PERSONAL, "user_agent": NETWORK, "ip_address": NETWORK, "username": IDENTITY,
        "http_accept": NETWORK, "path_info": NOT_PERSONAL, "attempt_time": ACTIVITY, "get_data": FREE_TEXT,
        "post_data": FREE_TEXT, "failures_since_start": ACTIVITY,
    },
    "axes.accesslog": {
        "id": NOT_PERSONAL, "user_agent": NETWORK, "ip_address": NETWORK, "username": IDENTITY,
        "http_accept": NETWORK, "path_info": NOT_PERSONAL, "attempt_time": ACTIVITY, "logout_time": ACTIVITY,
        "session_hash": CREDENTIAL,
    },
    "axes.accessfailurelog": {
        "id": NOT_PERSONAL, "user_agent": NETWORK, "ip_address": NETWORK, "username": IDENTITY,
        "http_accept": NETWORK, "path_info": NOT_PERSONAL, "attempt_time": ACTIVITY, "locked_out": ACTIVITY,
    },
    # --- portfolio
    "portfolio.agreementaccess": {"id": NOT_PERSONAL, "user": LINK, "agreement": NOT_PERSONAL},
    "portfolio.apitoken": {
        "id": NOT_PERSONAL, "user": LINK, "name": FREE_TEXT, "prefix": CREDENTIAL, "key_hash": CREDENTIAL,
        "created_at": ACTIVITY, "expires_at": ACTIVITY, "last_used_at": ACTIVITY, "revoked_at": ACTIVITY,
    },
    "portfolio.project": {
        "id": NOT_PERSONAL, "agreement": NOT_PERSONAL, "code": NOT_PERSONAL, "title": NOT_PERSONAL,
        "title_fi": NOT_PERSONAL, "title_sv": NOT_PERSONAL, "title_en": NOT_PERSONAL, "summary": FREE_TEXT,
        "summary_fi": FREE_TEXT, "summary_sv": FREE_TEXT, "summary_en": FREE_TEXT,
        "lead_organisation": NOT_PERSONAL, "priority": NOT_PERSONAL, "status": NOT_PERSONAL,
        "start_date": NOT_PERSONAL, "end_date": NOT_PERSONAL, "internationalisation": NOT_PERSONAL,
        "is_coordination_project": NOT_PERSONAL, "is_supra_regional": NOT_PERSONAL, "eura_code": NOT_PERSONAL,
        "coordinator": LINK, "version": NOT_PERSONAL, "created_at": NOT_PERSONAL, "updated_at": NOT_PERSONAL,
        "partners": NOT_PERSONAL, "methods": NOT_PERSONAL, "themes": NOT_PERSONAL,
    },
    "portfolio.projectattachment": {
        "id": NOT_PERSONAL, "project": NOT_PERSONAL, "file": FREE_TEXT, "original_name": NOT_PERSONAL,
        "content_type": NOT_PERSONAL, "size": NOT_PERSONAL, "description": FREE_TEXT, "uploaded_by": LINK,
        "uploaded_at": ACTIVITY,
    },
    "portfolio.securityevent": {
        "id": NOT_PERSONAL, "at": ACTIVITY, "kind": ACTIVITY, "user": LINK, "username": IDENTITY,
        "ip_address": NETWORK, "user_agent": NETWORK, "method": NOT_PERSONAL, "path": ACTIVITY,
        "request_id": NOT_PERSONAL, "object_type": NOT_PERSONAL, "object_id": NOT_PERSONAL, "detail": ACTIVITY,
    },
    "portfolio.savedview": {"id": NOT_PERSONAL, "user": LINK, "name": FREE_TEXT, "query": ACTIVITY,
                            "created_at": ACTIVITY},
    "portfolio.notification": {
        "id": NOT_PERSONAL, "user": LINK, "kind": ACTIVITY, "params": FREE_TEXT, "url": NOT_PERSONAL,
        "created_at": ACTIVITY, "read_at": ACTIVITY,
    },
    # --- governance
    "governance.membership": {
        "id": NOT_PERSONAL, "group": NOT_PERSONAL, "user": LINK, "role": IDENTITY, "organisation": IDENTITY,
        "substitute_for": LINK, "term_start": ACTIVITY, "term_end": ACTIVITY, "language": CONTACT,
    },
    "governance.meeting": {
        "id": NOT_PERSONAL, "group": NOT_PERSONAL, "title": NOT_PERSONAL, "starts_at": NOT_PERSONAL,
        "location": NOT_PERSONAL, "online_url": NOT_PERSONAL, "status": NOT_PERSONAL, "minutes": FREE_TEXT,
        "minutes_confirmed_at": ACTIVITY, "minutes_confirmed_by": LINK, "agenda_published_at": ACTIVITY,
        "agenda_published_by": LINK, "created_by": LINK, "attendees": ACTIVITY,
    },
    "governance.proposal": {
        "id": NOT_PERSONAL, "project": NOT_PERSONAL, "title": NOT_PERSONAL, "plan": FREE_TEXT,
        "status": NOT_PERSONAL, "meeting": NOT_PERSONAL, "created_by": LINK, "created_at": ACTIVITY,
        "submitted_at": NOT_PERSONAL, "criteria": NOT_PERSONAL, "updated_at": NOT_PERSONAL,
    },
    "governance.decision": {
        "id": NOT_PERSONAL, "proposal": NOT_PERSONAL, "meeting": NOT_PERSONAL, "outcome": NOT_PERSONAL,
        "method": NOT_PERSONAL, "votes_for": NOT_PERSONAL, "votes_against": NOT_PERSONAL,
        "votes_abstain": NOT_PERSONAL, "conditions": FREE_TEXT, "rationale": FREE_TEXT, "corrects": NOT_PERSONAL,
        "recorded_by": LINK, "decided_at": NOT_PERSONAL,
    "decided_on": NOT_PERSONAL, },
    "governance.recusal": {"id": NOT_PERSONAL, "decision": NOT_PERSONAL, "user": LINK, "reason": FREE_TEXT},
    "governance.applicationcriteria": {
        "id": NOT_PERSONAL, "group": NOT_PERSONAL, "version": NOT_PERSONAL, "title": NOT_PERSONAL,
        "text": NOT_PERSONAL, "valid_from": NOT_PERSONAL, "created_by": LINK, "created_at": ACTIVITY,
    },
    "governance.projectidea": {
        "id": NOT_PERSONAL, "project": NOT_PERSONAL, "stage": NOT_PERSONAL, "need": FREE_TEXT,
        "objectives": FREE_TEXT, "overlaps": FREE_TEXT, "programme_fit": FREE_TEXT, "notes": FREE_TEXT,
        "created_by": LINK, "created_at": ACTIVITY, "updated_at": NOT_PERSONAL,
    },
    "governance.proposalattachment": {
        "id": NOT_PERSONAL, "proposal": NOT_PERSONAL, "file": FREE_TEXT, "original_name": NOT_PERSONAL,
        "content_type": NOT_PERSONAL, "size": NOT_PERSONAL, "uploaded_by": LINK, "uploaded_at": ACTIVITY,
    },
    "governance.proposaltransition": {
        "id": NOT_PERSONAL, "proposal": NOT_PERSONAL, "from_status": NOT_PERSONAL, "to_status": NOT_PERSONAL,
        "meeting": NOT_PERSONAL, "by": LINK, "at": ACTIVITY, "note": FREE_TEXT,
    },
    # --- reporting
    "reporting.actionplanversion": {
        "id": NOT_PERSONAL, "agreement": NOT_PERSONAL, "number": NOT_PERSONAL, "created_at": ACTIVITY,
        "created_by": LINK, "reason": FREE_TEXT,
        # The frozen annex names who generated it (its "version" part), as its PDFs do.
        "snapshot": IDENTITY, "pdf_fi": IDENTITY, "pdf_sv": IDENTITY, "pdf_en": IDENTITY,
        "state": NOT_PERSONAL, "failure": NOT_PERSONAL, "failure_detail": NOT_PERSONAL, "made_at": NOT_PERSONAL,
    },
    "reporting.actionplanversionevent": {
        "id": NOT_PERSONAL, "version": NOT_PERSONAL, "action": ACTIVITY, "by": LINK, "at": ACTIVITY, "note": FREE_TEXT,
    },
    "reporting.summaryreport": {
        "id": NOT_PERSONAL, "audience": NOT_PERSONAL, "agreement": NOT_PERSONAL, "period": NOT_PERSONAL,
        "period_start": NOT_PERSONAL, "period_end": NOT_PERSONAL, "version": NOT_PERSONAL,
        "language": NOT_PERSONAL, "status": NOT_PERSONAL, "progress": NOT_PERSONAL, "error": NOT_PERSONAL,
        "data_version": NOT_PERSONAL, "snapshot": NOT_PERSONAL, "pdf_file": NOT_PERSONAL,
        "xlsx_file": NOT_PERSONAL, "csv_file": NOT_PERSONAL, "json_file": NOT_PERSONAL, "requested_by": LINK,
        "rerun": NOT_PERSONAL, "created_at": ACTIVITY, "started_at": NOT_PERSONAL, "completed_at": NOT_PERSONAL,
    "enqueued_at": NOT_PERSONAL,
        # The review (issue 18): the coordinator's narrative may mention people; who approved and when.
        "review_status": NOT_PERSONAL, "key_messages": FREE_TEXT, "risks": FREE_TEXT, "asks": FREE_TEXT,
        "narrative_updated_at": ACTIVITY, "narrative_updated_by": LINK, "approved_at": ACTIVITY,
        "approved_by": LINK, "sent_at": NOT_PERSONAL, "correction_of": NOT_PERSONAL, "correction_reason": FREE_TEXT,
        "review_reminded_at": NOT_PERSONAL, "agenda_item": NOT_PERSONAL, "agenda_pending": NOT_PERSONAL,
        # The files made again after a narrative save: which save they include, and why making them failed.
        "files_narrative_at": NOT_PERSONAL, "files_error": NOT_PERSONAL,
    },
    "reporting.summaryreviewevent": {
        "id": NOT_PERSONAL, "report": NOT_PERSONAL, "action": ACTIVITY, "by": LINK, "at": ACTIVITY, "note": FREE_TEXT,
    },
    "reporting.summaryrecipient": {
        "id": NOT_PERSONAL, "group": NOT_PERSONAL, "email": CONTACT, "name": IDENTITY, "language": CONTACT,
        "attachments": CONTACT, "added_by": LINK, "added_at": ACTIVITY, "removed_by": LINK, "removed_at": ACTIVITY,
    },
    # Changes of a recipient's language or attachments permission: whose address, who changed it, when.
    "reporting.recipientchange": {
        "id": NOT_PERSONAL, "group": NOT_PERSONAL, "recipient": LINK, "membership": LINK, "email": CONTACT,
        "field": NOT_PERSONAL, "old_value": CONTACT, "new_value": CONTACT, "by": LINK, "at": ACTIVITY,
    },
    # Who received a summary by e-mail (members, or addresses configured for the national summary).
    "reporting.summarydelivery": {
        "id": NOT_PERSONAL, "report": NOT_PERSONAL, "user": LINK, "email": CONTACT, "language": CONTACT,
        "status": ACTIVITY, "error": FREE_TEXT, "attempts": NOT_PERSONAL, "queued_at": ACTIVITY, "sent_at": ACTIVITY,
        "attachments": CONTACT,
    },
    # The public list of operations: organisations and projects only (tests/test_open_data.py checks the columns).
    "reporting.operationslist": {"id": NOT_PERSONAL, "published_at": NOT_PERSONAL, "rows": NOT_PERSONAL,
                                 "row_count": NOT_PERSONAL},
    "reporting.reportdownload": {
        "id": NOT_PERSONAL, "report": NOT_PERSONAL, "user": LINK, "file_format": ACTIVITY,
        "downloaded_at": ACTIVITY,
    },
    # --- funding ledger
    "funding.fundingdecision": {
        "id": NOT_PERSONAL, "project": NOT_PERSONAL, "kind": NOT_PERSONAL, "authority": NOT_PERSONAL,
        "decided_on": NOT_PERSONAL, "reference": NOT_PERSONAL, "eura_code": NOT_PERSONAL, "note": FREE_TEXT,
        "recorded_at": ACTIVITY, "recorded_by": LINK,
    },
    "funding.euraimport": {
        "id": NOT_PERSONAL, "agreement": NOT_PERSONAL, "exported_on": NOT_PERSONAL, "file_name": NOT_PERSONAL,
        "rows": NOT_PERSONAL, "uploaded_at": ACTIVITY, "uploaded_by": LINK,
    },
    "funding.spendingentry": {
        "id": NOT_PERSONAL, "project": NOT_PERSONAL, "instrument": NOT_PERSONAL, "year": NOT_PERSONAL,
        "date": NOT_PERSONAL, "source": NOT_PERSONAL, "reference": NOT_PERSONAL, "amount": NOT_PERSONAL,
        "recorded_at": ACTIVITY, "recorded_by": LINK,
    },
    # --- follow-up
    "portfolio.projectcontact": {
        "id": NOT_PERSONAL, "user": LINK, "project": NOT_PERSONAL, "organisation": NOT_PERSONAL,
        "created_at": ACTIVITY,
    },
    "followup.progressreport": {
        "id": NOT_PERSONAL, "project": NOT_PERSONAL, "kind": NOT_PERSONAL, "period_start": NOT_PERSONAL,
        "period_end": NOT_PERSONAL, "due_date": NOT_PERSONAL, "review_state": NOT_PERSONAL, "status": NOT_PERSONAL,
        "status_reason": FREE_TEXT, "done": FREE_TEXT, "next_steps": FREE_TEXT, "risks": FREE_TEXT,
        "submitted_at": ACTIVITY, "submitted_by": LINK, "reviewed_at": ACTIVITY, "reviewed_by": LINK,
        "review_comment": FREE_TEXT, "created_at": NOT_PERSONAL, "updated_at": NOT_PERSONAL,
    },
    "followup.progressreporttransition": {
        "id": NOT_PERSONAL, "report": NOT_PERSONAL, "from_state": NOT_PERSONAL, "to_state": NOT_PERSONAL,
        "by": LINK, "at": ACTIVITY, "comment": FREE_TEXT,
    },
    "followup.progressreportattachment": {
        "id": NOT_PERSONAL, "report": NOT_PERSONAL, "file": FREE_TEXT, "original_name": NOT_PERSONAL,
        "content_type": NOT_PERSONAL, "size": NOT_PERSONAL, "description": FREE_TEXT, "uploaded_by": LINK,
        "uploaded_at": ACTIVITY,
    },
    # The addresses a reminder went to (the contacts' e-mail, kept to show what was sent).
    "followup.reportreminder": {
        "id": NOT_PERSONAL, "report": NOT_PERSONAL, "kind": NOT_PERSONAL, "sent_at": ACTIVITY, "recipients": CONTACT,
    },
    "reporting.portfolioimport": {
        "id": NOT_PERSONAL, "agreement": NOT_PERSONAL, "file": FREE_TEXT, "original_name": NOT_PERSONAL,
        "status": NOT_PERSONAL, "report": FREE_TEXT, "rows": NOT_PERSONAL, "progress": NOT_PERSONAL,
        "error": NOT_PERSONAL, "uploaded_by": LINK, "uploaded_at": ACTIVITY, "imported_at": ACTIVITY,
        "imported_by": LINK,
    },
    "followup.indicatorvalue": {
        "id": NOT_PERSONAL, "project": NOT_PERSONAL, "indicator": NOT_PERSONAL, "period_start": NOT_PERSONAL,
        "period_end": NOT_PERSONAL, "value": NOT_PERSONAL, "breakdown_value": NOT_PERSONAL,
        "source_note": FREE_TEXT, "recorded_by": LINK, "recorded_at": ACTIVITY, "report": NOT_PERSONAL,
    },
}

# Models whose own fields hold nothing about a person; their history rows still name the person who made the
# change (``history_user``), classified in HISTORY_FIELDS.
NOT_PERSONAL_MODELS: dict[str, str] = {
    "portfolio.agreement": "the agreement text and dates",
    "portfolio.priority": "an agreement's priority and its action-plan description",
    "portfolio.theme": "an action-plan theme of a priority",
    "portfolio.organisation": "organisations (legal persons); a sole trader's name is public trade-register data",
    "portfolio.projectpartner": "an organisation's share of a project",
    "funding.fundingframe": "money of an agreement per instrument and year",
    "funding.fundingline": "money of a project per instrument and year (the note is about money, not people)",
    "followup.indicator": "the results-indicator catalogue",
    "followup.reportingschedule": "a project's reporting frequency and due days",
    "followup.progressreportspending": "a report's spending to date per instrument",
    "followup.indicatortarget": "a project's target figure for an indicator",
    "followup.enterprise": "enterprises (legal persons) by business ID, as organisations",
    "followup.projectenterprise": "which project reaches which enterprise, how and from when",
    "followup.milestone": "a project's milestones and their dates (the note is about the work, not people)",
}

HISTORY_FIELDS: dict[str, str] = {
    "history_id": NOT_PERSONAL, "history_date": ACTIVITY, "history_change_reason": FREE_TEXT,
    "history_type": ACTIVITY, "history_user": LINK, "request_id": NOT_PERSONAL,
}

EXPORTED = {IDENTITY, CONTACT, ACTIVITY, LINK, NETWORK, FREE_TEXT}


def register_fields(model: type[models.Model]) -> list[str]:
    """The fields of ``model`` the register must classify (concrete fields and declared many-to-many)."""
    return [f.name for f in model._meta.get_fields() if not (f.auto_created and not f.concrete)]


def is_history_model(model: type[models.Model]) -> bool:
    return hasattr(model, "instance_type") and any(f.name == "history_user" for f in model._meta.fields)


def relations_to_user(model: type[models.Model]) -> list[models.Field]:
    """Forward foreign keys and many-to-many fields of ``model`` that point at the user model."""
    user_model = get_user_model()
    return [f for f in model._meta.get_fields()
            if f.is_relation and not (f.auto_created and not f.concrete) and f.related_model is user_model]


# --- export ------------------------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if hasattr(value, "name") and hasattr(value, "storage"):  # a file field
        return value.name or ""
    return value


def _row(obj: models.Model, classes: dict[str, str]) -> dict[str, Any]:
    pk_name = obj._meta.pk.name
    # A token's primary key is the secret itself: neither the key nor str() of such a row is exported.
    row: dict[str, Any] = {} if classes.get(pk_name) == CREDENTIAL else {"id": _plain(obj.pk), "record": str(obj)}
    for field in obj._meta.get_fields():
        if field.auto_created and not field.concrete:
            continue
        if classes.get(field.name) not in EXPORTED:
            continue
        if field.many_to_many:
            continue  # the person's own side is the row itself; the other members are not theirs
        value = getattr(obj, field.attname if hasattr(field, "attname") else field.name)
        row[field.name] = _plain(value)
    return row


def personal_data_export(*, user: AbstractBaseUser, by: AbstractBaseUser | None = None) -> dict[str, Any]:
    """Everything the portal holds about one person, as JSON-ready data: the account, every row that refers to
    the person (by the register's categories; credentials never), and the change-history entries they made."""
    user_label = get_user_model()._meta.label_lower
    account = {name: _plain(getattr(user, name)) for name, cls in REGISTER[user_label].items()
               if cls in EXPORTED and not get_user_model()._meta.get_field(name).many_to_many}
    account["has_usable_password"] = user.has_usable_password()
    account["groups"] = sorted(user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
    records: dict[str, list[dict[str, Any]]] = {}
    history: list[dict[str, Any]] = []
    for model in apps.get_models():
        label = model._meta.label_lower
        relations = relations_to_user(model)
        if not relations or model._meta.proxy:
            continue
        if is_history_model(model):
            for row in model._default_manager.filter(history_user=user).order_by("history_date"):
                history.append({"model": model.instance_type._meta.label_lower, "object_id": _plain(row.id),
                                "date": _plain(row.history_date), "type": row.history_type,
                                "request_id": getattr(row, "request_id", "")})
            continue
        classes = REGISTER.get(label, {})
        query = models.Q()
        for relation in relations:
            query |= models.Q(**{relation.name: user})
        rows = [_row(obj, classes) for obj in model._default_manager.filter(query).distinct().order_by("pk")]
        if rows:
            records[label] = rows
    security_event_record(kind=SecurityEventKind.PERSONAL_DATA_EXPORTED, user=by or AnonymousUser(),
                          obj=user, detail={"subject": user.pk})
    return {"exported_at": timezone.now().isoformat(), "account": account, "records": records,
            "history": history}


# --- anonymisation -----------------------------------------------------------------------------------------

RoleDescriber = Callable[[AbstractBaseUser], list[str]]
_ROLE_DESCRIBERS: list[RoleDescriber] = []


def role_describer_register(describer: RoleDescriber) -> None:
    """Apps to the right tell how a person's role reads after anonymisation (e.g. "chair, X steering group")."""
    if describer not in _ROLE_DESCRIBERS:
        _ROLE_DESCRIBERS.append(describer)


def former_role(user: AbstractBaseUser) -> str:
    """What remains of a person after anonymisation: their roles, never their name."""
    roles: list[str] = []
    for describer in _ROLE_DESCRIBERS:
        roles.extend(describer(user))
    if not roles:
        roles = [str(name) for name in user.groups.values_list("name", flat=True)]  # type: ignore[attr-defined]
    return ", ".join(dict.fromkeys(roles))[:150]


def user_deactivate(*, user: AbstractUser, by: AbstractBaseUser | None = None) -> AbstractUser:
    """A person leaves: the account can no longer sign in and every session of theirs ends (an inactive user is
    anonymous on their next request). Nothing they did is deleted."""
    with transaction.atomic():
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
            security_event_record(kind=SecurityEventKind.DEACTIVATED, user=by or AnonymousUser(), obj=user,
                                  detail={"subject": user.pk})
    return user


def user_anonymise(*, user: AbstractUser, by: AbstractBaseUser | None = None) -> AbstractUser:
    """Remove a departed person's name, e-mail and user name, keeping every record they are part of
    attributable to their role ("Former member" + e.g. "chair, Helsinki–Espoo–Vantaa steering group").
    Irreversible. Only for deactivated accounts, so nobody anonymises an active colleague by mistake."""
    from django.core.exceptions import ValidationError  # noqa: PLC0415

    if user.is_active:
        raise ValidationError(_("Deactivate the account before anonymising it."))
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model.objects.select_for_update().get(pk=user.pk)
        old_username = user.get_username()
        with translation.override(settings.LANGUAGE_CODE):
            role = former_role(user)
            label = _("Former member")
        # get_full_name(), which every page shows, now reads e.g. "Entinen jäsen, puheenjohtaja (…)".
        user.first_name = f"{label}, {role}"[:150] if role else label
        user.last_name = ""
        user.username = f"former-{user.pk}"
        user.email = ""
        user.is_staff = user.is_superuser = False
        user.set_unusable_password()  # also ends every session (the session hash changes)
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        for model in apps.get_models():
            if model._meta.label_lower in ("authtoken.token", "portfolio.agreementaccess", "portfolio.apitoken"):
                model._default_manager.filter(user=user).delete()  # access, not record
        # The security log keeps the events, under the new name; failed sign-ins typed with the old name too.
        SecurityEvent.objects.filter(models.Q(user=user) | models.Q(username=old_username)).update(
            username=user.username)
        for label in ("axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"):
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            model._default_manager.filter(username=old_username).update(username=user.username)
        security_event_record(kind=SecurityEventKind.ANONYMISED, user=by or AnonymousUser(), obj=user,
                              detail={"subject": user.pk})
    return user

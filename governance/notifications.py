"""E-mail about the governance workflow (Django's mail framework). Called by the tasks in tasks.py, after
the transaction that caused them has committed. Each function returns the number of messages sent."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from config.celery import BROKER_ERRORS
from config.jobs import has_job, job
from portfolio.models import AgreementAccess, Notification
from portfolio.notifications import notify
from portfolio.roles import Role

from .choices import RECORDING_ROLES
from .models import Decision, Meeting, Membership, NotificationOutbox, Proposal

logger = logging.getLogger(__name__)


def _addresses(users: Iterable[object]) -> list[str]:
    emails = (getattr(u, "email", "") for u in users if getattr(u, "is_active", True))
    return sorted({email for email in emails if email})


def _coordinators_of(agreement_id: int | None) -> list[object]:
    if agreement_id is None:
        return []
    user_ids = AgreementAccess.objects.filter(agreement_id=agreement_id).values("user_id")
    return list(get_user_model().objects.filter(pk__in=user_ids, groups__name=Role.COORDINATOR))


def _members_of(group_id: int, roles: Iterable[str] | None = None) -> list[object]:
    seats = Membership.objects.active().filter(group_id=group_id).select_related("user")
    if roles is not None:
        seats = seats.filter(role__in=list(roles))
    return [seat.user for seat in seats]


def _send(subject_template: str, body_template: str, context: dict, recipients: list[str]) -> int:
    if not recipients:
        return 0
    # Absolute links when the deployment names its address (PORTAL_BASE_URL); paths otherwise.
    context = {**context, "base_url": str(getattr(settings, "PORTAL_BASE_URL", "")).rstrip("/")}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(subject_template, context).strip().replace("\n", " ")
        body = render_to_string(body_template, context)
    # One message per recipient, so that no one sees the others' addresses.
    return send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients])


def proposal_submitted_notify(*, proposal_id: int) -> int:
    """To the chair and secretary of the agreement's steering group, and the project's coordinator."""
    proposal = Proposal.objects.select_related("project__agreement", "project__coordinator").filter(
        pk=proposal_id).first()
    if proposal is None:
        return 0
    from .models import SteeringGroup

    group = SteeringGroup.objects.filter(agreement_id=proposal.project.agreement_id).first()
    users = _members_of(group.pk, RECORDING_ROLES) if group else []
    if proposal.project.coordinator:
        users.append(proposal.project.coordinator)
    notify(users=users, kind=Notification.Kind.PROPOSAL_SUBMITTED, url=proposal.get_absolute_url(),
           params={"title": proposal.title, "project": proposal.project.code})
    return _send("governance/email/proposal_submitted_subject.txt", "governance/email/proposal_submitted.txt",
                 {"proposal": proposal, "project": proposal.project}, _addresses(users))


def agenda_published_notify(*, meeting_id: int) -> int:
    """To every member of the group and the coordinators of its agreement."""
    meeting = Meeting.objects.select_related("group").filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    users = _members_of(meeting.group_id) + _coordinators_of(meeting.group.agreement_id)
    proposals = meeting.proposals.select_related("project").order_by("project__code")
    notify(users=users, kind=Notification.Kind.AGENDA_PUBLISHED, url=meeting.get_absolute_url(),
           params={"meeting": meeting.title})
    return _send("governance/email/agenda_published_subject.txt", "governance/email/agenda_published.txt",
                 {"meeting": meeting, "proposals": proposals, "items": meeting.other_items.all()},
                 _addresses(users))


def decision_recorded_notify(*, decision_id: int) -> int:
    """To the proposal's author, the project's coordinator and the agreement's coordinators."""
    decision = (Decision.objects.select_related("proposal__project__agreement", "proposal__created_by",
                                                "proposal__project__coordinator", "meeting")
                .filter(pk=decision_id).first())
    if decision is None:
        return 0
    project = decision.proposal.project
    users = _coordinators_of(project.agreement_id)
    users += [u for u in (decision.proposal.created_by, project.coordinator) if u is not None]
    notify(users=users, kind=Notification.Kind.DECISION_RECORDED,
           url=reverse("governance:decision-detail", args=[decision.pk]),
           params={"title": decision.proposal.title, "project": project.code})
    return _send("governance/email/decision_recorded_subject.txt", "governance/email/decision_recorded.txt",
                 {"decision": decision, "proposal": decision.proposal, "project": project,
                  "lines": decision.funding_lines.select_related("instrument")}, _addresses(users))


# --- the outbox: notifications survive a broker that is down ------------------------------------------------

# A notification younger than this is still its own commit's to send (between the commit and the send).
SWEEP_GRACE = dt.timedelta(seconds=60)
# Sent entries are kept this long (to see what went out and when), then pruned by the sweep.
SENT_RETENTION = dt.timedelta(days=30)


def _qualified(task_name: str) -> str:
    """A governance task by its short name, or any app's task by its full declared name ("app.name_task"):
    the apps to the right (reporting) use the same outbox for their own e-mails."""
    return task_name if "." in task_name else f"governance.{task_name}"


def outbox_add(*, task_name: str, object_id: int) -> int:
    """Record a notification task to send, in the caller's transaction. Returns the entry's id."""
    if not has_job(_qualified(task_name)):
        raise ValueError(f"unknown notification task {task_name!r}")
    return NotificationOutbox.objects.create(task_name=task_name, object_id=object_id).pk


def outbox_send(*, entry_id: int) -> bool:
    """Hand one outbox entry to the broker and mark it sent. False when the broker refused it (the entry stays
    for the sweep); True when it was sent now or before, or is being sent by someone else."""
    with transaction.atomic():
        entry = (NotificationOutbox.objects.select_for_update(skip_locked=True)
                 .filter(pk=entry_id, sent_at__isnull=True).first())
        if entry is None:
            return True
        try:
            job(_qualified(entry.task_name)).delay(entry.object_id)
        except BROKER_ERRORS as exc:
            logger.warning("notification %s(%s): the broker refused it (%s); the sweep sends it later",
                           entry.task_name, entry.object_id, exc)
            NotificationOutbox.objects.filter(pk=entry.pk).update(attempts=F("attempts") + 1,
                                                                  last_error=str(exc)[:1000])
            return False
        NotificationOutbox.objects.filter(pk=entry.pk).update(sent_at=timezone.now(), attempts=F("attempts") + 1,
                                                              last_error="")
    return True


def outbox_in_hand(*, task_name: str, object_ids: list[int], since: dt.datetime) -> set[int]:
    """Of ``object_ids``, those whose ``task_name`` job the outbox still holds (not yet sent: the sweep sends
    it) or sent after ``since`` (the broker or a worker may still be on it)."""
    return set(NotificationOutbox.objects.filter(task_name=task_name, object_id__in=object_ids)
               .filter(Q(sent_at__isnull=True) | Q(sent_at__gte=since)).values_list("object_id", flat=True))


def outbox_sweep(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """The recovery sweep (beat runs it every minute): send, oldest first, the notifications the broker did not
    take when their change was committed; stop at the first refusal (it is still down). Prunes old sent
    entries. Returns how many were sent."""
    now = now or timezone.now()
    pending = list(NotificationOutbox.objects.filter(sent_at__isnull=True, created_at__lt=now - SWEEP_GRACE)
                   .order_by("created_at", "pk").values_list("pk", flat=True)[:limit])
    sent = 0
    for entry_id in pending:
        if not outbox_send(entry_id=entry_id):
            break
        sent += 1
    NotificationOutbox.objects.filter(sent_at__lt=now - SENT_RETENTION).delete()
    return sent

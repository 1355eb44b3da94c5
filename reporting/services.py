"""Writes of the reporting app: request a summary, compile it, log a download."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.celery import BROKER_ERRORS
from config.jobs import job
from portfolio.audit import security_event_record
from portfolio.choices import SecurityEventKind
from portfolio.models import Agreement

from .choices import Audience, DeliveryStatus, ReportStatus, ReviewAction, ReviewStatus
from .models import (
    REPORT_FORMATS,
    ReportDownload,
    SummaryDelivery,
    SummaryRecipient,
    SummaryReport,
    SummaryReviewEvent,
)
from .periods import Period, period_parse

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django.http import HttpRequest

logger = logging.getLogger(__name__)


class TransientCompileError(Exception):
    """A failure worth retrying (a lost connection, a locked database, a storage hiccup)."""


class SummaryInProgress(Exception):
    """Another worker is compiling this summary right now (its attempt has not gone stale)."""

    def __init__(self, report_id: int, retry_in: int) -> None:
        super().__init__(f"summary {report_id} is being compiled; try again in {retry_in} s")
        self.retry_in = retry_in


class QueueUnavailable(Exception):
    """The broker refused the compile job of an interactive request, so the request was withdrawn: nothing
    was saved and nothing will run. The API answers 503 and the page shows the message."""

    http_status = 503
    code = "queue_unavailable"

    def __init__(self) -> None:
        super().__init__(_("The background queue is not available right now, so the summary was not started. "
                           "Try again in a few minutes."))


IN_FLIGHT = (ReportStatus.QUEUED, ReportStatus.COMPILING, ReportStatus.RENDERING)
# Errors after which a retry may well succeed; everything else fails the summary at once.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TransientCompileError, OperationalError, InterfaceError, ConnectionError, TimeoutError,
)


# The /reports/ page and the API take a few heavy jobs in flight per user at most.
MAX_PENDING_PER_USER = int(getattr(settings, "REPORT_MAX_PENDING_PER_USER", 3))


def compile_lease() -> dt.timedelta:
    """How long a compiling attempt may run before another delivery may take it over: the hard time limit
    (after which the worker is surely gone) plus a margin."""
    seconds = getattr(settings, "REPORT_COMPILE_LEASE_SECONDS", None)
    if seconds is None:
        seconds = int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 600)) + 60
    return dt.timedelta(seconds=int(seconds))


def _check_request(*, audience: str, period: Period, agreement: Agreement | None, language: str) -> None:
    if audience not in Audience.values:
        raise ValidationError({"audience": _("Choose the steering group or the national steering group.")})
    if audience == Audience.STEERING and agreement is None:
        raise ValidationError({"agreement": _("A steering-group summary needs its agreement.")})
    if audience == Audience.NATIONAL and agreement is not None:
        raise ValidationError({"agreement": _("The national summary covers every agreement; leave the agreement "
                                              "empty.")})
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose Finnish, Swedish or English.")})


def _resolve_agreement(agreement: Agreement | int | str | None) -> Agreement | None:
    if agreement is None or isinstance(agreement, Agreement):
        return agreement
    if isinstance(agreement, int):
        return Agreement.objects.get(pk=agreement)
    return Agreement.objects.get(code=agreement)


def _key(report_or_kwargs: SummaryReport | Mapping[str, Any]) -> dict[str, Any]:
    get = (report_or_kwargs.get if isinstance(report_or_kwargs, Mapping)
           else lambda name: getattr(report_or_kwargs, name))
    return {"audience": get("audience"), "agreement_id": get("agreement_id"), "period": get("period"),
            "language": get("language")}


def summary_get_or_create(*, audience: str, period: str | Period, agreement: Agreement | int | str | None = None,
                          language: str = "fi", user: User | AnonymousUser | None = None,
                          rerun: bool = False) -> tuple[SummaryReport, bool]:
    """The summary for this audience, agreement, period and language: an existing one when it is still
    being compiled or when it was compiled from the same data, else a new queued version. A deliberate
    re-run is always a new version."""
    from .selectors import data_version_of, summary_data

    period = period_parse(period) if isinstance(period, str) else period
    agreement = _resolve_agreement(agreement)
    _check_request(audience=audience, period=period, agreement=agreement, language=language)
    agreement_id = agreement.pk if agreement else None
    key: dict[str, Any] = {"audience": audience, "agreement_id": agreement_id, "period": period.code,
                           "language": language}
    data_version = ""
    if not rerun:
        pending = SummaryReport.objects.filter(**key).in_flight().filter(rerun=False).order_by("-version").first()
        if pending is not None:
            return pending, False
        # Read-only and possibly a few seconds for the national summary: done before the write transaction,
        # so no write lock is held meanwhile (SQLite takes it at BEGIN).
        data_version = data_version_of(summary_data(audience=audience, period=period,
                                                    agreement_id=agreement_id))
    for attempt in range(3):
        try:
            with transaction.atomic():
                same = SummaryReport.objects.select_for_update().filter(**key)
                if not rerun:
                    existing = (same.filter(rerun=False).exclude(status=ReportStatus.FAILED)
                                .filter(Q(data_version=data_version) | Q(status__in=IN_FLIGHT))
                                .order_by("-version").first())
                    if existing is not None:
                        return existing, False
                version = (SummaryReport.objects.filter(
                    audience=audience, agreement=agreement, period=period.code,
                ).aggregate(v=Max("version"))["v"] or 0) + 1
                report = SummaryReport.objects.create(
                    **key, period_start=period.start, period_end=period.end, version=version, rerun=rerun,
                    data_version=data_version,
                    requested_by=user if user is not None and user.is_authenticated else None,
                )
                return report, True
        except IntegrityError:
            # Two requests raced for the same version number or data version: look again.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def summary_request(*, audience: str, period: str | Period, agreement: Agreement | int | str | None = None,
                    language: str = "fi", user: User | AnonymousUser | None,
                    rerun: bool = False) -> SummaryReport:
    """Ask for a summary to be compiled in the background. Returns the job row (new, or the existing one when
    the same summary of unchanged data exists or is on its way); the Celery task is sent after commit.

    When the broker refuses the job, a person's request is withdrawn (the new row is deleted) and
    QueueUnavailable raised, so no job is left that never runs; a scheduled request (no user), or one made
    inside a caller's transaction, is kept and the recovery sweep (summary_requeue_stale) sends it later."""
    report, created = summary_get_or_create(audience=audience, period=period, agreement=agreement,
                                            language=language, user=user, rerun=rerun)
    if not created:
        return report
    if transaction.get_connection().in_atomic_block:
        # The caller's transaction may still roll back: send after its commit (never before). Its work is
        # saved by then, so a refusal is left to the sweep rather than reported as a failure.
        transaction.on_commit(partial(summary_enqueue, report_id=report.pk))
    elif not summary_enqueue(report_id=report.pk):
        if user is not None and user.is_authenticated:
            SummaryReport.objects.filter(pk=report.pk, status=ReportStatus.QUEUED, enqueued_at__isnull=True).delete()
            raise QueueUnavailable()
    return report


def summary_enqueue(*, report_id: int) -> bool:
    """Hand the compile job to the broker and note when it took it (the outbox mark). False when the broker
    refused: the row stays unmarked for the caller to withdraw or for the recovery sweep to send."""
    try:
        job("reporting.summary_compile_task").delay(report_id)
    except BROKER_ERRORS as exc:
        logger.warning("summary %s: the broker refused the compile job (%s)", report_id, exc)
        return False
    _update(report_id, enqueued_at=timezone.now())
    return True


# A job younger than this is still its own request's to send (the request may be between commit and send).
SWEEP_GRACE = dt.timedelta(seconds=60)


def summary_requeue_stale(*, now: dt.datetime | None = None) -> list[int]:
    """The recovery sweep (beat runs it every minute). Sends again the compile jobs the broker never took
    (refused, or the process died between commit and send) or has lost (a queued job older than the lease:
    Redis restarted without persistence); and takes back the attempts whose lease has run out (the worker was
    killed: the hard time limit has surely passed), showing them as retrying. Returns the ids the broker took.
    Safe at any time: compiling is idempotent, so a duplicate message does no harm."""
    now = now or timezone.now()
    lease = compile_lease()
    lost = Q(status__in=(ReportStatus.COMPILING, ReportStatus.RENDERING), started_at__lt=now - lease)
    taken_back = []
    for report_id in SummaryReport.objects.filter(lost).values_list("pk", flat=True):
        if SummaryReport.objects.filter(lost, pk=report_id).update(
                status=ReportStatus.QUEUED, progress=0, started_at=None, enqueued_at=None,
                error=_("The previous attempt stopped without finishing (its worker was lost); trying again.")):
            logger.warning("summary %s: its compile lease ran out (worker lost?); sending it again", report_id)
            taken_back.append(report_id)
    undelivered = Q(status=ReportStatus.QUEUED) & (
        Q(enqueued_at__isnull=True, created_at__lt=now - SWEEP_GRACE) | Q(enqueued_at__lt=now - lease))
    pending = taken_back + [report_id for report_id in SummaryReport.objects.filter(undelivered)
                            .exclude(pk__in=taken_back).order_by("created_at").values_list("pk", flat=True)]
    sent = []
    for report_id in pending:
        if not summary_enqueue(report_id=report_id):
            break  # the broker is still down: the rest wait for the next sweep
        sent.append(report_id)
    return sent


FILES_TASK = "reporting.summary_files_make_task"
ANNEX_TASK = "reporting.action_plan_annex_make_task"


def files_requeue_lost(*, now: dt.datetime | None = None) -> dict[str, list[int]]:
    """The recovery sweep's second half (with summary_requeue_stale, every minute): the files of a summary
    (after a narrative save) and the PDFs of an annex version are made by a task sent through the outbox;
    when the broker lost that message (Redis restarted without persistence) or its worker was killed for
    good, the page would say "being made" for ever. A job still being made a lease after its message was
    sent (or whose entry is gone) is queued again. Safe at any time: both tasks are idempotent. Returns the
    ids queued again, per kind."""
    from governance.notifications import outbox_in_hand

    from .choices import AnnexState
    from .models import ActionPlanVersion

    now = now or timezone.now()
    since = now - compile_lease()
    # The summaries whose files lack the narrative last saved, not failed (those wait for "make again").
    making_files = list(SummaryReport.objects.filter(
        status=ReportStatus.DONE, review_status=ReviewStatus.DRAFT, narrative_updated_at__lt=since, files_error="")
        .exclude(files_narrative_at=F("narrative_updated_at")).values_list("pk", flat=True))
    making_annexes = list(ActionPlanVersion.objects.filter(state=AnnexState.MAKING, created_at__lt=since)
                          .values_list("pk", flat=True))
    queued: dict[str, list[int]] = {"files": [], "annexes": []}
    for kind, task_name, ids in (("files", FILES_TASK, making_files), ("annexes", ANNEX_TASK, making_annexes)):
        in_hand = outbox_in_hand(task_name=task_name, object_ids=ids, since=since) if ids else set()
        for object_id in ids:
            if object_id not in in_hand:
                with transaction.atomic():
                    _outbox(task_name, object_id)
                logger.warning("%s %s: still being made a lease after its task was sent (lost?); sending it again",
                               kind, object_id)
                queued[kind].append(object_id)
    return queued


# --- compiling ----------------------------------------------------------------------------------------------

def _update(report_id: int, **fields: Any) -> None:
    """A short write of the job's state, visible at once to the page polling it."""
    SummaryReport.objects.filter(pk=report_id).update(**fields)


def _claim(report_id: int) -> SummaryReport | None:
    """Take the job for this attempt, or say why not. Returns None when there is nothing to do."""
    with transaction.atomic():
        report = SummaryReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.status in (ReportStatus.DONE, ReportStatus.FAILED):
            return report if report is not None and report.status == ReportStatus.DONE else None
        now = timezone.now()
        if report.status in (ReportStatus.COMPILING, ReportStatus.RENDERING) and report.started_at:
            stale_at = report.started_at + compile_lease()
            if stale_at > now:
                raise SummaryInProgress(report_id, retry_in=max(5, int((stale_at - now).total_seconds()) + 1))
            logger.warning("summary %s was left %s since %s (worker lost?): compiling it again",
                           report_id, report.status, report.started_at)
            # Shown under the progress bar until this attempt ends: the earlier one failed, this is the retry.
            report.error = _("The previous attempt stopped without finishing (its worker was lost); trying again.")
        report.status = ReportStatus.COMPILING
        report.progress = 5
        report.started_at = now
        # A retry keeps the reason of the earlier attempt on show until it ends (done clears it).
        report.save(update_fields=["status", "progress", "started_at", "error"])
        return report


def summary_compile(*, report_id: int, last_attempt: bool = True) -> SummaryReport | None:
    """Compile a queued summary: gather the data into the snapshot, render every file from it, and mark it
    done, all or nothing. Safe under redelivery: a finished summary is returned as it is, one being compiled
    by a live worker raises SummaryInProgress, and one whose attempt went stale (a killed worker) is
    compiled again. A transient error puts the job back in the queue (re-raised for the task to retry)
    unless this is the last attempt; any other error marks it failed with the reason."""
    from celery.exceptions import SoftTimeLimitExceeded

    report = _claim(report_id)
    if report is None or report.status == ReportStatus.DONE:
        return report if report is not None else SummaryReport.objects.filter(pk=report_id).first()
    written: list[Any] = []
    try:
        snapshot = _compile_snapshot(report)
        _update(report.pk, status=ReportStatus.RENDERING, progress=60)
        from .rendering import render_all

        files = render_all(snapshot, report.language)
        _update(report.pk, progress=90)
        with transaction.atomic():
            locked = SummaryReport.objects.select_for_update().get(pk=report.pk)
            if locked.status == ReportStatus.DONE:  # another delivery finished first
                return locked
            for fmt in REPORT_FORMATS:
                field = getattr(locked, f"{fmt}_file")
                field.save(_file_name(locked, fmt), ContentFile(files[fmt]), save=False)
                written.append(field.name)
            locked.snapshot = snapshot
            locked.data_version = snapshot["data_version"]
            locked.status = ReportStatus.DONE
            locked.progress = 100
            locked.error = ""
            locked.completed_at = compiled_at_of(snapshot)
            locked.files_narrative_at = locked.narrative_updated_at  # the snapshot carries the narrative
            locked.save()
            _event(locked, ReviewAction.COMPILED, user=locked.requested_by, at=locked.completed_at)
            if locked.requested_by_id is None and locked.review_status == ReviewStatus.DRAFT:
                # A scheduled summary: nobody asked for it, so its reviewers are told it is waiting.
                _outbox("reporting.summary_review_notify_task", locked.pk)
        logger.info("summary %s compiled (%s %s v%s)", locked.pk, locked.audience, locked.period, locked.version)
        return locked
    except TRANSIENT_ERRORS as exc:
        _discard(written)
        if last_attempt:
            _fail(report.pk, _("Failed after retries: %(error)s") % {"error": _describe(exc)})
        else:
            # The task's retry is a new message, sent now.
            _update(report.pk, status=ReportStatus.QUEUED, progress=0, started_at=None, enqueued_at=timezone.now(),
                    error=_("Temporary error, trying again: %(error)s") % {"error": _describe(exc)})
        raise
    except SoftTimeLimitExceeded:
        _discard(written)
        _fail(report.pk, _("The compilation took longer than its time limit."))
        raise
    except DuplicateSummary as exc:
        _discard(written)
        _fail(report.pk, str(exc))
    except Exception as exc:  # noqa: BLE001 - any other error fails the job visibly, never silently
        _discard(written)
        logger.exception("summary %s failed", report.pk)
        _fail(report.pk, _describe(exc))
    return SummaryReport.objects.filter(pk=report.pk).first()


class DuplicateSummary(Exception):
    pass


def _compile_snapshot(report: SummaryReport) -> dict[str, Any]:
    from .periods import period_parse
    from .selectors import data_version_of, previous_summary, summary_changes, summary_data

    period = period_parse(report.period)
    data = summary_data(audience=report.audience, period=period, agreement_id=report.agreement_id)
    data_version = data_version_of(data)
    _update(report.pk, progress=40)
    if not report.rerun:
        twin = (SummaryReport.objects.filter(**_key(report), rerun=False, data_version=data_version)
                .exclude(pk=report.pk).exclude(status=ReportStatus.FAILED).order_by("version").first())
        if twin is not None:
            raise DuplicateSummary(_("A summary of the same data exists already: version %(version)s.")
                                   % {"version": twin.version})
    _update(report.pk, data_version=data_version)
    previous = previous_summary(report)
    now = timezone.now().replace(microsecond=0)
    return {
        "report": {"id": report.pk, "audience": report.audience, "agreement": report.agreement.code
                   if report.agreement is not None else None, "period": report.period, "version": report.version,
                   "language": report.language, "rerun": report.rerun},
        "compiled_at": now.isoformat(),
        "data_version": data_version,
        "data": data,
        "changes": summary_changes(data, previous),
        **_review_parts(report),
    }


def _review_parts(report: SummaryReport) -> dict[str, Any]:
    """The parts of a snapshot that come from the review: the coordinator's narrative and, for a correction,
    the version it corrects and why. Absent when empty, so an unreviewed snapshot is as before."""
    parts: dict[str, Any] = {}
    if report.has_narrative:
        parts["narrative"] = {"key_messages": report.key_messages.strip(), "risks": report.risks.strip(),
                              "asks": report.asks.strip()}
    if report.correction_of_id is not None:
        corrected = SummaryReport.objects.filter(pk=report.correction_of_id).values("version").first()
        parts["correction"] = {"of_version": corrected["version"] if corrected else None,
                               "reason": report.correction_reason}
    return parts


def compiled_at_of(snapshot: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(snapshot["compiled_at"])


def _file_name(report: SummaryReport, fmt: str) -> str:
    scope = report.agreement.code if report.agreement is not None else "national"
    return f"kooste-{scope}-{report.period}-v{report.version}-{report.language}.{fmt}"


def _discard(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not delete the partial file %s", name)


def _describe(exc: BaseException) -> str:
    message = str(exc)
    return f"{exc.__class__.__name__}: {message}"[:2000] if message else exc.__class__.__name__


def _fail(report_id: int, reason: str) -> None:
    try:
        _update(report_id, status=ReportStatus.FAILED, error=reason, completed_at=timezone.now())
    except DatabaseError:
        logger.exception("could not mark summary %s failed", report_id)


# --- downloads -----------------------------------------------------------------------------------------------

def report_download_log(*, report: SummaryReport, user: User | AnonymousUser,
                        file_format: str, request: HttpRequest | None = None) -> ReportDownload:
    """Record who downloaded which file of a summary and when (the download log and the security log)."""
    if file_format not in REPORT_FORMATS:
        raise ValidationError({"file_format": _("Unknown file format.")})
    download = ReportDownload.objects.create(report=report, user=user if user.is_authenticated else None,
                                             file_format=file_format)
    security_event_record(kind=SecurityEventKind.DOWNLOAD, request=request, user=user, obj=report,
                          detail={"format": file_format})
    return download


# --- review: narrative, approval, correction (issue 18) -------------------------------------------------------

def _event(report: SummaryReport, action: str, *, user: Any = None, note: str = "",
           at: dt.datetime | None = None) -> SummaryReviewEvent:
    return SummaryReviewEvent.objects.create(report=report, action=action, note=note, at=at or timezone.now(),
                                             by=user if user is not None and user.is_authenticated else None)


def _outbox(task_name: str, object_id: int) -> None:
    """The governance outbox: the e-mail task is written in this transaction and sent after its commit; the
    outbox sweep sends it later if the broker refused it then."""
    from governance.notifications import outbox_add, outbox_send

    entry_id = outbox_add(task_name=task_name, object_id=object_id)
    transaction.on_commit(lambda: outbox_send(entry_id=entry_id))


def _deny_review(user: Any, report: SummaryReport) -> None:
    from django.core.exceptions import PermissionDenied

    from .permissions import can_review_summary

    if not can_review_summary(user, report):
        raise PermissionDenied(_("Only the coordinators of the summary's agreement may do this."))


def _require_draft(report: SummaryReport) -> None:
    if report.status != ReportStatus.DONE or not report.snapshot:
        raise ValidationError(_("The summary has not been compiled yet."), code="not_compiled")
    if report.is_frozen:
        raise ValidationError(_("The summary is approved and frozen; a correction is a new version."),
                              code="frozen")


NARRATIVE_MAX = 5000


def summary_narrative_save(*, report: SummaryReport, user: User, key_messages: str, risks: str,
                           asks: str) -> SummaryReport:
    """Save the coordinator's narrative on a draft (into the snapshot too: only the narrative changes) and
    queue the task that makes every file again with it (``summary_files_make``: the PDF takes seconds, so
    not in the request). Until the files are made the summary is not approved. Refused on an approved
    summary, and when someone else saved the narrative since it was read."""
    texts = {"key_messages": key_messages.strip(), "risks": risks.strip(), "asks": asks.strip()}
    errors = {name: _("At most %(n)s characters.") % {"n": NARRATIVE_MAX}
              for name, text in texts.items() if len(text) > NARRATIVE_MAX}
    if errors:
        raise ValidationError(errors)
    _deny_review(user, report)
    report = SummaryReport.objects.get(pk=report.pk)
    _require_draft(report)
    seen = report.narrative_updated_at
    with transaction.atomic():
        locked = SummaryReport.objects.select_for_update().get(pk=report.pk)
        _require_draft(locked)
        if locked.narrative_updated_at != seen:
            raise ValidationError(_("Someone else saved the narrative meanwhile; open the summary again."),
                                  code="conflict")
        snapshot = dict(locked.snapshot or {})
        snapshot.pop("narrative", None)
        if any(texts.values()):
            snapshot["narrative"] = texts
        locked.snapshot = snapshot
        for name, text in texts.items():
            setattr(locked, name, text)
        locked.narrative_updated_at = timezone.now()
        locked.narrative_updated_by = user
        locked.files_error = ""
        locked.save()
        _event(locked, ReviewAction.NARRATIVE, user=user)
        _outbox(FILES_TASK, locked.pk)
    locked.refresh_from_db()  # made already when the task ran at the commit (eager, the embedded default)
    return locked


def summary_files_make(*, report_id: int, last_attempt: bool = True) -> SummaryReport | None:
    """Make every file of a draft again from its snapshot (after a narrative save). Idempotent: files that
    already include the last saved narrative are left as they are; a narrative saved again while this one
    renders leaves the newer save's task to write. A transient error is re-raised for the task to retry
    unless this is the last attempt; any other error is kept in ``files_error`` and shown on the page."""
    report = SummaryReport.objects.filter(pk=report_id).first()
    if report is None or report.files_current or report.is_frozen or not report.snapshot:
        return report
    seen = report.narrative_updated_at
    written: list[str] = []
    old_names: list[str] = []
    try:
        from .rendering import render_all

        files = render_all(report.snapshot, report.language)
        with transaction.atomic():
            locked = SummaryReport.objects.select_for_update().get(pk=report.pk)
            if locked.narrative_updated_at != seen or locked.is_frozen:
                return locked  # saved again meanwhile: that save's task makes the files
            for fmt in REPORT_FORMATS:
                field = getattr(locked, f"{fmt}_file")
                if field:
                    old_names.append(field.name)
                field.save(_file_name(locked, fmt), ContentFile(files[fmt]), save=False)
                written.append(field.name)
            locked.files_narrative_at = seen
            locked.files_error = ""
            locked.save(update_fields=[*(f"{fmt}_file" for fmt in REPORT_FORMATS), "files_narrative_at",
                                       "files_error"])
    except TRANSIENT_ERRORS as exc:
        _discard(written)
        if last_attempt:
            _files_failed(report.pk, seen, _("Failed after retries: %(error)s") % {"error": _describe(exc)})
        raise
    except Exception as exc:  # noqa: BLE001 - any other error is shown on the page, never silently
        _discard(written)
        logger.exception("summary %s: making the files failed", report.pk)
        _files_failed(report.pk, seen, _describe(exc))
        return SummaryReport.objects.filter(pk=report.pk).first()
    transaction.on_commit(partial(_discard, old_names))
    logger.info("summary %s: files made with the narrative saved %s", locked.pk, seen)
    return locked


def _files_failed(report_id: int, seen: dt.datetime | None, reason: str) -> None:
    try:
        SummaryReport.objects.filter(pk=report_id, narrative_updated_at=seen).update(files_error=reason)
    except DatabaseError:
        logger.exception("could not mark summary %s's files failed", report_id)


def summary_files_make_again(*, report: SummaryReport, user: User) -> SummaryReport:
    """After a failure: queue the task that makes the files again (a coordinator of the summary)."""
    _deny_review(user, report)
    with transaction.atomic():
        locked = SummaryReport.objects.select_for_update().get(pk=report.pk)
        _require_draft(locked)
        if locked.files_current:
            return locked
        locked.files_error = ""
        locked.save(update_fields=["files_error"])
        _outbox(FILES_TASK, locked.pk)
    return locked


def summary_approve(*, report: SummaryReport, user: User) -> SummaryReport:
    """Draft → approved, by a coordinator of the agreement (the ministry for the national summary). The
    summary is frozen from now on; its delivery to the audience is queued in the same transaction (one
    e-mail task per recipient, through the outbox) and a steering-group summary is put on the group's next
    meeting agenda as an information item."""
    _deny_review(user, report)
    with transaction.atomic():
        locked = SummaryReport.objects.select_for_update(of=("self",)).select_related("agreement").get(pk=report.pk)
        _require_draft(locked)
        if not locked.files_current:
            # The files are sent and frozen as they are: they must include the narrative being approved.
            raise ValidationError(_("The files are still being made with the narrative last saved; approve when "
                                    "they are ready."), code="files_not_ready")
        if not locked.key_messages.strip():
            raise ValidationError({"key_messages": _("Write the key messages before approving the summary.")})
        now = timezone.now()
        locked.review_status = ReviewStatus.APPROVED
        locked.approved_at = now
        locked.approved_by = user
        locked.save(update_fields=["review_status", "approved_at", "approved_by"])
        _event(locked, ReviewAction.APPROVED, user=user, at=now)
        deliveries = _deliveries_create(locked, now=now)
        if not deliveries:
            _event(locked, ReviewAction.APPROVED, user=user, at=now,
                   note=_("Nobody to send it to: the audience has no members with an e-mail address."))
        if locked.audience == Audience.STEERING:
            if locked.correction_of_id is not None:
                # The correction replaces the corrected version on the agenda too.
                SummaryReport.objects.filter(pk=locked.correction_of_id).update(agenda_pending=False)
            _agenda_add(locked, user=user)
    return locked


def _deliveries_create(report: SummaryReport, *, now: dt.datetime) -> list[SummaryDelivery]:
    from .selectors import summary_audience

    deliveries = [SummaryDelivery.objects.create(report=report, user=r.user, email=r.email, language=r.language,
                                                 attachments=r.attachments, queued_at=now)
                  for r in summary_audience(report)]
    for delivery in deliveries:
        _outbox("reporting.summary_delivery_send_task", delivery.pk)
    return deliveries


def _agenda_add(report: SummaryReport, *, user: User) -> None:
    """The approved summary as an information item on the next meeting of the agreement's steering group.
    Without an open meeting the summary waits for one (`agenda_pending`; the history says so): the item is
    added when the group's next meeting is created or moved ahead (summary_agenda_catch_up)."""
    from governance.selectors import next_open_meeting, regional_group

    group = regional_group(report.agreement_id)
    meeting = next_open_meeting(group) if group is not None else None
    if meeting is None:
        SummaryReport.objects.filter(pk=report.pk).update(agenda_pending=True)
        report.agenda_pending = True
        _event(report, ReviewAction.AGENDA, user=user,
               note=_("No planned meeting of the steering group: the summary goes on the agenda of the next "
                      "meeting when it is planned."))
        return
    _agenda_item_add(report, meeting=meeting, user=user)


def _agenda_item_add(report: SummaryReport, *, meeting: Any, user: User) -> bool:
    """Through the governance service (its rules and permissions); the item is remembered on the summary."""
    from django.core.exceptions import PermissionDenied

    from governance.services import meeting_add_item

    with translation.override(report.language):
        title = _("For information: summary %(period)s, version %(version)s") % {
            "period": report.period, "version": report.version}
        description = report.key_messages.strip()
    try:
        item = meeting_add_item(meeting=meeting, title=title, description=description,
                                link=report.get_absolute_url(), user=user)
    except (PermissionDenied, ValidationError) as exc:
        _event(report, ReviewAction.AGENDA, user=user,
               note=_("Not added to the agenda of %(meeting)s: %(reason)s") % {"meeting": meeting, "reason": exc})
        return False
    SummaryReport.objects.filter(pk=report.pk).update(agenda_item=item, agenda_pending=False)
    report.agenda_item, report.agenda_pending = item, False
    _event(report, ReviewAction.AGENDA, user=user, note=str(meeting))
    return True


def summary_agenda_catch_up(meeting: Any, user: User) -> list[int]:
    """Governance's hook (registered in ReportingConfig.ready()), run when a meeting is created or moved: if
    it is now its steering group's next open meeting, the approved summaries that waited for a meeting go on
    its agenda, each once (the flag is cleared under a row lock in the same transaction). Returns their ids."""
    from governance.choices import GroupKind
    from governance.selectors import next_open_meeting

    group = meeting.group
    if group.kind != GroupKind.REGIONAL or group.agreement_id is None:
        return []
    upcoming = next_open_meeting(group)
    if upcoming is None or upcoming.pk != meeting.pk:
        return []
    added = []
    with transaction.atomic():
        waiting = (SummaryReport.objects.select_for_update(of=("self",))
                   .filter(agenda_pending=True, audience=Audience.STEERING, agreement_id=group.agreement_id,
                           review_status__in=[ReviewStatus.APPROVED, ReviewStatus.SENT])
                   .order_by("period_end", "version", "pk"))
        for report in waiting:
            if _agenda_item_add(report, meeting=meeting, user=user):
                added.append(report.pk)
    return added


def summary_correct(*, report: SummaryReport, user: User, reason: str) -> SummaryReport:
    """Start a correction of an approved (or sent) summary: a new version, compiled again as a draft, that
    says which version it corrects and why, with the narrative of the corrected one to edit. The approved
    version stays as it was."""
    _deny_review(user, report)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the summary is corrected.")})
    report = SummaryReport.objects.get(pk=report.pk)
    if not report.is_frozen:
        raise ValidationError(_("A draft is corrected by editing it; only an approved summary needs a new "
                                "version."), code="not_frozen")
    with transaction.atomic():
        new = summary_request(audience=report.audience, period=report.period, agreement=report.agreement_id,
                              language=report.language, user=user, rerun=True)
        SummaryReport.objects.filter(pk=new.pk).update(
            correction_of=report, correction_reason=reason.strip(), key_messages=report.key_messages,
            risks=report.risks, asks=report.asks)
        new.refresh_from_db()
        _event(report, ReviewAction.CORRECTED, user=user, note=reason.strip())
    return new


# --- delivery -------------------------------------------------------------------------------------------------

class TransientDeliveryError(Exception):
    """A failure of the mail server worth retrying."""


def summary_delivery_send(*, delivery_id: int, last_attempt: bool = True) -> SummaryDelivery | None:
    """Send one recipient's e-mail of an approved summary (idempotent: a sent delivery is not sent again).
    A refused address fails at once with the reason; a transient error is retried by the task (raised)
    unless this is the last attempt. When every delivery of the summary is sent, it becomes "sent"."""
    import smtplib

    from .notifications import summary_delivery_message

    with transaction.atomic():
        delivery = (SummaryDelivery.objects.select_for_update(of=("self",)).select_related("report__agreement")
                    .filter(pk=delivery_id).first())
        if delivery is None or delivery.status == DeliveryStatus.SENT:
            return delivery
        SummaryDelivery.objects.filter(pk=delivery.pk).update(attempts=delivery.attempts + 1)
    try:
        summary_delivery_message(delivery).send(fail_silently=False)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, ValueError) as exc:
        _delivery_failed(delivery.pk, _describe(exc))
        return SummaryDelivery.objects.get(pk=delivery.pk)
    except (smtplib.SMTPException, OSError) as exc:
        if last_attempt:
            _delivery_failed(delivery.pk, _("Failed after retries: %(error)s") % {"error": _describe(exc)})
            return SummaryDelivery.objects.get(pk=delivery.pk)
        SummaryDelivery.objects.filter(pk=delivery.pk).update(
            error=_("Temporary error, trying again: %(error)s") % {"error": _describe(exc)})
        raise TransientDeliveryError(str(exc)) from exc
    now = timezone.now()
    with transaction.atomic():
        SummaryDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT, sent_at=now, error="")
        report = SummaryReport.objects.select_for_update().get(pk=delivery.report_id)
        if (report.review_status == ReviewStatus.APPROVED
                and not report.deliveries.exclude(status=DeliveryStatus.SENT).exists()):
            report.review_status = ReviewStatus.SENT
            report.sent_at = now
            report.save(update_fields=["review_status", "sent_at"])
            _event(report, ReviewAction.SENT, at=now)
    return SummaryDelivery.objects.get(pk=delivery.pk)


def _delivery_failed(delivery_id: int, reason: str) -> None:
    logger.warning("summary delivery %s failed: %s", delivery_id, reason)
    SummaryDelivery.objects.filter(pk=delivery_id).update(status=DeliveryStatus.FAILED, error=reason[:2000])


def summary_delivery_retry(*, delivery: SummaryDelivery, user: User) -> SummaryDelivery:
    """Send a failed delivery again (queued anew through the outbox)."""
    _deny_review(user, delivery.report)
    with transaction.atomic():
        locked = SummaryDelivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.status != DeliveryStatus.FAILED:
            raise ValidationError(_("Only a failed delivery can be retried."), code="not_failed")
        locked.status = DeliveryStatus.QUEUED
        locked.error = ""
        locked.queued_at = timezone.now()
        locked.save(update_fields=["status", "error", "queued_at"])
        _event(locked.report, ReviewAction.RETRIED, user=user, note=locked.email)
        _outbox("reporting.summary_delivery_send_task", locked.pk)
    return locked


# --- telling the reviewers ------------------------------------------------------------------------------------

def review_reminder_days() -> int:
    return int(getattr(settings, "REPORT_REVIEW_REMINDER_DAYS", 7))


def summary_review_notify(*, report_id: int, reminder: bool = False) -> int:
    """E-mail the summary's reviewers that its draft awaits review (or, as a reminder, still does). Returns
    the number of messages; nothing when the summary is gone or no longer a draft."""
    from .notifications import summary_review_send

    report = SummaryReport.objects.select_related("agreement").filter(pk=report_id).first()
    if report is None or report.review_status != ReviewStatus.DRAFT or report.status != ReportStatus.DONE:
        return 0
    sent = summary_review_send(report, reminder=reminder)
    now = timezone.now()
    SummaryReport.objects.filter(pk=report.pk).update(review_reminded_at=now)
    # The count only: the page words it in the reader's language.
    _event(report, ReviewAction.REMINDED if reminder else ReviewAction.NOTIFIED, at=now, note=str(sent))
    return sent


def summary_review_reminders_send(*, now: dt.datetime | None = None) -> list[int]:
    """The daily beat task: remind the reviewers of every compiled draft that has waited the configured
    number of days (REPORT_REVIEW_REMINDER_DAYS) since it was compiled or since they were last told."""
    now = now or timezone.now()
    due = now - dt.timedelta(days=review_reminder_days())
    drafts = (SummaryReport.objects.done().filter(review_status=ReviewStatus.DRAFT, completed_at__lte=due)
              .filter(Q(review_reminded_at__isnull=True) | Q(review_reminded_at__lte=due))
              .order_by("pk").values_list("pk", flat=True))
    reminded = []
    for report_id in list(drafts):
        summary_review_notify(report_id=report_id, reminder=True)
        reminded.append(report_id)
    return reminded


# --- the groups' additional recipients ------------------------------------------------------------------------

def _deny_recipients(user: Any, group: Any) -> None:
    from django.core.exceptions import PermissionDenied

    from .permissions import can_manage_recipients

    if not can_manage_recipients(user, group):
        raise PermissionDenied(_("Only those who approve the group's summaries keep its list of recipients."))


def summary_recipient_add(*, group: Any, email: str, user: User, name: str = "",
                          language: str = "fi", attachments: bool = False) -> SummaryRecipient:
    """Put an address on a group's list of additional summary recipients (from the next approval on)."""
    from django.core.validators import validate_email

    _deny_recipients(user, group)
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from exc
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose Finnish, Swedish or English.")})
    with transaction.atomic():
        if SummaryRecipient.objects.select_for_update().filter(group=group, email__iexact=email,
                                                                removed_at__isnull=True).exists():
            raise ValidationError({"email": _("This address is on the list already.")})
        return SummaryRecipient.objects.create(group=group, email=email, name=name.strip()[:200], language=language,
                                               attachments=bool(attachments), added_by=user, added_at=timezone.now())


def summary_recipient_remove(*, recipient: SummaryRecipient, user: User) -> SummaryRecipient:
    """Take an address off the list; the row stays, dated and attributed, as the list's history."""
    _deny_recipients(user, recipient.group)
    with transaction.atomic():
        locked = SummaryRecipient.objects.select_for_update().get(pk=recipient.pk)
        if locked.removed_at is not None:
            raise ValidationError(_("This address was removed already."), code="removed")
        locked.removed_at = timezone.now()
        locked.removed_by = user
        locked.save(update_fields=["removed_at", "removed_by"])
    return locked


def _check_language(language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose Finnish, Swedish or English.")})


def _change(*, group: Any, user: User, email: str, field: str, old: Any, new: Any, now: dt.datetime,
            recipient: SummaryRecipient | None = None, membership: Any = None) -> None:
    from .models import RecipientChange

    def as_text(value: Any) -> str:
        return ("1" if value else "0") if isinstance(value, bool) else str(value or "")

    RecipientChange.objects.create(group=group, recipient=recipient, membership=membership, email=email,
                                   field=field, old_value=as_text(old), new_value=as_text(new), by=user, at=now)


def summary_recipient_update(*, recipient: SummaryRecipient, user: User, language: str,
                             attachments: bool) -> SummaryRecipient:
    """Change an additional recipient's language or whether the summary's files are attached to their
    e-mail (from the next approval on); each change is recorded (RecipientChange)."""
    from .models import RecipientChange

    _deny_recipients(user, recipient.group)
    _check_language(language)
    with transaction.atomic():
        locked = SummaryRecipient.objects.select_for_update().get(pk=recipient.pk)
        if locked.removed_at is not None:
            raise ValidationError(_("This address was removed already."), code="removed")
        now = timezone.now()
        changed = []
        for field, value in ((RecipientChange.Field.LANGUAGE, language),
                             (RecipientChange.Field.ATTACHMENTS, bool(attachments))):
            old = getattr(locked, field)
            if old != value:
                _change(group=locked.group, user=user, email=locked.email, field=field, old=old, new=value,
                        now=now, recipient=locked)
                setattr(locked, field, value)
                changed.append(str(field))
        if changed:
            locked.save(update_fields=changed)
    return locked


def member_language_set(*, membership: Any, user: User, language: str) -> Any:
    """The language of a steering-group member's summary e-mails (`Membership.language`), set by those who keep
    the group's recipients; the change is recorded (RecipientChange)."""
    from governance.models import Membership

    from .models import RecipientChange

    _deny_recipients(user, membership.group)
    _check_language(language)
    with transaction.atomic():
        locked = Membership.objects.select_for_update(of=("self",)).select_related("group", "user").get(
            pk=membership.pk)
        old = locked.language or ""
        if old != language:
            _change(group=locked.group, user=user, email=locked.user.email or locked.user.get_username(),
                    field=RecipientChange.Field.LANGUAGE, old=old, new=language, now=timezone.now(),
                    membership=locked)
            locked.language = language
            locked.save(update_fields=["language"])
    return locked
# --- the action-plan annex --------------------------------------------------------------------------------

def _deny_annex(user: Any, agreement: Agreement) -> None:
    from django.core.exceptions import PermissionDenied

    from portfolio.permissions import can_edit_agreement_portfolio

    if not can_edit_agreement_portfolio(user, agreement):
        raise PermissionDenied(_("Only the coordinators of the agreement may do this."))


def _annex_event(version: Any, action: str, *, user: Any = None, note: str = "",
                 at: dt.datetime | None = None) -> None:
    from .models import ActionPlanVersionEvent

    ActionPlanVersionEvent.objects.create(version=version, action=action, note=note, at=at or timezone.now(),
                                          by=user if user is not None and user.is_authenticated else None)


def action_plan_version_create(*, agreement: Agreement, user: User, reason: str = "") -> Any:
    """Generate a new numbered version of the agreement's action-plan annex from the portfolio: the data as
    it is now, frozen in the version's snapshot. Its PDFs in Finnish, Swedish and English take seconds, so a
    task makes them (``action_plan_annex_make``), queued in the same transaction through the outbox and sent
    at its commit; until then the version is being made. The versions before it stay as they were. Only the
    agreement's coordinators (and superusers) generate."""
    from .action_plan import annex_snapshot
    from .choices import AnnexAction, AnnexState
    from .models import ActionPlanVersion

    _deny_annex(user, agreement)
    reason = (reason or "").strip()
    with transaction.atomic():
        # The agreement row serialises two coordinators generating at once: each gets its own number.
        Agreement.objects.select_for_update().get(pk=agreement.pk)
        number = (ActionPlanVersion.objects.filter(agreement=agreement).aggregate(n=Max("number"))["n"] or 0) + 1
        created_at = timezone.now().replace(microsecond=0)
        who = user.get_full_name() or user.get_username()
        snapshot = annex_snapshot(agreement=agreement, user=user)
        snapshot["version"] = {"number": number, "created_at": created_at.isoformat(), "created_by": who,
                               "reason": reason}
        version = ActionPlanVersion.objects.create(agreement=agreement, number=number, created_at=created_at,
                                                   created_by=user, reason=reason, snapshot=snapshot,
                                                   state=AnnexState.MAKING)
        _annex_event(version, AnnexAction.GENERATED, user=user, note=reason, at=created_at)
        _outbox(ANNEX_TASK, version.pk)
    version.refresh_from_db()  # made already when the task ran at the commit (eager, the embedded default)
    return version


def _annex_file_name(version: Any, language: str) -> str:
    return f"{version.agreement.project_code_prefix.lower()}-annex-v{version.number}-{language}.pdf"


def action_plan_annex_make(*, version_id: int, last_attempt: bool = True) -> Any:
    """Make an annex version's PDFs (fi, sv, en) from its snapshot alone and mark it ready. Idempotent: a
    version that is ready (or failed: it waits for "make again") is returned as it is. A transient error is
    re-raised for the task to retry unless this is the last attempt; the soft time limit and any other error
    mark it failed, the reason shown on the annex page."""
    from celery.exceptions import SoftTimeLimitExceeded

    from .choices import AnnexAction, AnnexFailure, AnnexState
    from .models import ACTION_PLAN_LANGUAGES, ActionPlanVersion

    version = ActionPlanVersion.objects.select_related("agreement").filter(pk=version_id).first()
    if version is None or version.state != AnnexState.MAKING:
        return version
    written: list[Any] = []
    try:
        from .rendering.annex import render_annex_pdf

        pdfs = {language: render_annex_pdf(version.snapshot, language) for language in ACTION_PLAN_LANGUAGES}
        with transaction.atomic():
            locked = ActionPlanVersion.objects.select_for_update().select_related("agreement").get(pk=version.pk)
            if locked.state != AnnexState.MAKING:
                return locked  # made by another delivery of the task meanwhile
            for language in ACTION_PLAN_LANGUAGES:
                field = locked.pdf(language)
                field.save(_annex_file_name(locked, language), ContentFile(pdfs[language]), save=False)
                written.append(field.name)
            locked.state = AnnexState.READY
            locked.failure = ""
            locked.failure_detail = ""
            locked.made_at = timezone.now()
            locked.save(update_fields=[*(f"pdf_{lang}" for lang in ACTION_PLAN_LANGUAGES), "state", "failure",
                                       "failure_detail", "made_at"])
            _annex_event(locked, AnnexAction.MADE, at=locked.made_at)
    except TRANSIENT_ERRORS as exc:
        _discard(written)
        if last_attempt:
            _annex_failed(version.pk, AnnexFailure.RETRIES, _describe(exc))
        raise
    except SoftTimeLimitExceeded:
        _discard(written)
        _annex_failed(version.pk, AnnexFailure.TIMEOUT, "")
        raise
    except Exception as exc:  # noqa: BLE001 - any other error is shown on the page, never silently
        _discard(written)
        logger.exception("annex version %s: making the PDFs failed", version.pk)
        _annex_failed(version.pk, AnnexFailure.ERROR, _describe(exc))
        return ActionPlanVersion.objects.filter(pk=version.pk).first()
    logger.info("annex version %s: PDFs made", locked.pk)
    return locked


def _annex_failed(version_id: int, failure: str, detail: str) -> None:
    from .choices import AnnexAction, AnnexState
    from .models import ActionPlanVersion

    try:
        with transaction.atomic():
            locked = ActionPlanVersion.objects.select_for_update().filter(pk=version_id).first()
            if locked is None or locked.state != AnnexState.MAKING:
                return
            locked.state = AnnexState.FAILED
            locked.failure = failure
            locked.failure_detail = detail
            locked.save(update_fields=["state", "failure", "failure_detail"])
            _annex_event(locked, AnnexAction.FAILED, note=detail)
    except DatabaseError:
        logger.exception("could not mark annex version %s failed", version_id)


def action_plan_annex_make_again(*, version: Any, user: User) -> Any:
    """After a failure: queue the task that makes the version's PDFs again (a coordinator of its agreement).
    A version being made or ready is left as it is."""
    from .choices import AnnexAction, AnnexState
    from .models import ActionPlanVersion

    _deny_annex(user, version.agreement)
    with transaction.atomic():
        locked = ActionPlanVersion.objects.select_for_update().get(pk=version.pk)
        if locked.state != AnnexState.FAILED:
            return locked
        locked.state = AnnexState.MAKING
        locked.failure = ""
        locked.failure_detail = ""
        locked.save(update_fields=["state", "failure", "failure_detail"])
        _annex_event(locked, AnnexAction.AGAIN, user=user)
        _outbox(ANNEX_TASK, locked.pk)
    locked.refresh_from_db()
    return locked

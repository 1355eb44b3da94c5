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
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from config.celery import BROKER_ERRORS
from config.jobs import job
from portfolio.audit import security_event_record
from portfolio.choices import SecurityEventKind
from portfolio.models import Agreement

from .choices import Audience, ReportStatus
from .models import REPORT_FORMATS, ReportDownload, SummaryReport
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
            locked.save()
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
    }


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

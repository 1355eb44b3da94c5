"""An uploaded file: kept, checked (now, or by the Celery task for a large file, with progress), then
imported once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portfolio.models import Agreement

from .plan import portfolio_import
from .tables import SYNC_ROWS, ImportFileError, ImportReport, read_tables

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from ..models import PortfolioImport


# --- an uploaded import: check, then import ------------------------------------------------------------------

def report_as_dict(report: ImportReport) -> dict[str, Any]:
    return {"problems": [vars(p) for p in sorted(report.problems, key=lambda p: (p.table, p.row))],
            "rows": [vars(r) for r in report.rows], "counts": report.counts(), "committed": report.committed}


def _progress_writer(import_id: int) -> Callable[[int], None]:
    from ..models import PortfolioImport

    def write(percent: int) -> None:
        PortfolioImport.objects.filter(pk=import_id).update(progress=max(0, min(100, percent)))

    return write


def import_receive(*, agreement: Agreement, upload: Any, user: User | AnonymousUser) -> PortfolioImport:
    """Keep an uploaded file and check it: now for a small file, by a Celery task for a large one (the
    import's page shows the progress). Nothing of the portfolio is written. ImportFileError: not a table."""
    from django.core.exceptions import PermissionDenied

    from portfolio.permissions import can_edit_agreement_portfolio
    from portfolio.services import attachment_check

    from ..models import PortfolioImport

    if not can_edit_agreement_portfolio(user, agreement) or user.pk is None:
        raise PermissionDenied
    # The uploads' one check (size, type, content matching the type), then only spreadsheets.
    ext, _content_type = attachment_check(upload=upload)
    if ext not in ("xlsx", "csv"):
        raise ImportFileError(_("Import an .xlsx or a .csv file."))
    tables = read_tables(name=upload.name, content=upload.read())
    upload.seek(0)
    rows = sum(len(t) for t in tables.values())
    batch = PortfolioImport.objects.create(agreement=agreement, file=upload, original_name=upload.name[:255],
                                           rows=rows, uploaded_by_id=user.pk)
    _start(batch, commit=False)
    batch.refresh_from_db()
    return batch


def import_request(*, batch: PortfolioImport, user: User | AnonymousUser) -> PortfolioImport:
    """Import a checked file that had no problems: validated again against the portfolio as it is now and
    written in one transaction (or refused with the new report: nothing written)."""
    from django.core.exceptions import PermissionDenied

    from portfolio.permissions import can_edit_agreement_portfolio

    from ..models import PortfolioImport

    if not can_edit_agreement_portfolio(user, batch.agreement):
        raise PermissionDenied
    with transaction.atomic():
        locked = PortfolioImport.objects.select_for_update().get(pk=batch.pk)
        if locked.status == PortfolioImport.Status.IMPORTED:
            raise ValidationError(_("This file has already been imported."), code="imported")
        if locked.status != PortfolioImport.Status.CHECKED or locked.report.get("problems"):
            raise ValidationError(_("Only a checked file without problems can be imported."), code="not_checked")
        locked.status, locked.progress, locked.imported_by_id = PortfolioImport.Status.IMPORTING, 0, user.pk
        locked.save(update_fields=["status", "progress", "imported_by"])
    _start(locked, commit=True)
    locked.refresh_from_db()
    return locked


def _start(batch: PortfolioImport, *, commit: bool) -> None:
    if batch.rows <= SYNC_ROWS:
        import_run(import_id=batch.pk, commit=commit)
        return
    from config.jobs import job

    transaction.on_commit(lambda: job("reporting.portfolio_import_task").delay(batch.pk, commit))


def import_run(*, import_id: int, commit: bool) -> PortfolioImport | None:
    """The work of a check (``commit=False``) or an import: read the kept file, validate every row with
    progress, write when asked and there is no problem. The same work for the request and the task."""
    from django.utils import timezone

    from ..models import PortfolioImport

    batch = PortfolioImport.objects.select_related("agreement", "uploaded_by").filter(pk=import_id).first()
    if batch is None:
        return None
    if batch.status not in (PortfolioImport.Status.QUEUED, PortfolioImport.Status.IMPORTING):
        return batch  # delivered twice: the work is done
    user = batch.imported_by if commit else batch.uploaded_by
    try:
        with batch.file.open("rb") as stream:
            tables = read_tables(name=batch.original_name, content=stream.read())
        report = portfolio_import(agreement=batch.agreement, tables=tables, user=user, commit=commit,
                                  progress=_progress_writer(batch.pk))
    except ImportFileError as exc:
        batch.status, batch.error = PortfolioImport.Status.FAILED, str(exc)
        batch.save(update_fields=["status", "error"])
        return batch
    batch.report = report_as_dict(report)
    batch.progress = 100
    if report.committed:
        batch.status, batch.imported_at = PortfolioImport.Status.IMPORTED, timezone.now()
    else:
        batch.status = PortfolioImport.Status.CHECKED
    batch.save(update_fields=["report", "progress", "status", "imported_at"])
    return batch

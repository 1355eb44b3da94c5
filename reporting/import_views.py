"""Pages of the spreadsheet import: upload (a dry run), the report row by row, then import in one go."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portfolio.audit import security_event_record
from portfolio.choices import SecurityEventKind
from portfolio.current import current_agreement
from portfolio.forms import AccessibleFormMixin
from portfolio.models import Agreement
from portfolio.permissions import can_edit_agreement_portfolio

from .imports import COLUMNS, SHEET_TITLES, ImportFileError, import_receive, import_request, template_xlsx
from .models import PortfolioImport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("Spreadsheet"), help_text=gettext_lazy(
        "An .xlsx workbook with the sheets of the template, or one table as .csv (UTF-8, ; or , between "
        "columns); column headings in Finnish, Swedish or English."))


def _agreement(request: HttpRequest) -> Agreement:
    agreement = current_agreement(request)
    if agreement is None or not can_edit_agreement_portfolio(request.user, agreement):
        raise PermissionDenied
    return agreement


def _page(request: HttpRequest, agreement: Agreement, form: ImportForm, *, status: int = 200) -> HttpResponse:
    recent = PortfolioImport.objects.filter(agreement=agreement).select_related("uploaded_by")[:10]
    return render(request, "reporting/import.html", {"agreement": agreement, "form": form, "recent": recent},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    agreement = _agreement(request)
    if request.method == "GET":
        return _page(request, agreement, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            batch = import_receive(agreement=agreement, upload=form.cleaned_data["file"], user=request.user)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            security_event_record(kind=SecurityEventKind.IMPORT, request=request, detail={
                "file": batch.original_name, "import": batch.pk, "committed": False,
                "problems": len(batch.report.get("problems", []))})
            return redirect(batch.get_absolute_url())
    return _page(request, agreement, form, status=400)


@login_required
@require_GET
def import_template(request: HttpRequest, filled: bool) -> HttpResponse:
    agreement = _agreement(request)
    content = template_xlsx(agreement=agreement if filled else None, language=get_language() or "fi")
    response = HttpResponse(content, content_type=XLSX)
    name = f"{agreement.code}-portfolio.xlsx" if filled else "portfolio-import-template.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _batch(request: HttpRequest, pk: int) -> PortfolioImport:
    """An import of an agreement the user works on (another agreement's is a 404, like a missing one); only its
    coordinators go further."""
    agreements = Agreement.objects.worked_on_by(request.user)
    batch = get_object_or_404(PortfolioImport.objects.filter(agreement__in=agreements)
                              .select_related("agreement", "uploaded_by"), pk=pk)
    if not can_edit_agreement_portfolio(request.user, batch.agreement):
        raise PermissionDenied
    return batch


def _report_context(batch: PortfolioImport) -> dict[str, Any]:
    """The problems with their table's name and the column's heading in the page's language."""
    index = {"fi": 0, "sv": 1, "en": 2}.get(get_language() or "fi", 0)
    problems = [{**p, "table_label": SHEET_TITLES.get(p["table"], p["table"]),
                 "column_label": COLUMNS.get(p["table"], {}).get(p["column"], ("", "", p["column"]))[index]
                 or p["column"]} for p in batch.report.get("problems", [])]
    return {"batch": batch, "problems": problems}


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    htmx = bool(getattr(request, "htmx", False))
    if htmx and batch.in_progress:  # the progress bar polls this page
        return render(request, "reporting/partials/import_progress.html", {"batch": batch})
    if htmx:  # done: the whole page, so the report replaces the bar
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "reporting/import_report.html", _report_context(batch))


@login_required
@require_POST
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    try:
        batch = import_request(batch=batch, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(batch.get_absolute_url())
    security_event_record(kind=SecurityEventKind.IMPORT, request=request, detail={
        "file": batch.original_name, "import": batch.pk, "committed": batch.status == PortfolioImport.Status.IMPORTED,
        "counts": batch.report.get("counts", {})})
    if batch.status == PortfolioImport.Status.IMPORTED:
        messages.success(request, _("The file was imported."))
        return redirect(batch.get_absolute_url())
    if batch.in_progress:
        messages.info(request, _("The import has started; this page shows its progress."))
        return redirect(batch.get_absolute_url())
    messages.error(request, _("The portfolio changed since the check and the file has problems now: nothing was "
                              "written. See the report below."))
    return render(request, "reporting/import_report.html", _report_context(batch), status=400)

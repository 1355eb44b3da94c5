"""Progress-report pages: a project's reports, one report, its form and review buttons, "my reports" and the
coordinators' queue. Thin: parse, authorise, call one service or selector, render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portfolio.access import contact_project_ids_of, is_coordinator
from portfolio.audit import security_event_record
from portfolio.choices import SecurityEventKind
from portfolio.exports import export_response
from portfolio.forms import AttachmentForm
from portfolio.models import Project, ProjectContact
from portfolio.permissions import can_assign_project_contacts, can_change_project, can_view_portal
from portfolio.selectors import project_detail as project_for
from portfolio.services import project_contact_assign, project_contact_remove

from ..filters.reports import ProgressReportFilter
from ..forms.reports import ContactAssignForm, ProgressReportForm, ScheduleForm, TransitionForm
from ..models.reports import ProgressReport, ProgressReportAttachment
from ..permissions.reports import (
    can_edit_progress_report,
    can_review_progress_report,
    can_submit_progress_report,
    can_write_progress_reports,
)
from ..selectors import reports as selectors
from ..selectors.indicators import report_indicators
from ..services import reports as services

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _user(request: HttpRequest) -> User:
    # Every view here is behind login_required: the user is the portal's signed-in User.
    return cast("User", request.user)


def _require_portal_user(request: HttpRequest) -> None:
    if not can_view_portal(request.user):
        raise PermissionDenied


def _errors_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def project_reports_panel(request: HttpRequest, project: Project, can_edit: bool) -> SafeString:
    """The progress-reports block of the project page (registered as `portfolio.panels.PROGRESS_REPORTS`)."""
    reports = selectors.report_list(user=_user(request), project=project)
    return render_to_string("followup/partials/project_reports.html", {
        "project": project, "reports": reports, "today": timezone.localdate(),
        "contacts": ProjectContact.objects.filter(project=project).select_related("user", "organisation"),
    }, request=request)


@login_required
def report_index(request: HttpRequest) -> HttpResponse:
    """The reports a user has to deal with: a contact's own, a coordinator's queue, otherwise every visible one."""
    _require_portal_user(request)
    today = timezone.localdate()
    mine = None
    if contact_project_ids_of(request.user):
        mine = list(selectors.my_reports(user=_user(request), today=today))
    queue = selectors.review_queue(user=_user(request), today=today) if is_coordinator(request.user) else None
    visible = None
    if mine is None and queue is None:
        visible = list(selectors.report_list(user=_user(request)).order_by("-period_end", "project__code")[:200])
    return render(request, "followup/report_index.html", {"mine": mine, "queue": queue, "visible": visible,
                                                          "today": today})


@login_required
def report_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every progress report the user may see (filters of /api/v1/progress-reports/), as CSV or XLSX."""
    _require_portal_user(request)
    filterset = ProgressReportFilter(request.GET or None, queryset=selectors.report_list(user=_user(request)),
                                     request=request)
    headings, rows = selectors.progress_report_export_rows(queryset=filterset.qs)
    return export_response(request, what="progress-reports", fmt=fmt, headings=headings, rows=rows,
                           title=_("Progress reports"))


@login_required
def project_reports(request: HttpRequest, project_pk: int) -> HttpResponse:
    _require_portal_user(request)
    project = project_for(user=_user(request), pk=project_pk)
    schedule = selectors.schedule_of(project)
    form = None
    if can_change_project(request.user, project):
        form = ScheduleForm(initial={"frequency": schedule.frequency, "due_days": schedule.due_days,
                                     "final_window_days": schedule.final_window_days})
    return render(request, "followup/project_reports.html", _project_context(request, project, schedule_form=form))


def _project_context(request: HttpRequest, project: Project, **extra: Any) -> dict[str, Any]:
    can_assign = can_assign_project_contacts(request.user, project)
    return {
        "project": project, "reports": selectors.report_list(user=_user(request), project=project),
        "schedule": selectors.schedule_of(project), "today": timezone.localdate(),
        "contacts": ProjectContact.objects.filter(project=project).select_related("user", "organisation"),
        "can_assign": can_assign, "contact_form": ContactAssignForm(project=project) if can_assign else None,
        **extra,
    }


@login_required
@require_POST
def contact_assign(request: HttpRequest, project_pk: int) -> HttpResponse:
    _require_portal_user(request)
    project = project_for(user=request.user, pk=project_pk)
    if not can_assign_project_contacts(request.user, project):
        raise PermissionDenied
    form = ContactAssignForm(request.POST, project=project)
    if form.is_valid():
        try:
            project_contact_assign(project=project, contact_user=form.cleaned_data["user"],
                                   organisation=form.cleaned_data["organisation"], user=_user(request))
        except ValidationError as exc:
            form.add_error(None, _errors_text(exc))
        else:
            messages.success(request, _("The project contact is saved."))
            return redirect("followup:project-reports", project_pk=project.pk)
    return render(request, "followup/project_reports.html", _project_context(request, project, contact_form=form),
                  status=400)


@login_required
@require_POST
def contact_remove(request: HttpRequest, project_pk: int, contact_pk: int) -> HttpResponse:
    _require_portal_user(request)
    project = project_for(user=request.user, pk=project_pk)
    contact = get_object_or_404(ProjectContact, pk=contact_pk, project=project)
    project_contact_remove(contact=contact, user=_user(request))
    messages.success(request, _("The project contact is removed."))
    return redirect("followup:project-reports", project_pk=project.pk)


@login_required
@require_POST
def schedule_set(request: HttpRequest, project_pk: int) -> HttpResponse:
    _require_portal_user(request)
    project = project_for(user=_user(request), pk=project_pk)
    if not can_change_project(request.user, project):
        raise PermissionDenied
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            services.reporting_schedule_set(project=project, user=_user(request), **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, _errors_text(exc))
        else:
            messages.success(request, _("The reporting schedule is saved and the due dates are updated."))
            return redirect("followup:project-reports", project_pk=project.pk)
    return render(request, "followup/project_reports.html", _project_context(request, project, schedule_form=form),
                  status=400)


def _detail_context(request: HttpRequest, report: ProgressReport, **extra: Any) -> dict[str, Any]:
    user = request.user
    return {
        "report": report, "project": report.project,
        "spending": report.spending.select_related("instrument"),
        "indicators": report_indicators(report=report),
        "transitions": report.transitions.select_related("by"),
        "history": report.history.select_related("history_user").order_by("-history_date")[:30],
        "attachments": report.attachments.select_related("uploaded_by"),
        "can_edit": can_edit_progress_report(user, report),
        "can_submit": can_submit_progress_report(user, report),
        "can_review": can_review_progress_report(user, report) and report.review_state == "submitted",
        "attachment_form": AttachmentForm() if can_edit_progress_report(user, report) else None,
        "transition_form": TransitionForm(),
        "today": timezone.localdate(),
        **extra,
    }


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_portal_user(request)
    report = selectors.report_detail(user=_user(request), pk=pk)
    return render(request, "followup/report_detail.html", _detail_context(request, report))


@login_required
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_portal_user(request)
    report = selectors.report_detail(user=_user(request), pk=pk)
    if not can_write_progress_reports(request.user, report):
        raise PermissionDenied
    if not report.is_open:
        messages.error(request, _("The report is “%(state)s”: it can no longer be edited.")
                       % {"state": report.get_review_state_display()})
        return redirect(report)
    indicators = report_indicators(report=report)
    if request.method != "POST":
        form = ProgressReportForm(report=report, indicators=indicators)
        return render(request, "followup/report_form.html", {"report": report, "form": form})
    form = ProgressReportForm(request.POST, report=report, indicators=indicators)
    if form.is_valid():
        data, spending = form.data_and_spending()
        try:
            with transaction.atomic():  # save and submit together, or neither
                services.progress_report_update(report=report, data=data, spending=spending,
                                                indicator_values=form.indicator_values(), user=_user(request))
                if "submit" in request.POST:
                    services.progress_report_submit(report=report, user=_user(request))
        except ValidationError as exc:
            form.add_service_errors(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
        else:
            messages.success(request, _("The report is submitted for review.") if "submit" in request.POST
                             else _("The report is saved."))
            return redirect(report)
    return render(request, "followup/report_form.html", {"report": report, "form": form}, status=400)


_ACTIONS = {
    "submit": services.progress_report_submit,
    "accept": services.progress_report_accept,
    "return": services.progress_report_return,
}
_DONE = {
    "submit": gettext_lazy("The report is submitted for review."),
    "accept": gettext_lazy("The report is accepted."),
    "return": gettext_lazy("The report is returned to its writers."),
}


@login_required
@require_POST
def report_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _require_portal_user(request)
    report = selectors.report_detail(user=_user(request), pk=pk)
    service = _ACTIONS.get(action)
    if service is None:
        raise Http404
    form = TransitionForm(request.POST)
    form.is_valid()
    try:
        service(report=report, user=_user(request), comment=form.cleaned_data.get("comment", ""))
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "comment" in exc.error_dict:
            form.add_error("comment", exc.error_dict["comment"])
        else:
            form.add_error(None, _errors_text(exc))
        report.refresh_from_db()
        return render(request, "followup/report_detail.html",
                      _detail_context(request, report, transition_form=form, failed_action=action), status=400)
    messages.success(request, str(_DONE[action]))
    return redirect(report)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    _require_portal_user(request)
    report = selectors.report_detail(user=_user(request), pk=pk)
    if not can_edit_progress_report(request.user, report):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        services.progress_report_attachment_add(report=report, upload=form.cleaned_data["file"], user=_user(request),
                                                description=form.cleaned_data["description"])
        messages.success(request, _("The document is added."))
        return redirect(report)
    return render(request, "followup/report_detail.html",
                  _detail_context(request, report, attachment_form=form), status=400)


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    _require_portal_user(request)
    report = selectors.report_detail(user=_user(request), pk=pk)
    attachment = get_object_or_404(ProgressReportAttachment, pk=attachment_pk, report=report)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    security_event_record(kind=SecurityEventKind.DOWNLOAD, request=request, obj=attachment)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    _require_portal_user(request)
    report = selectors.report_detail(user=_user(request), pk=pk)
    attachment = get_object_or_404(ProgressReportAttachment, pk=attachment_pk, report=report)
    services.progress_report_attachment_delete(attachment=attachment, user=_user(request))
    messages.success(request, _("The document is removed."))
    return redirect(report)

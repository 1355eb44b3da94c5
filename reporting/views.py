"""HTML views of the summaries: the archive, "compile now", the live status and the downloads."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from followup import selectors as followup_selectors
from followup.models import ReportStatus as FollowupReportStatus
from funding.selectors import agreements_comparison, dashboard_funding, pipeline_trend
from governance.selectors import dashboard_governance
from portfolio import selectors as portfolio_selectors
from portfolio.choices import ProjectStatus
from portfolio.current import current_agreement
from portfolio.dataversion import FigureCache
from portfolio.exports import export_response
from portfolio.models import Agreement, Project
from portfolio.permissions import can_edit_agreement_portfolio, can_view_portal, is_coordinator, works_on
from portfolio.roles import Role, has_role, is_project_contact_only, sees_all_agreements
from portfolio.selectors import PIPELINE

from .choices import ReportStatus
from .filters import SummaryReportFilter
from .forms import (
    CorrectionForm,
    MemberLanguageForm,
    NarrativeForm,
    NationalViewForm,
    RecipientForm,
    RecipientUpdateForm,
    SummaryRequestForm,
)
from .models import REPORT_FORMATS, FilesNotReady, SummaryDelivery, SummaryRecipient, SummaryReport
from .permissions import (
    can_manage_recipients,
    can_request_any_summary,
    can_review_summary,
    can_view_national,
    can_view_reports,
)
from .rendering import CONTENT_TYPES
from .rendering.html import summary_html
from .selectors import (
    NATIONAL_SORTS,
    audience_group,
    dashboard_reports,
    national_export_rows,
    national_view,
    recipient_list,
    report_list,
    summaries_awaiting_review,
    summary_review,
)
from .services import (
    MAX_PENDING_PER_USER,
    QueueUnavailable,
    member_language_set,
    report_download_log,
    summary_approve,
    summary_correct,
    summary_delivery_retry,
    summary_files_make_again,
    summary_narrative_save,
    summary_recipient_add,
    summary_recipient_remove,
    summary_recipient_update,
    summary_request,
)

# --- the role dashboard (`/`) ------------------------------------------------------------------------------
# The one page that combines every app (portfolio, funding, governance, reporting): it lives in the top
# layer, which may import them all. Each block is the owning app's selector rendered with its partial.

def _dashboard_role(user: Any) -> str:
    if has_role(user, Role.COORDINATOR) or user.is_superuser:
        return "coordinator"
    if has_role(user, Role.STEERING):
        return "steering"
    return "ministry"


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not can_view_portal(request.user):
        raise PermissionDenied
    user = request.user
    if is_project_contact_only(user):
        return _contact_dashboard(request)
    agreement = current_agreement(request)
    agreement_id = agreement.pk if agreement else None
    role = _dashboard_role(user)
    # The figures come from the cache, keyed by the data version (portfolio.dataversion): computed once per
    # version, visibility scope, language and day; blocks that depend on the user's own permissions are
    # keyed by the user too. The reports block is reporting's data (not versioned): always computed.
    figures = FigureCache(user=user)
    context: dict[str, Any] = {
        "agreement": agreement,
        "portfolio": figures.get("dashboard_portfolio", lambda: portfolio_selectors.dashboard_portfolio(
            user=user, agreement=agreement), agreement=agreement_id),
        "ending_soon": figures.get("projects_ending_soon", lambda: list(portfolio_selectors.projects_ending_soon(
            user=user, agreement=agreement)[:20]), agreement=agreement_id),
        "is_coordinator": is_coordinator(user),
        "can_create": agreement is not None and figures.get(
            "can_create", lambda: can_edit_agreement_portfolio(user, agreement), agreement=agreement_id, user=user.pk),
        "role": role,
    }
    if role == "coordinator":
        context["progress_reports_html"] = figures.get("review_queue_html", lambda: render_to_string(
            "followup/partials/review_queue.html",
            {"queue": followup_selectors.review_queue(user=user, agreement_id=agreement_id),
             "today": timezone.localdate()}, request=request), agreement=agreement_id, user=user.pk)
    if role in ("coordinator", "ministry"):
        # Summaries are reporting's data, which the data version does not follow: never cached.
        review_block = summaries_awaiting_review(user=user)
        if review_block["reviews"]:
            context["review_html"] = render_to_string(
                "reporting/partials/dashboard_review.html",
                {"review_block": review_block, "heading_level": "h3" if role == "coordinator" else "h2"},
                request=request)
    if role == "ministry":
        context["comparison_html"] = figures.get("agreements_comparison_html", lambda: render_to_string(
            "funding/partials/agreements_comparison.html",
            {"comparison": agreements_comparison(user=user),
             "national_url": reverse("national:index") if can_view_national(user) else ""}, request=request),
            user=user.pk)
    if agreement is not None:
        context["trend"] = figures.get("pipeline_trend", lambda: pipeline_trend(agreement=agreement, user=user),
                                       agreement=agreement_id)
        context["funding_html"] = figures.get("dashboard_funding_html", lambda: render_to_string(
            "funding/partials/dashboard_funding.html",
            {"funding": dashboard_funding(agreement=agreement, user=user)}, request=request), agreement=agreement_id)
        context["governance_html"] = figures.get("dashboard_governance_html", lambda: _governance_html(
            request, agreement), agreement=agreement_id, user=user.pk)
        results_html = figures.get("dashboard_results_html", lambda: _results_html(request, agreement),
                                   agreement=agreement_id, user=user.pk)
        if results_html is not None:
            context["results_html"] = results_html
    context["reports_html"] = render_to_string(
        "reporting/partials/dashboard_reports.html", {"reports_block": dashboard_reports(
            user=user, can_compile=figures.get("can_compile", lambda: can_request_any_summary(user), user=user.pk))},
        request=request)
    return render(request, "reporting/dashboard.html", context)


def _governance_html(request: HttpRequest, agreement: Agreement) -> str:
    governance = dashboard_governance(agreement=agreement, user=request.user)
    return render_to_string("governance/partials/dashboard_governance.html",
                            {"gov": governance, "governance": governance}, request=request)


def _results_html(request: HttpRequest, agreement: Agreement) -> str | None:
    """The results block, for those who work on the agreement (None for others)."""
    if not works_on(request.user, agreement.pk):
        return None
    return render_to_string("followup/partials/dashboard_results.html",
                            {"results": followup_selectors.dashboard_results(user=request.user, agreement=agreement)},
                            request=request)


def _contact_dashboard(request: HttpRequest) -> HttpResponse:
    """A project contact's home: their reports (overdue and due first) and their projects."""
    user = request.user
    return render(request, "reporting/dashboard_contact.html", {
        "mine": list(followup_selectors.my_reports(user=user)),
        "projects": Project.objects.visible_to(user).select_related("lead_organisation").order_by("code"),
        "today": timezone.localdate(),
    })


def _require_reports(request: HttpRequest) -> None:
    if not can_view_reports(request.user):
        raise PermissionDenied


def _visible_report(request: HttpRequest, pk: int) -> SummaryReport:
    return get_object_or_404(SummaryReport.objects.visible_to(request.user).select_related("agreement"), pk=pk)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _require_reports(request)
    filterset = SummaryReportFilter(request.GET, queryset=report_list(user=request.user), request=request)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode(), "formats": REPORT_FORMATS}
    if request.htmx:
        return render(request, "reporting/partials/report_table.html", context)
    context["form"] = SummaryRequestForm(user=request.user) if can_request_any_summary(request.user) else None
    return render(request, "reporting/index.html", context)


@login_required
@require_POST
def request_summary(request: HttpRequest) -> HttpResponse:
    _require_reports(request)
    if not can_request_any_summary(request.user):
        raise PermissionDenied
    form = SummaryRequestForm(request.POST, user=request.user)
    pending = SummaryReport.objects.in_flight().filter(requested_by=request.user).count()
    if pending >= MAX_PENDING_PER_USER:
        # A cheap guard against piling up heavy jobs (the same summary twice is deduplicated anyway).
        form.add_error(None, _("You have %(n)s summaries being compiled; wait until they are done.") % {"n": pending})
        return _index_with_form(request, form, status=429)
    if form.is_valid():
        try:
            report = summary_request(
                audience=form.cleaned_data["audience"], period=form.cleaned_data["period"],
                agreement=form.cleaned_data["agreement"], language=form.cleaned_data["language"],
                user=request.user, rerun=form.cleaned_data["rerun"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except QueueUnavailable as exc:
            # Nothing was saved: say so where the user looks, keep what was typed.
            form.add_error(None, str(exc))
            response = _index_with_form(request, form, status=503)
            response["Retry-After"] = "60"
            return response
        else:
            messages.success(request, _("The summary %(report)s is on its way.") % {"report": report})
            return redirect(report.get_absolute_url())
    return _index_with_form(request, form, status=400)


def _index_with_form(request: HttpRequest, form: SummaryRequestForm, *, status: int) -> HttpResponse:
    filterset = SummaryReportFilter(None, queryset=report_list(user=request.user), request=request)
    page = Paginator(filterset.qs, 50).get_page(1)
    return render(request, "reporting/index.html", {"filter": filterset, "page": page, "query": "", "form": form,
                                                    "formats": REPORT_FORMATS}, status=status)


def _detail(request: HttpRequest, report: SummaryReport, *, narrative_form: NarrativeForm | None = None,
            correction_form: CorrectionForm | None = None, review_error: str = "", status: int = 200) -> HttpResponse:
    """The summary page: its state, the summary itself as HTML (once compiled), and the review."""
    can_review = can_review_summary(request.user, report)
    context: dict[str, Any] = {"report": report, "formats": REPORT_FORMATS, "can_review": can_review,
                               "review": summary_review(report=report), "review_error": review_error}
    group = audience_group(report) if can_review else None
    if group is not None and can_manage_recipients(request.user, group):
        context["recipients_group"] = group
    if report.status == ReportStatus.DONE and report.snapshot:
        context["summary"] = summary_html(report.snapshot, report.language)
    if can_review and report.status == ReportStatus.DONE:
        if not report.is_frozen:
            context["narrative_form"] = narrative_form or NarrativeForm(
                initial={"key_messages": report.key_messages, "risks": report.risks, "asks": report.asks},
                language=report.language)
        else:
            context["correction_form"] = correction_form or CorrectionForm()
    return render(request, "reporting/detail.html", context, status=status)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reports(request)
    return _detail(request, _visible_report(request, pk))


def _reviewable(request: HttpRequest, pk: int) -> SummaryReport:
    _require_reports(request)
    report = _visible_report(request, pk)
    if not can_review_summary(request.user, report):
        raise PermissionDenied
    return report


def _errors_into(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_POST
def narrative_save(request: HttpRequest, pk: int) -> HttpResponse:
    report = _reviewable(request, pk)
    form = NarrativeForm(request.POST, language=report.language)
    if form.is_valid():
        try:
            summary_narrative_save(report=report, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            if getattr(exc, "code", None) in ("frozen", "not_compiled", "conflict"):
                # Nothing was saved; the page says why above the (reloaded) summary.
                report.refresh_from_db()
                return _detail(request, report, review_error=" ".join(exc.messages), status=400)
            _errors_into(form, exc)
        else:
            messages.success(request, _("The narrative was saved. The files are being made again with it; the "
                                        "state below shows when they are ready."))
            return redirect(report.get_absolute_url() + "#review")
    return _detail(request, report, narrative_form=form, status=400)


@login_required
@require_POST
def files_make_again(request: HttpRequest, pk: int) -> HttpResponse:
    """After making the files with the narrative failed: try again (a coordinator of the summary)."""
    report = _reviewable(request, pk)
    try:
        summary_files_make_again(report=report, user=request.user)
    except ValidationError as exc:
        report.refresh_from_db()
        return _detail(request, report, review_error=" ".join(exc.messages), status=400)
    messages.success(request, _("The files are being made again."))
    return redirect(report.get_absolute_url())


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    report = _reviewable(request, pk)
    try:
        summary_approve(report=report, user=request.user)
    except ValidationError as exc:
        report.refresh_from_db()
        return _detail(request, report, review_error=" ".join(exc.messages), status=400)
    messages.success(request, _("The summary was approved and is being sent to its readers."))
    return redirect(report.get_absolute_url() + "#review")


@login_required
@require_POST
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    report = _reviewable(request, pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            new = summary_correct(report=report, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _errors_into(form, exc)
        except QueueUnavailable as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The correction is being compiled as version %(version)s.")
                             % {"version": new.version})
            return redirect(new.get_absolute_url())
    return _detail(request, report, correction_form=form, status=400)


@login_required
@require_POST
def delivery_retry(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    report = _reviewable(request, pk)
    delivery = get_object_or_404(SummaryDelivery, pk=delivery_pk, report=report)
    try:
        summary_delivery_retry(delivery=delivery, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The e-mail to %(email)s was queued again.") % {"email": delivery.email})
    return redirect(report.get_absolute_url() + "#deliveries")


@login_required
@require_GET
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status partial that the detail page polls with htmx until the summary is done or failed."""
    _require_reports(request)
    report = _visible_report(request, pk)
    # 286 tells htmx to stop polling: the summary is done or failed.
    code = 286 if request.htmx and report.is_settled else 200
    can_review = can_review_summary(request.user, report)
    response = render(request, "reporting/partials/report_status.html",
                      {"report": report, "formats": REPORT_FORMATS, "can_review": can_review,
                       # The detail page's approve button follows the files' state (swapped in out of band).
                       # (only when the page polling has one: ?approve=1)
                       "approve_oob": bool(request.htmx) and request.GET.get("approve") == "1" and can_review
                       and report.status == ReportStatus.DONE and not report.is_frozen}, status=code)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def download(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    _require_reports(request)
    report = _visible_report(request, pk)
    try:
        field = report.download_file(file_format)
    except FilesNotReady:
        # A link from before the narrative was saved (an e-mail, a bookmark): the summary's page tells
        # when the files with the narrative are ready (or why making them failed).
        messages.warning(request, _("The files are being made again with the narrative last saved; download "
                                    "them from this page when they are ready."))
        return redirect(report.get_absolute_url())
    if field is None:
        raise Http404(_("This file does not exist."))
    report_download_log(report=report, user=request.user, file_format=file_format, request=request)
    response = FileResponse(field.open("rb"), as_attachment=True, filename=field.name.rsplit("/", 1)[-1],
                            content_type=CONTENT_TYPES[file_format])
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- a group's additional recipients ------------------------------------------------------------------------

def _managed_group(request: HttpRequest, pk: int) -> Any:
    from governance.models import SteeringGroup

    _require_reports(request)
    group = get_object_or_404(SteeringGroup.objects.visible_to(request.user), pk=pk)
    if not can_manage_recipients(request.user, group):
        raise PermissionDenied
    return group


def _recipients_page(request: HttpRequest, group: Any, form: RecipientForm | None = None,
                     status: int = 200, error_recipient: int | None = None, error_member: int | None = None,
                     row_errors: list[str] | None = None) -> HttpResponse:
    return render(request, "reporting/recipients.html", {
        "group": group, "form": form or RecipientForm(), "recipients": recipient_list(group=group),
        "language_choices": settings.LANGUAGES, "error_recipient": error_recipient, "error_member": error_member,
        "row_errors": row_errors or []}, status=status)


@login_required
@require_GET
def recipients(request: HttpRequest, pk: int) -> HttpResponse:
    return _recipients_page(request, _managed_group(request, pk))


@login_required
@require_POST
def recipient_add(request: HttpRequest, pk: int) -> HttpResponse:
    group = _managed_group(request, pk)
    form = RecipientForm(request.POST)
    if form.is_valid():
        try:
            recipient = summary_recipient_add(group=group, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("%(email)s receives the group's approved summaries from now on.")
                             % {"email": recipient.email})
            return redirect("reporting:recipients", pk=group.pk)
    return _recipients_page(request, group, form, status=400)


@login_required
@require_POST
def recipient_remove(request: HttpRequest, pk: int, recipient_pk: int) -> HttpResponse:
    group = _managed_group(request, pk)
    recipient = get_object_or_404(SummaryRecipient, pk=recipient_pk, group=group)
    try:
        summary_recipient_remove(recipient=recipient, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(email)s was taken off the list.") % {"email": recipient.email})
    return redirect("reporting:recipients", pk=group.pk)


@login_required
@require_POST
def recipient_update(request: HttpRequest, pk: int, recipient_pk: int) -> HttpResponse:
    group = _managed_group(request, pk)
    recipient = get_object_or_404(SummaryRecipient, pk=recipient_pk, group=group, removed_at__isnull=True)
    form = RecipientUpdateForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            summary_recipient_update(recipient=recipient, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("Saved: %(email)s.") % {"email": recipient.email})
            return redirect("reporting:recipients", pk=group.pk)
    else:
        errors = [message for field_errors in form.errors.values() for message in field_errors]
    return _recipients_page(request, group, status=400, error_recipient=recipient.pk, row_errors=errors)


@login_required
@require_POST
def member_language(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    from governance.models import Membership

    group = _managed_group(request, pk)
    seat = get_object_or_404(Membership.objects.select_related("user", "group"), pk=membership_pk, group=group)
    form = MemberLanguageForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            member_language_set(membership=seat, user=request.user, language=form.cleaned_data["language"])
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("Saved: %(member)s.") % {
                "member": seat.user.get_full_name() or seat.user.get_username()})
            return redirect("reporting:recipients", pk=group.pk)
    else:
        errors = [message for field_errors in form.errors.values() for message in field_errors]
    return _recipients_page(request, group, status=400, error_member=seat.pk, row_errors=errors)


# --- the national view (issue 13): every agreement side by side ----------------------------------------------

def _require_national(request: HttpRequest) -> None:
    if not can_view_national(request.user):
        raise PermissionDenied


def _national_params(request: HttpRequest) -> tuple[NationalViewForm, Any, str, bool]:
    """The form, and the valid day, sort column and direction of a request (a bad day: today, with the
    error next to the field)."""
    form = NationalViewForm(request.GET or None)
    if not form.is_bound:
        return form, None, "name", False
    form.is_valid()
    data = form.cleaned_data
    ordering = data.get("ordering") or "name"
    return form, data.get("as_of"), ordering.lstrip("-"), ordering.startswith("-")


@login_required
@require_GET
def national(request: HttpRequest) -> HttpResponse:
    _require_national(request)
    form, as_of, sort, descending = _national_params(request)
    view = national_view(user=request.user, as_of=as_of, sort=sort, descending=descending)
    stages = [(code, label) for code, label in ProjectStatus.choices if code in PIPELINE]
    reports = [*FollowupReportStatus.choices, ("unreported", _("No report yet")), ("overdue", _("Overdue reports"))]

    def cells(row: dict[str, Any]) -> dict[str, Any]:
        """A row's figures as (label, value) pairs in the tables' column order (a phone shows the labels)."""
        return {**row, "stages": [(label, row["money"]["by_status"][code]) for code, label in stages],
                "reports": [(label, row["progress"][code]) for code, label in reports],
                "indicator_cells": list(zip(view.indicators, row["indicators"], strict=True))}

    return render(request, "reporting/national.html", {
        "form": form, "view": view, "rows": [cells(row) for row in view.rows], "country": cells(view.country),
        "sort_headers": _sort_headers(request, sort, descending), "query": request.GET.urlencode(),
        "as_of_query": f"?as_of={as_of.isoformat()}" if as_of else "",
        "stages": stages, "reports": reports, "sees_all": sees_all_agreements(request.user),
    })


def _sort_headers(request: HttpRequest, sort: str, descending: bool) -> dict[str, dict[str, str]]:
    """Per sortable column: the address that sorts by it (toggling the direction) and its aria-sort state."""
    headers = {}
    for field in NATIONAL_SORTS:
        state = "none" if field != sort else ("descending" if descending else "ascending")
        params = request.GET.copy()
        params["ordering"] = f"-{field}" if state == "ascending" else field
        headers[field] = {"url": f"?{params.urlencode()}", "state": state}
    return headers


@login_required
@require_GET
def national_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _require_national(request)
    form, as_of, sort, descending = _national_params(request)
    if form.errors:
        return HttpResponse(_("Enter a valid day."), status=400, content_type="text/plain; charset=utf-8")
    headings, rows = national_export_rows(national_view(user=request.user, as_of=as_of, sort=sort,
                                                        descending=descending))
    return export_response(request, what="national", fmt=fmt, headings=headings, rows=rows,
                           title=_("National view"))


@login_required
@require_GET
def national_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """One agreement of the national view, as the dashboard shows it, read-only, as of the view's day."""
    _require_national(request)
    user = request.user
    agreement = get_object_or_404(Agreement.objects.visible_to(user), pk=pk)
    form, as_of, _sort, _descending = _national_params(request)
    context: dict[str, Any] = {
        "agreement": agreement, "form": form, "as_of": as_of,
        "full": Agreement.objects.worked_on_by(user).filter(pk=agreement.pk).exists(),
        "portfolio": portfolio_selectors.dashboard_portfolio(user=user, agreement=agreement, as_of=as_of),
        "ending_soon": list(portfolio_selectors.projects_ending_soon(user=user, agreement=agreement,
                                                                    as_of=as_of)[:20]),
        "funding_html": render_to_string(
            "funding/partials/dashboard_funding.html",
            {"funding": dashboard_funding(agreement=agreement, user=user, as_of=as_of)}, request=request),
    }
    if context["full"]:
        context["results_html"] = render_to_string(
            "followup/partials/dashboard_results.html",
            {"results": followup_selectors.dashboard_results(user=user, agreement=agreement, as_of=as_of)},
            request=request)
    return render(request, "reporting/national_agreement.html", context)

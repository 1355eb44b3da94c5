"""HTML views of the summaries: the archive, "compile now", the live status and the downloads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from followup import selectors as followup_selectors
from funding.selectors import agreements_comparison, dashboard_funding
from governance.selectors import dashboard_governance
from portfolio import selectors as portfolio_selectors
from portfolio.current import current_agreement
from portfolio.dataversion import FigureCache
from portfolio.models import Agreement, Project
from portfolio.permissions import can_edit_agreement_portfolio, can_view_portal, is_coordinator
from portfolio.roles import Role, has_role, is_project_contact_only

from .choices import ReportStatus
from .filters import SummaryReportFilter
from .forms import CorrectionForm, NarrativeForm, RecipientForm, SummaryRequestForm
from .models import REPORT_FORMATS, SummaryDelivery, SummaryRecipient, SummaryReport
from .permissions import can_manage_recipients, can_request_any_summary, can_review_summary, can_view_reports
from .rendering import CONTENT_TYPES
from .rendering.html import summary_html
from .selectors import audience_group, dashboard_reports, recipient_list, report_list, summary_review
from .services import (
    MAX_PENDING_PER_USER,
    QueueUnavailable,
    report_download_log,
    summary_approve,
    summary_correct,
    summary_delivery_retry,
    summary_narrative_save,
    summary_recipient_add,
    summary_recipient_remove,
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
    if role == "ministry":
        context["comparison_html"] = figures.get("agreements_comparison_html", lambda: render_to_string(
            "funding/partials/agreements_comparison.html",
            {"comparison": agreements_comparison(user=user)}, request=request))
    if agreement is not None:
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
    if not Agreement.objects.worked_on_by(request.user).filter(pk=agreement.pk).exists():
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
            messages.success(request, _("The narrative was saved, and the files now include it."))
            return redirect(report.get_absolute_url() + "#review")
    return _detail(request, report, narrative_form=form, status=400)


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
    code = 286 if request.htmx and report.is_finished else 200
    response = render(request, "reporting/partials/report_status.html", {"report": report, "formats": REPORT_FORMATS},
                      status=code)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def download(request: HttpRequest, pk: int, file_format: str) -> FileResponse:
    _require_reports(request)
    report = _visible_report(request, pk)
    field = report.file_for(file_format)
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
                     status: int = 200) -> HttpResponse:
    return render(request, "reporting/recipients.html", {"group": group, "form": form or RecipientForm(),
                                                         "recipients": recipient_list(group=group)}, status=status)


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

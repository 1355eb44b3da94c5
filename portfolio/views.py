"""HTML views of the portfolio: thin, they authorise, call a selector or a service and render."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from config.forms import apply_service_errors

from . import notifications, panels, saved_views, selectors, services
from .audit import security_event_record
from .choices import ProjectStatus, SecurityEventKind
from .exports import export_response
from .filters import ProjectFilter
from .forms import ApiTokenForm, AttachmentForm, FundingLineFormSet, OrganisationForm, PartnerFormSet, ProjectForm
from .history import history_entries
from .models import ApiToken, Organisation, Project, ProjectAttachment
from .panels import project_panel_html
from .permissions import (
    can_change_organisation,
    can_change_project,
    can_edit_agreement_portfolio,
    can_view_portal,
)
from .plan import financing_plan
from .selectors import SESSION_AGREEMENT_KEY, current_agreement, switchable_agreements

logger = logging.getLogger(__name__)
PAGE_SIZE = 50


def _require_portal_user(request: HttpRequest) -> None:
    if not can_view_portal(request.user):
        raise PermissionDenied


# --- project list and exports -------------------------------------------------------------------------------

@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    _require_portal_user(request)
    filterset, projects = selectors.project_list(user=request.user, params=request.GET, request=request)
    page = Paginator(selectors.project_list_page(projects), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    agreement = current_agreement(request)
    context = {
        "filter": filterset, "page": page, "query": params.urlencode(),
        "glossary": selectors.code_glossary(agreement=agreement),
        "saved_views": list(saved_views.saved_views_of(request.user)),
        "can_create": agreement is not None and can_edit_agreement_portfolio(request.user, agreement),
    }
    return _full_or_partial(request, "portfolio/project_list.html", "portfolio/partials/project_results.html",
                            context)


def _full_or_partial(request: HttpRequest, page: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    """htmx requests get only the results; the Vary header keeps caches from mixing the two."""
    is_partial = bool(getattr(request, "htmx", False)) and not request.htmx.boosted
    response = render(request, partial if is_partial else page, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def project_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _require_portal_user(request)
    filterset, projects = selectors.project_list(user=request.user, params=request.GET, request=request)
    headings, rows = selectors.project_export_rows(queryset=projects)
    return export_response(request, what="projects", fmt=fmt, headings=headings, rows=rows, title=_("Projects"))


# --- project detail ---------------------------------------------------------------------------------------

def _fallback_financing(project: Project) -> list[Any]:
    return list(project.funding_lines.select_related("instrument").order_by("year", "instrument__sort_order"))


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_portal_user(request)
    project = selectors.project_detail(user=request.user, pk=pk)
    can_edit = can_change_project(request.user, project)
    financing_html = project_panel_html(panels.FINANCING, request, project, can_edit=can_edit)
    decisions_html = project_panel_html(panels.DECISIONS, request, project, can_edit=can_edit)
    indicators_html = project_panel_html(panels.INDICATORS, request, project, can_edit=can_edit)
    context = {
        "project": project,
        "can_edit": can_edit,
        "partnerships": list(project.partnerships.all()),
        "financing_html": financing_html,
        "funding_lines": None if financing_html else _fallback_financing(project),
        "decisions_html": decisions_html,
        "decisions": None if decisions_html else [],
        "indicators_html": indicators_html,
        "progress_reports_html": project_panel_html(panels.PROGRESS_REPORTS, request, project, can_edit=can_edit),
        "attachments": list(project.attachments.select_related("uploaded_by")),
        "attachment_form": AttachmentForm() if can_edit else None,
        "history": history_entries(project=project, limit=50),
        "progress": selectors.project_progress(project=project),
        "next_statuses": [(code, label) for code, label in ProjectStatus.choices
                          if code in services.PROJECT_STATUS_STEPS.get(project.status, ())] if can_edit else [],
    }
    return render(request, "portfolio/project_detail.html", context)


@login_required
def project_history(request: HttpRequest, pk: int) -> HttpResponse:
    _require_portal_user(request)
    project = selectors.project_detail(user=request.user, pk=pk)
    return render(request, "portfolio/project_history.html",
                  {"project": project, "history": history_entries(project=project, limit=None)})


# --- create and edit --------------------------------------------------------------------------------------

def _formset_initial(project: Project) -> list[dict[str, Any]]:
    return [{"instrument": line.instrument.code, "year": line.year, "planned_amount": line.planned_amount,
             "granted_amount": line.granted_amount, "spent_amount": line.spent_amount}
            for line in project.funding_lines.select_related("instrument").order_by("year", "instrument__sort_order")]


def _partner_formset(request: HttpRequest, project: Project | None, form: ProjectForm) -> Any:
    """The co-implementer rows; a POST without them (e.g. an older form) leaves the partners unchanged."""
    if request.method == "POST" and "partners-TOTAL_FORMS" in request.POST:
        lead = None
        if form.is_valid():
            lead = form.cleaned_data.get("lead_organisation")
        return PartnerFormSet(request.POST, prefix="partners", lead=lead)
    initial = [{"organisation": p.organisation_id, "budget_share": p.budget_share}
               for p in project.partnerships.all()] if project else []
    return PartnerFormSet(initial=initial, prefix="partners")


def _partners_valid(partner_formset: Any) -> bool:
    return not partner_formset.is_bound or partner_formset.is_valid()


def _partners_data(partner_formset: Any) -> list[dict[str, Any]] | None:
    return partner_formset.partners() if partner_formset.is_bound else None


def _lines_fingerprint(project: Project) -> str:
    return financing_plan().lines_fingerprint(project=project)


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    _require_portal_user(request)
    agreement = current_agreement(request)
    if agreement is None or not can_edit_agreement_portfolio(request.user, agreement):
        raise PermissionDenied
    form = ProjectForm(request.POST or None, agreement=agreement, user=request.user)
    formset = FundingLineFormSet(request.POST or None, agreement=agreement, prefix="lines")
    partner_formset = _partner_formset(request, None, form)
    if request.method == "POST" and form.is_valid() and formset.is_valid() and _partners_valid(partner_formset):
        try:
            project = services.project_create(
                agreement=agreement, data={**form.service_data(), "partners": _partners_data(partner_formset)},
                lines=formset.lines(), user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Project %(code)s created.") % {"code": project.code})
            for warning in getattr(project, "frame_warnings", []):
                messages.warning(request, warning)
            return redirect(project)
    return render(request, "portfolio/project_form.html", {
        "form": form, "formset": formset, "partner_formset": partner_formset, "agreement": agreement,
        "project": None,
    }, status=400 if request.method == "POST" else 200)


def conflict_rows(form: BaseForm, exc: services.StaleVersionError) -> list[dict[str, Any]]:
    """Each field someone else changed: its label, the value the user started from, the value saved now
    by the other person, and what the user typed (the project form, the action plan's theme form)."""
    rows = []
    for name, (old, now) in exc.changes.items():
        field = form.fields.get(name)
        label = field.label if field else name
        rows.append({"name": name, "label": label, "old": _display(form, name, old),
                     "now": _display(form, name, now), "mine": _display(form, name, form.cleaned_data.get(name))})
    return rows


def _display(form: BaseForm, name: str, value: Any) -> str:
    if value is None or value == "" or (isinstance(value, set | list | tuple) and not value):
        return "—"
    field = form.fields.get(name)
    model = getattr(getattr(field, "queryset", None), "model", None)
    if model is not None:
        if isinstance(value, Model):
            return str(value)
        items = list(value) if hasattr(value, "__iter__") and not isinstance(value, str) else [value]
        ids = [getattr(v, "pk", v) for v in items]
        return ", ".join(str(o) for o in model.objects.filter(pk__in=ids).order_by("pk")) or "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if hasattr(value, "strftime"):
        from .templatetags.portal import day

        return day(value)
    return str(value)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_portal_user(request)
    project = selectors.project_detail(user=request.user, pk=pk)  # 404 for what the user cannot see
    if not can_change_project(request.user, project):
        raise PermissionDenied
    agreement = project.agreement
    conflict: list[dict[str, Any]] | None = None
    if request.method == "POST":
        form = ProjectForm(request.POST, instance=project, agreement=agreement, user=request.user)
        formset = FundingLineFormSet(request.POST, agreement=agreement, prefix="lines")
        partner_formset = _partner_formset(request, project, form)
        if form.is_valid() and formset.is_valid() and _partners_valid(partner_formset):
            try:
                expected = form.cleaned_data["version"]
                saved = services.project_update(
                    project=project, data={**form.service_data(), "partners": _partners_data(partner_formset)},
                    expected_version=expected, user=request.user,
                    lines=formset.lines(), lines_fingerprint=form.cleaned_data.get("lines_fingerprint") or None)
            except services.StaleVersionError as exc:
                conflict = conflict_rows(form, exc)
                # Saving again now is a deliberate choice to keep the user's values: the form carries the
                # current version; what they typed stays in the fields.
                data = request.POST.copy()
                data["version"] = str(exc.current.version)
                data["lines_fingerprint"] = _lines_fingerprint(exc.current) or ""
                form = ProjectForm(data, instance=exc.current, agreement=agreement, user=request.user)
                form.is_valid()
                form.add_error(None, ValidationError(
                    _("Someone else saved this project while you were editing it. Your changes are not saved "
                      "yet: check the differences below, then save again to keep your values."),
                    code="conflict"))
            except ValidationError as exc:
                if getattr(exc, "code", None) == "conflict":
                    data = request.POST.copy()
                    data["lines_fingerprint"] = _lines_fingerprint(project) or ""
                    form = ProjectForm(data, instance=project, agreement=agreement, user=request.user)
                    form.is_valid()
                    conflict = []
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Project %(code)s saved.") % {"code": saved.code})
                for warning in getattr(saved, "frame_warnings", []):
                    messages.warning(request, warning)
                return redirect(saved)
        status = 409 if conflict is not None else 400
    else:
        form = ProjectForm(instance=project, agreement=agreement, user=request.user,
                           initial={"version": project.version, "lines_fingerprint": _lines_fingerprint(project)})
        formset = FundingLineFormSet(initial=_formset_initial(project), agreement=agreement, prefix="lines")
        partner_formset = _partner_formset(request, project, form)
        status = 200
    return render(request, "portfolio/project_form.html", {
        "form": form, "formset": formset, "partner_formset": partner_formset, "agreement": agreement,
        "project": project, "conflict": conflict,
    }, status=status)


@login_required
@require_POST
def project_status(request: HttpRequest, pk: int) -> HttpResponse:
    _require_portal_user(request)
    project = selectors.project_detail(user=request.user, pk=pk)
    if not can_change_project(request.user, project):
        raise PermissionDenied
    try:
        project = services.project_status_advance(project=project, status=request.POST.get("status", ""),
                                                  user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The project is now “%(status)s”.") % {"status": project.get_status_display()})
    return redirect(project)


# --- attachments --------------------------------------------------------------------------------------------

@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    _require_portal_user(request)
    project = selectors.project_detail(user=request.user, pk=pk)
    if not can_change_project(request.user, project):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        services.attachment_add(project=project, upload=form.cleaned_data["file"], user=request.user,
                                description=form.cleaned_data["description"])
        messages.success(request, _("The file was added."))
        return redirect(f"{project.get_absolute_url()}#documents")
    return render(request, "portfolio/attachment_form.html", {"project": project, "form": form}, status=400)


@login_required
@never_cache
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    _require_portal_user(request)
    project = selectors.project_detail(user=request.user, pk=pk)
    attachment = get_object_or_404(ProjectAttachment, pk=attachment_pk, project=project)
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
    project = selectors.project_detail(user=request.user, pk=pk)
    attachment = get_object_or_404(ProjectAttachment, pk=attachment_pk, project=project)
    services.attachment_delete(attachment=attachment, user=request.user)
    messages.success(request, _("The file was removed."))
    return redirect(f"{project.get_absolute_url()}#documents")


# --- organisations ----------------------------------------------------------------------------------------

@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    _require_portal_user(request)
    q = (request.GET.get("q") or "").strip()[:200]
    organisations = selectors.organisation_list(q=q)
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "q": q, "query": f"q={q}" if q else "",
               "can_create": can_change_organisation(request.user)}
    return _full_or_partial(request, "portfolio/organisation_list.html",
                            "portfolio/partials/organisation_results.html", context)


@login_required
def organisation_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _require_portal_user(request)
    organisations = selectors.organisation_list(q=(request.GET.get("q") or "").strip()[:200])
    headings, rows = selectors.organisation_export_rows(queryset=organisations)
    return export_response(request, what="organisations", fmt=fmt, headings=headings, rows=rows,
                           title=_("Organisations"))


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_portal_user(request)
    organisation = get_object_or_404(Organisation, pk=pk)
    projects = selectors.organisation_projects(user=request.user, organisation=organisation)
    return render(request, "portfolio/organisation_detail.html", {
        "organisation": organisation, "projects": projects,
        "totals": selectors.organisation_totals(user=request.user, organisation=organisation),
        "can_edit": can_change_organisation(request.user),
        "history": history_entries(organisation=organisation, limit=50),
    })


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_portal_user(request)
    if not can_change_organisation(request.user):
        raise PermissionDenied
    organisation = get_object_or_404(Organisation, pk=pk) if pk else None
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.organisation_save(data=form.cleaned_data, user=request.user, organisation=organisation)
        except ValidationError as exc:
            apply_service_errors(form, exc)  # type: ignore[arg-type]
        else:
            messages.success(request, _("Organisation %(name)s saved.") % {"name": saved.name})
            return redirect(saved)
    return render(request, "portfolio/organisation_form.html", {"form": form, "organisation": organisation},
                  status=400 if request.method == "POST" else 200)


# --- agreement switcher -------------------------------------------------------------------------------------

@login_required
@require_POST
def agreement_select(request: HttpRequest) -> HttpResponse:
    agreement = get_object_or_404(switchable_agreements(request.user), pk=request.POST.get("agreement"))
    request.session[SESSION_AGREEMENT_KEY] = agreement.pk
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "dashboard"
    return redirect(target)



# --- notifications inside the portal ------------------------------------------------------------------------

@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own notifications, newest first, unread ones marked."""
    items = list(notifications.notifications_of(request.user)[:notifications.LIST_SIZE])
    return render(request, "portfolio/notifications.html",
                  {"items": items, "unread": sum(1 for n in items if n.read_at is None)})

# --- personal API tokens ------------------------------------------------------------------------------------

def _api_token_page(request: HttpRequest, form: ApiTokenForm, created: services.CreatedApiToken | None = None,
                    status: int = 200) -> HttpResponse:
    tokens = ApiToken.objects.visible_to(request.user).not_revoked()
    response = render(request, "portfolio/api_tokens.html",
                      {"form": form, "tokens": tokens, "created": created, "now": timezone.now()}, status=status)
    # The page may hold a new token's key: never kept by a cache or the browser's history.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def api_token_list(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own API tokens; POST creates one and shows its key, this once."""
    if request.method != "POST":
        return _api_token_page(request, ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            created = services.api_token_create(user=request.user, name=form.cleaned_data["name"],  # type: ignore[arg-type]
                                                expires_in_days=form.cleaned_data["expires_in"], request=request)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            form._decorate()
        else:
            return _api_token_page(request, ApiTokenForm(), created=created)
    return _api_token_page(request, form, status=400)


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark all of the user's notifications read."""
    count = notifications.notifications_mark_read(user=request.user)
    if count:
        messages.success(request, _("Notifications marked as read."))
    return redirect("notifications:list")


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and open what it is about (only the user's own; others are 404)."""
    item = get_object_or_404(notifications.notifications_of(request.user), pk=pk)
    notifications.notifications_mark_read(user=request.user, pk=item.pk)
    if item.url and url_has_allowed_host_and_scheme(item.url, allowed_hosts={request.get_host()}):
        return redirect(item.url)
    return redirect("notifications:list")


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.visible_to(request.user).not_revoked(), pk=pk)
    services.api_token_revoke(token=token, user=request.user, request=request)  # type: ignore[arg-type]
    messages.success(request, _("The token “%(name)s” was revoked; it no longer works.") % {"name": token.name})
    return redirect("accounts:api-tokens")


# --- saved views of the project list ------------------------------------------------------------------------

@login_required
@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    """Save the list's current filters under a name (the same name replaces the view)."""
    _require_portal_user(request)
    query = request.POST.get("query", "")
    try:
        view = saved_views.saved_view_save(user=request.user, name=request.POST.get("name", ""), query=query,
                                           allowed=set(ProjectFilter.base_filters))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(f"{reverse('portfolio:project-list')}?{query}#saved-views")
    messages.success(request, _("The view “%(name)s” was saved.") % {"name": view.name})
    return redirect(f"{reverse('portfolio:project-list')}?{view.query}")


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_portal_user(request)
    if not saved_views.saved_view_delete(user=request.user, pk=pk):
        raise Http404
    messages.success(request, _("The view was deleted."))
    return redirect("portfolio:project-list")

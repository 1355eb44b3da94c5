"""HTML views of the portfolio: thin, they authorise, call a selector and render."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .models import Organisation, Project
from .permissions import can_change_project, can_view_portal
from .selectors import SESSION_AGREEMENT_KEY, current_agreement, switchable_agreements


def _require_portal_user(request: HttpRequest) -> None:
    if not can_view_portal(request.user):
        raise PermissionDenied


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _require_portal_user(request)
    agreement = current_agreement(request)
    projects = Project.objects.visible_to(request.user).for_agreement(agreement.pk if agreement else None)
    by_status = dict(projects.values_list("status").annotate(n=Count("pk")).order_by())
    return render(request, "portfolio/dashboard.html", {"agreement": agreement, "by_status": by_status,
                                                        "project_count": sum(by_status.values())})


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    _require_portal_user(request)
    projects = (
        Project.objects.visible_to(request.user)
        .select_related("agreement", "priority", "lead_organisation")
        .order_by("agreement__name", "code")
    )
    page = Paginator(projects, 50).get_page(request.GET.get("page"))
    return render(request, "portfolio/project_list.html", {"page": page})


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_portal_user(request)
    project = get_object_or_404(
        Project.objects.visible_to(request.user).select_related("agreement", "priority", "lead_organisation"),
        pk=pk,
    )
    return render(request, "portfolio/project_detail.html", {
        "project": project,
        "can_edit": can_change_project(request.user, project),
    })


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    _require_portal_user(request)
    page = Paginator(Organisation.objects.order_by("name"), 50).get_page(request.GET.get("page"))
    return render(request, "portfolio/organisation_list.html", {"page": page})


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_portal_user(request)
    organisation = get_object_or_404(Organisation, pk=pk)
    projects = Project.objects.visible_to(request.user).filter(lead_organisation=organisation)
    return render(request, "portfolio/organisation_detail.html",
                  {"organisation": organisation, "projects": projects})


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

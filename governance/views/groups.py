"""Steering groups, their criteria and their meeting calendar."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from config.forms import apply_service_errors
from portfolio.permissions import can_view_portal

from .. import forms, permissions, services
from ..models import (
    Meeting,
    Membership,
    SteeringGroup,
)
from ._common import (
    _portal,
)

# --- steering groups and criteria --------------------------------------------------------------------------

def _groups(request: HttpRequest) -> list[SteeringGroup]:
    return [g for g in SteeringGroup.objects.select_related("agreement") if permissions.can_view_group(request.user, g)]


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    _portal(request)
    return render(request, "governance/group_list.html", {"groups": _groups(request)})


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _portal(request)
    group = get_object_or_404(SteeringGroup.objects.select_related("agreement"), pk=pk)
    if not permissions.can_view_group(request.user, group):
        raise Http404
    memberships = (Membership.objects.filter(group=group)
                   .select_related("user", "organisation", "substitute_for__user").order_by("role", "user__last_name"))
    criteria = group.criteria_versions.prefetch_related("items")
    can_edit_members = permissions.can_manage_members(request.user, group)
    form = forms.MembershipForm(request.POST or None, group=group) if can_edit_members else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.membership_save(group=group, user=request.user, member=data["member"], role=data["role"],
                                         organisation=data["organisation"], substitute_for=data["substitute_for"],
                                         term_start=data["term_start"], term_end=data["term_end"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The membership was saved."))
                return redirect("governance:group-detail", pk=group.pk)
    return render(request, "governance/group_detail.html", {
        "group": group, "memberships": memberships, "criteria": criteria, "form": form,
        "meetings": Meeting.objects.filter(group=group).order_by("-starts_at")[:10],
        "can_manage": permissions.can_manage_meeting(request.user, group),
    }, status=400 if form is not None and form.errors else 200)


@login_required
def criteria_create(request: HttpRequest, pk: int) -> HttpResponse:
    _portal(request)
    # Another agreement's group is "not found", as a group that does not exist.
    group = get_object_or_404(SteeringGroup.objects.visible_to(request.user), pk=pk)
    if not permissions.can_manage_meeting(request.user, group):
        raise PermissionDenied
    latest = group.criteria_versions.prefetch_related("items").first()
    initial = {"title": latest.title, "text": latest.text,
               "items": "\n".join(i.text for i in latest.items.all())} if latest else {}
    form = forms.CriteriaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.criteria_version_create(group=group, user=request.user, title=form.cleaned_data["title"],
                                             text=form.cleaned_data["text"], items=form.item_list(),
                                             valid_from=form.cleaned_data["valid_from"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("A new version of the application criteria was saved."))
            return redirect("governance:group-detail", pk=group.pk)
    return render(request, "governance/criteria_form.html", {"form": form, "group": group})


def _token_user(request: HttpRequest) -> Any:
    """The user of an `Authorization: Token <key>` header (the API's tokens), for calendar clients that
    cannot hold a session; None without the header. An invalid token raises AuthenticationFailed."""
    from portfolio.api.authentication import PortalTokenAuthentication

    result = PortalTokenAuthentication().authenticate(request)  # type: ignore[arg-type]
    return result[0] if result else None


def group_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """The upcoming meetings of a group as iCalendar, at a stable URL. Signed-in users (session) or
    API tokens; anonymous requests go to the login page like every other page."""
    from django.contrib.auth.views import redirect_to_login
    from rest_framework.exceptions import AuthenticationFailed

    from ..ical import meetings_calendar

    user = request.user
    if not user.is_authenticated:
        try:
            user = _token_user(request)
        except AuthenticationFailed:
            response = HttpResponse(status=401)
            response["WWW-Authenticate"] = "Token"
            return response
        if user is None:
            return redirect_to_login(request.get_full_path())
    if not can_view_portal(user):
        raise PermissionDenied
    group = get_object_or_404(SteeringGroup, pk=pk)
    if not permissions.can_view_group(user, group):
        raise Http404
    meetings = Meeting.objects.visible_to(user).filter(group=group).upcoming()
    response = HttpResponse(meetings_calendar(group=group, meetings=meetings, request=request),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="steering-group-{group.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response

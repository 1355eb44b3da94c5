"""Pages of the results indicators, the enterprise register and milestones: the project page's panel, the
coordinators' forms and the indicators overview (/followup/indicators/). Thin: authorise, call one
service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from portfolio.current import current_agreement, switchable_agreements
from portfolio.models import Project
from portfolio.permissions import can_change_project, can_view_portal
from portfolio.selectors import project_detail

from .. import services
from ..indicator_forms import EnterpriseForm, MilestoneForm, OverviewForm, TargetForm, ValueForm
from ..models import IndicatorTarget, IndicatorValue, Milestone, ProjectEnterprise
from ..selectors import indicators as selectors
from ..selectors.timeline import portfolio_timeline, project_timeline


def project_indicators_panel(request: HttpRequest, project: Project, can_edit: bool) -> SafeString:
    """The results block of the project page (registered as ``portfolio.panels.INDICATORS``)."""
    return render_to_string("followup/partials/project_indicators.html", {
        "project": project, "can_edit": can_edit,
        "figures": selectors.project_indicator_figures(project=project),
        "targets": list(selectors.project_indicator_targets(project=project)),
        "values": list(selectors.project_indicator_values(project=project)),
        "enterprises": list(selectors.project_enterprises(project=project)),
        "milestones": selectors.project_milestones(project=project),
        "timeline": project_timeline(project=project),
    }, request=request)


def _project_to_edit(request: HttpRequest, project_pk: int) -> Project:
    """The project, if the user may see it (404 otherwise, as for a missing one) and change it (403)."""
    if not can_view_portal(request.user):
        raise PermissionDenied
    project = project_detail(user=request.user, pk=project_pk)
    if not can_change_project(request.user, project):
        raise PermissionDenied
    return project


def _row_to_edit(request: HttpRequest, model: Any, pk: int) -> Any:
    """A row of a project the user may see (404 otherwise) and change (403)."""
    if not can_view_portal(request.user):
        raise PermissionDenied
    row = get_object_or_404(model.objects.visible_to(request.user).select_related("project"), pk=pk)
    if not can_change_project(request.user, row.project):
        raise PermissionDenied
    return row


def _apply(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
    form._decorate()


def _back(project: Project) -> HttpResponse:
    return redirect(f"{project.get_absolute_url()}#results")


def _form_page(request: HttpRequest, project: Project, form: Any, title: Any, delete_url: str = "") -> HttpResponse:
    return render(request, "followup/indicator_form.html",
                  {"project": project, "form": form, "title": title, "delete_url": delete_url})


def _target_form(request: HttpRequest, project: Project, target: IndicatorTarget | None) -> HttpResponse:
    initial = ({"indicator": target.indicator_id, "breakdown_value": target.breakdown_value,
                "target_value": target.target_value} if target else {})
    form = TargetForm(request.POST or None, initial=initial, indicators=selectors.indicator_choices())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.indicator_target_save(project=project, indicator=data["indicator"],
                                           target_value=data["target_value"],
                                           breakdown_value=data["breakdown_value"], user=request.user)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The target was saved."))
            return _back(project)
    return _form_page(request, project, form, _("Indicator target"),
                      reverse("followup:target-delete", args=[target.pk]) if target else "")


@login_required
def target_add(request: HttpRequest, project_pk: int) -> HttpResponse:
    return _target_form(request, _project_to_edit(request, project_pk), None)


@login_required
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = _row_to_edit(request, IndicatorTarget, pk)
    return _target_form(request, target.project, target)


def _value_form(request: HttpRequest, project: Project, record: IndicatorValue | None) -> HttpResponse:
    initial = ({"indicator": record.indicator_id, "period_start": record.period_start,
                "period_end": record.period_end, "value": record.value,
                "breakdown_value": record.breakdown_value, "source_note": record.source_note} if record else {})
    indicators = selectors.indicator_choices().filter(register_count="")
    form = ValueForm(request.POST or None, initial=initial, indicators=indicators)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.indicator_value_save(
                project=project, indicator=data["indicator"], value=data["value"], period_end=data["period_end"],
                period_start=data["period_start"], breakdown_value=data["breakdown_value"],
                source_note=data["source_note"], user=request.user, instance=record)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The value was saved."))
            return _back(project)
    return _form_page(request, project, form, _("Achieved value"),
                      reverse("followup:value-delete", args=[record.pk]) if record else "")


@login_required
def value_add(request: HttpRequest, project_pk: int) -> HttpResponse:
    return _value_form(request, _project_to_edit(request, project_pk), None)


@login_required
def value_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = _row_to_edit(request, IndicatorValue, pk)
    return _value_form(request, record.project, record)


@login_required
def enterprise_add(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = _project_to_edit(request, project_pk)
    form = EnterpriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.project_enterprise_add(
                project=project, business_id=data["business_id"], name=data["name"],
                size_class=data["size_class"], relation=data["relation"], is_new=data["is_new"],
                date=data["date"], user=request.user)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The enterprise was added."))
            return _back(project)
    return _form_page(request, project, form, _("Add an enterprise"))


def _milestone_form(request: HttpRequest, project: Project, milestone: Milestone | None) -> HttpResponse:
    initial = ({"title": milestone.title, "planned_date": milestone.planned_date,
                "actual_date": milestone.actual_date, "note": milestone.note} if milestone else {})
    form = MilestoneForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.milestone_save(project=project, title=data["title"], planned_date=data["planned_date"],
                                    actual_date=data["actual_date"], note=data["note"], user=request.user,
                                    instance=milestone)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The milestone was saved."))
            return _back(project)
    return _form_page(request, project, form, _("Milestone"),
                      reverse("followup:milestone-delete", args=[milestone.pk]) if milestone else "")


@login_required
def milestone_add(request: HttpRequest, project_pk: int) -> HttpResponse:
    return _milestone_form(request, _project_to_edit(request, project_pk), None)


@login_required
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = _row_to_edit(request, Milestone, pk)
    return _milestone_form(request, milestone.project, milestone)


def _removed(request: HttpRequest, project: Project) -> HttpResponse:
    messages.success(request, _("Removed."))
    return _back(project)


@login_required
@require_POST
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    target = _row_to_edit(request, IndicatorTarget, pk)
    services.indicator_target_delete(target=target, user=request.user)
    return _removed(request, target.project)


@login_required
@require_POST
def value_delete(request: HttpRequest, pk: int) -> HttpResponse:
    record = _row_to_edit(request, IndicatorValue, pk)
    services.indicator_value_delete(record=record, user=request.user)
    return _removed(request, record.project)


@login_required
@require_POST
def enterprise_link_delete(request: HttpRequest, pk: int) -> HttpResponse:
    link = _row_to_edit(request, ProjectEnterprise, pk)
    services.project_enterprise_remove(link=link, user=request.user)
    return _removed(request, link.project)


@login_required
@require_POST
def milestone_delete(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = _row_to_edit(request, Milestone, pk)
    services.milestone_delete(milestone=milestone, user=request.user)
    return _removed(request, milestone.project)


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Targets against achieved of the agreement (or every agreement the user works on) as of a day, by
    priority, method category, lead city and agreement."""
    if not can_view_portal(request.user):
        raise PermissionDenied
    agreements = list(switchable_agreements(request.user))
    current = current_agreement(request)
    data = request.GET.copy()
    data.setdefault("scope", str(current.pk) if current else "all")
    form = OverviewForm(data, agreements=agreements)
    as_of, agreement = None, current
    if form.is_valid():
        as_of = form.cleaned_data["as_of"]
        if as_of and as_of > timezone.localdate():
            form.add_error("as_of", _("The figures cannot be told for a day in the future."))
            form._decorate()
            as_of = None
        scope = form.cleaned_data["scope"]
        agreement = None if scope == "all" else next((a for a in agreements if str(a.pk) == scope), current)
    totals = selectors.indicator_totals(user=request.user, agreement=agreement, as_of=as_of)
    return render(request, "followup/indicator_overview.html", {
        "form": form, "totals": totals, "agreement": agreement,
        "sections": [(key, heading, totals.breakdowns[key]) for key, heading in (
            ("priority", _("By priority")), ("method", _("By method category")), ("city", _("By lead city")),
            ("agreement", _("By agreement"))) if key != "agreement" or agreement is None],
    })


@login_required
@require_GET
def timeline(request: HttpRequest) -> HttpResponse:
    """The portfolio as a timeline: the projects of the project list's filters (the same FilterSet, the same
    ``visible_to`` scope) from start to end, coloured by stage, with the table of the same rows."""
    from portfolio.selectors import project_list

    if not can_view_portal(request.user):
        raise PermissionDenied
    filterset, projects = project_list(user=request.user, params=request.GET, request=request)
    return render(request, "followup/timeline.html", {
        "filter": filterset, "timeline": portfolio_timeline(projects=projects), "query": request.GET.urlencode(),
    })

"""HTML views of the funding app: thin, they authorise, call a selector or a service and render."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from config.forms import apply_service_errors
from portfolio.dataversion import FigureCache
from portfolio.exports import export_response
from portfolio.models import Agreement, Project
from portfolio.money import amount_input_text
from portfolio.permissions import can_change_project, can_edit_agreement_portfolio, can_view_portal, works_on
from portfolio.selectors import current_agreement

from . import selectors, services
from .choices import SHARE_GROUP_OF, ShareGroup
from .commitments import pending_proposals
from .filters import FundingLineFilter
from .forms import KINDS, CorrectionForm, FrameForm, cell_name, plan_lines_from_data
from .models import FundingFrame, FundingInstrument, FundingLine
from .permissions import can_change_frames, can_run_what_if


def _require_portal_user(request: HttpRequest) -> None:
    if not can_view_portal(request.user):
        raise PermissionDenied


def _agreement_from(request: HttpRequest) -> Agreement:
    """?agreement=<id> (any agreement: frames and decided funding are public facts), else the current one."""
    wanted = request.GET.get("agreement")
    if wanted and wanted.isdigit():
        return get_object_or_404(Agreement.objects.visible_to(request.user), pk=int(wanted))
    agreement = current_agreement(request)
    if agreement is None:
        agreement = Agreement.objects.visible_to(request.user).first()
    if agreement is None:
        raise PermissionDenied
    return agreement


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Frames by year × instrument with their allocation decisions, and frame use."""
    _require_portal_user(request)
    agreement = _agreement_from(request)
    own = works_on(request.user, agreement.pk)
    uses = selectors.frame_use(agreement=agreement, include_pending_proposal_ids=None if own else [])
    if request.GET.get("all") != "1":  # local and private money has no frame: shown on request only
        uses = [u for u in uses if u["frame"] is not None or SHARE_GROUP_OF.get(u["code"]) == ShareGroup.EU_STATE]
    return render(request, "funding/index.html", {
        "agreement": agreement,
        "agreements": Agreement.objects.visible_to(request.user).order_by("name"),
        "uses": uses,
        "decommitment": selectors.decommitment_forecast(agreement=agreement,
                                                        projects=Project.objects.visible_to(request.user)),
        "all_rows": request.GET.get("all") == "1",
        "shows_pending": own,
        "can_reconcile": can_edit_agreement_portfolio(request.user, agreement),
        "can_edit": can_change_frames(request.user, agreement),
        "can_what_if": can_run_what_if(request.user, agreement),
        "summary": selectors.funding_summary(
            agreement_id=agreement.pk, projects=Project.objects.visible_to(request.user), basis="granted"),
    })


@login_required
@require_GET
def frame_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One frame and its history (every correction with who and when)."""
    _require_portal_user(request)
    frame = get_object_or_404(FundingFrame.objects.select_related("agreement", "instrument"), pk=pk)
    history = frame.history.select_related("history_user").order_by("-history_date", "-history_id")
    return render(request, "funding/frame_detail.html", {
        "frame": frame, "history": history, "can_edit": can_change_frames(request.user, frame.agreement),
    })


@login_required
@require_http_methods(["GET", "POST"])
def frame_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Enter a frame, or correct one from a later allocation decision (the history keeps the old value)."""
    _require_portal_user(request)
    frame = None
    if pk is not None:
        frame = get_object_or_404(FundingFrame.objects.select_related("agreement", "instrument"), pk=pk)
        agreement = frame.agreement
    else:
        agreement = _agreement_from(request)
    if not can_change_frames(request.user, agreement):
        raise PermissionDenied
    initial: dict[str, Any] = {}
    if frame is not None:
        initial = {"instrument": frame.instrument.code, "year": frame.year, "amount": frame.amount,
                   "decision_reference": frame.decision_reference, "decision_date": frame.decision_date}
    form = FrameForm(request.POST or None, agreement=agreement, initial=initial)
    if frame is not None:
        form.fields["instrument"].disabled = True
        form.fields["year"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.funding_frame_save(
                agreement=agreement, instrument_code=data["instrument"].code, year=data["year"],
                amount=data["amount"], decision_reference=data["decision_reference"],
                decision_date=data["decision_date"], user=request.user, reason=data["reason"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The funding frame was saved."))
            return redirect("funding:frame-detail", pk=saved.pk)
    return render(request, "funding/frame_form.html", {"form": form, "frame": frame, "agreement": agreement})


@login_required
@require_GET
def splits(request: HttpRequest) -> HttpResponse:
    """The 40/60 split of an agreement (whole, per priority, per city, supra-regional, AKKE) or the country."""
    _require_portal_user(request)
    basis = request.GET.get("basis", "granted")
    if basis not in selectors.BASES:
        basis = "granted"
    user = request.user
    figures = FigureCache(user=user)  # keyed by the data version (portfolio.dataversion): never stale
    if request.GET.get("scope") == "country":
        agreement = None
        report = figures.get("country_split", lambda: selectors.country_split(user=user, basis=basis), basis=basis)
    else:
        agreement = _agreement_from(request)
        report = figures.get("agreement_split", lambda: selectors.agreement_split(
            agreement=agreement, user=user, basis=basis), basis=basis, agreement=agreement.pk)
    agreement_id = agreement.pk if agreement else None
    return render(request, "funding/splits.html", {
        "agreement": agreement, "report": report, "basis": basis, "bases": selectors.BASES,
        "conflicts": figures.get("coordination_conflicts", lambda: list(
            selectors.coordination_line_conflicts(agreement_id=agreement_id)
            .filter(project__in=Project.objects.visible_to(user))), agreement=agreement_id),
    })


def _money_text(value: Any) -> str:
    """An amount in the active locale's format, as typed back into the grid: "172 980,00" in Finnish and
    Swedish, "172980.00" in English (parse_amount refuses "172,980.00")."""
    return amount_input_text(value)


def _money_shown(value: Any) -> str:
    """A read-only amount of the grid (granted, spent) grouped as the locale writes it ("172,980.00" in English)."""
    from django.utils.formats import number_format

    return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


def _plan_grid(project: Project, data: Any | None, *, all_years: bool = False) -> dict[str, Any]:
    """The grid's rows (instruments) and columns (years), with each cell's current or typed value.
    Columns are the project's years plus any year that has a line (so no line is dropped unseen). Only
    planned amounts are inputs; granted and spent are shown with their source, read-only."""
    lines = {(line.instrument.code, line.year): line
             for line in FundingLine.objects.regular().filter(project=project).select_related("instrument")}
    years = set(project.agreement.years)
    if not all_years and project.start_date and project.end_date:
        years = {y for y in years if project.start_date.year <= y <= project.end_date.year}
    years |= {year for _, year in lines}
    years_sorted = sorted(years)
    instruments = list(FundingInstrument.objects.all())
    rows = []
    for instrument in instruments:
        cells = []
        for year in years_sorted:
            line = lines.get((instrument.code, year))
            available = services.instrument_available_in_year(instrument, year)
            inputs = []
            for kind in KINDS:
                name = cell_name(instrument.code, year, kind)
                stored = getattr(line, f"{kind}_amount") if line else None
                if kind == "planned" and data is not None:
                    value = data.get(name, "")
                else:
                    value = "" if stored is None else (_money_text if kind == "planned" else _money_shown)(stored)
                source = ""
                if line is not None and kind != "planned":
                    source = getattr(line, f"{kind}_source", "")
                inputs.append({"name": name, "kind": kind, "value": value, "editable": kind == "planned",
                               "source": source})
            cells.append({"year": year, "inputs": inputs, "available": available or line is not None})
        rows.append({"instrument": instrument, "cells": cells, "total": _saved_totals(
            line for (code, _), line in lines.items() if code == instrument.code)})
    year_totals = [{"year": year, **_saved_totals(line for (_, y), line in lines.items() if y == year)}
                   for year in years_sorted]
    return {"years": years_sorted, "rows": rows, "codes": [i.code for i in instruments],
            "year_totals": year_totals, "total": _saved_totals(lines.values())}


def _saved_totals(lines: Any) -> dict[str, Decimal]:
    """Sums of the saved planned, granted and spent amounts of some funding lines (the grid's totals)."""
    totals = {kind: Decimal(0) for kind in KINDS}
    for line in lines:
        for kind in KINDS:
            totals[kind] += getattr(line, f"{kind}_amount") or Decimal(0)
    return totals


@login_required
@require_http_methods(["GET", "POST"])
def project_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The editable financing-plan grid of one project; saves atomically, detects concurrent edits.
    Every error is shown next to its cell and in a summary at the top (also for htmx, whose 400 responses
    portal.js swaps in); "check" shows the warnings (frames, missing frames, 40/60 split, priority 4)."""
    _require_portal_user(request)
    project = get_object_or_404(Project.objects.visible_to(request.user).select_related("agreement"), pk=pk)
    if not can_change_project(request.user, project):
        raise PermissionDenied
    errors: list[dict[str, str]] = []
    checked = False
    cell_errors: dict[str, list[str]] = {}
    warnings: list[str] = []
    data = request.POST if request.method == "POST" else None
    show_all = request.GET.get("years") == "all"
    fingerprint = selectors.lines_fingerprint(project=project)
    if data is not None:
        fingerprint = data.get("fingerprint", "")
        # Read every year of the agreement, whichever columns the form showed.
        every = _plan_grid(project, None, all_years=True)
        lines = plan_lines_from_data(data, codes=every["codes"], years=every["years"])
        checked = data.get("action") == "check"
        try:
            clean = services.funding_lines_validate(agreement=project.agreement, lines=lines)
            warnings = services.funding_change_warnings(project=project, lines=clean)
            if not checked:
                services.funding_lines_replace(project=project, lines=lines, user=request.user,
                                               expected_fingerprint=fingerprint)
        except ValidationError as exc:
            warnings = []
            for error in exc.error_list:
                message = str(error.message % error.params if error.params else error.message)
                params = error.params or {}
                target = ""
                if "index" in params and 0 <= params["index"] < len(lines):
                    line = lines[params["index"]]
                    field = params.get("field") or "planned_amount"
                    kind = field.removesuffix("_amount") if field.endswith("_amount") else "planned"
                    target = cell_name(line["instrument"], line["year"], kind)
                    cell_errors.setdefault(target, []).append(message)
                errors.append({"message": message, "target": target})
        else:
            if not checked:
                messages.success(request, _("The financing plan was saved."))
                for warning in warnings:
                    messages.warning(request, warning)
                if request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = project.get_absolute_url()
                    return response
                return redirect(project.get_absolute_url())
    grid = _plan_grid(project, data, all_years=show_all)
    for row in grid["rows"]:
        for cell in row["cells"]:
            for item in cell["inputs"]:
                item["errors"] = cell_errors.get(item["name"], [])
    context = {"project": project, "grid": grid, "errors": errors, "warnings": warnings, "all_years": show_all,
               "correction_form": CorrectionForm(), "corrections": _corrections(project),
               "fingerprint": fingerprint, "checked": checked and not errors, "checked_request": checked}
    template = "funding/partials/plan_form.html" if request.htmx else "funding/project_plan.html"
    return render(request, template, context, status=400 if errors else 200)


def _corrections(project: Project) -> list[FundingLine]:
    return list(FundingLine.objects.corrections().filter(project=project).select_related("instrument")
                .order_by("year", "instrument__sort_order"))


@login_required
@require_http_methods(["POST"])
def project_correction(request: HttpRequest, pk: int) -> HttpResponse:
    """Set (or clear) the correction of one instrument and year of a project's plan."""
    _require_portal_user(request)
    project = get_object_or_404(Project.objects.visible_to(request.user).select_related("agreement"), pk=pk)
    if not can_change_project(request.user, project):
        raise PermissionDenied
    form = CorrectionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.funding_correction_set(
                project=project, instrument_code=data["instrument"].code, year=data["year"],
                planned_amount=data["planned_amount"], note=data["note"], user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The correction was saved."))
            return redirect("funding:project-plan", pk=project.pk)
    grid = _plan_grid(project, None)
    return render(request, "funding/project_plan.html", {
        "project": project, "grid": grid, "errors": [], "warnings": [], "all_years": False,
        "fingerprint": selectors.lines_fingerprint(project=project), "checked": False,
        "correction_form": form, "corrections": _corrections(project),
    }, status=400)


@login_required
@require_GET
def funding_line_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The funding lines the user may see, filtered like `/api/v1/funding-lines/`, as CSV or XLSX."""
    _require_portal_user(request)
    projects = Project.objects.visible_to(request.user)
    lines = FundingLine.objects.filter(project__in=projects.values("pk")).order_by(
        "project__agreement__name", "project__code", "year", "instrument__sort_order", "pk")
    filterset = FundingLineFilter(request.GET or None, queryset=lines, request=request)
    headings, rows = selectors.funding_line_export_rows(queryset=filterset.qs)
    return export_response(request, what="funding-lines", fmt=fmt, headings=headings, rows=rows,
                           title=_("Funding lines"))


@login_required
@require_GET
def what_if(request: HttpRequest) -> HttpResponse:
    """Pick pending proposals (and change amounts) and see the effect on frames, split and the priority-4
    rule. A GET that only reads: nothing is written."""
    _require_portal_user(request)
    agreement = _agreement_from(request)
    if not can_run_what_if(request.user, agreement):
        raise PermissionDenied
    proposals = pending_proposals(agreement=agreement)
    for proposal in proposals:
        for line in proposal.funding_lines.all():
            line.scenario_value = request.GET.get(f"amount-{line.pk}", "")
    selected = {int(v) for v in request.GET.getlist("proposal") if v.isdigit()}
    scenario, errors = selectors.what_if_lines_from_query(request.GET, agreement=agreement, proposals=proposals,
                                                         selected=selected)
    effect = selectors.what_if_effect(agreement=agreement, lines=scenario) if request.GET.get("run") else None
    return render(request, "funding/what_if.html", {
        "agreement": agreement, "proposals": proposals, "selected": selected, "effect": effect,
        "errors": errors, "instruments": FundingInstrument.objects.all(), "years": list(agreement.years),
        "extras": selectors.what_if_extra_rows(request.GET),
    })


def project_financing_panel(request: HttpRequest, project: Project, can_edit: bool) -> SafeString:
    """The financing-plan block of the project page (registered as `portfolio.panels.FINANCING`)."""
    return render_to_string("funding/partials/project_financing.html",
                            {"plan": selectors.project_financing_plan(project=project), "can_edit": can_edit},
                            request=request)

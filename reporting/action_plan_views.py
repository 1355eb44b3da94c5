"""The action plan (toimenpidesuunnitelma) of the current agreement: its coverage, the coordinators'
editing of themes and priority descriptions, its history, and the numbered annex versions (PDF)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portfolio.current import current_agreement
from portfolio.forms import PriorityDescriptionForm, ThemeForm
from portfolio.history import action_plan_history_entries
from portfolio.models import Agreement, Priority, Theme
from portfolio.services import (
    StaleVersionError,
    ThemeInUseError,
    priority_descriptions_save,
    theme_links,
    theme_save,
)
from portfolio.services import theme_delete as theme_delete_service
from portfolio.views import conflict_rows

from .action_plan import action_plan_coverage, agreement_themes, annex_history_entries
from .forms import AnnexVersionForm, CoverageForm
from .models import ACTION_PLAN_LANGUAGES, ActionPlanVersion
from .permissions import can_edit_action_plan, can_view_action_plan
from .services import action_plan_annex_make_again, action_plan_version_create

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _acting(request: HttpRequest) -> User:
    """The signed-in user who acts (every view here requires a login)."""
    return cast("User", request.user)


def _readable_agreement(request: HttpRequest) -> Agreement:
    """The current agreement, when the user may read its action plan; 404 otherwise (nothing to tell)."""
    agreement = current_agreement(request)
    if agreement is None or not can_view_action_plan(request.user, agreement):
        raise Http404
    return agreement


def _editable_agreement(request: HttpRequest) -> Agreement:
    """The current agreement, when the user edits its action plan; 403 for who only reads it."""
    agreement = _readable_agreement(request)
    if not can_edit_action_plan(request.user, agreement):
        raise PermissionDenied
    return agreement


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """Per priority and theme: projects by stage, planned/granted/spent money and results, as of a day."""
    agreement = _readable_agreement(request)
    form = CoverageForm(request.GET or None)
    as_of = form.cleaned_data["as_of"] if form.is_valid() else None
    return render(request, "reporting/action_plan.html", {
        "agreement": agreement, "form": form,
        "coverage": action_plan_coverage(agreement=agreement, user=request.user, as_of=as_of),
        "can_edit": can_edit_action_plan(request.user, agreement),
        "latest": ActionPlanVersion.objects.visible_to(request.user).filter(agreement=agreement).first(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest) -> HttpResponse:
    """The priorities' action-plan descriptions (fi/sv/en) on one page, and the themes to edit."""
    agreement = _editable_agreement(request)
    priorities = list(Priority.objects.filter(agreement=agreement).order_by("code"))
    data = request.POST if request.method == "POST" else None
    forms = [(p, PriorityDescriptionForm(data, prefix=f"p{p.code}", initial={
        name: getattr(p, name) for name in ("description_fi", "description_sv", "description_en")}))
        for p in priorities]
    if request.method == "POST" and all(form.is_valid() for _p, form in forms):
        changed = priority_descriptions_save(agreement=agreement, user=_acting(request), descriptions={
            p.code: form.cleaned_data for p, form in forms})
        if changed:
            messages.success(request, _("The priority descriptions were saved."))
        else:
            messages.info(request, _("Nothing changed."))
        return redirect("action_plan:edit")
    return render(request, "reporting/action_plan_edit.html", {
        "agreement": agreement, "forms": forms, "themes": agreement_themes(agreement)})


def _theme_page(request: HttpRequest, agreement: Agreement, theme: Theme | None) -> HttpResponse:
    form = ThemeForm(request.POST or None, instance=theme, agreement=agreement)
    conflict: list[dict[str, Any]] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = theme_save(agreement=agreement, data=form.service_data(), user=_acting(request), theme=theme,
                               expected_version=form.cleaned_data.get("version") if theme else None)
        except StaleVersionError as exc:
            # As on the project form: what the user typed stays in the fields, the form now carries the
            # current version, so saving again is a deliberate choice to keep the user's values.
            conflict = conflict_rows(form, exc)
            data = request.POST.copy()
            data["version"] = str(exc.current.version)
            form = ThemeForm(data, instance=exc.current, agreement=agreement)
            form.is_valid()
            form.add_error(None, ValidationError(
                _("Someone else saved this theme while you were editing it. Your changes are not saved yet: "
                  "check the differences below, then save again to keep your values."), code="conflict"))
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
            form._decorate()
        else:
            messages.success(request, _("The theme %(name)s was saved.") % {"name": str(saved)})
            return redirect("action_plan:edit")
    status = 200
    if form.is_bound and form.errors:
        status = 409 if conflict is not None else 400
    # The form's validation wrote the typed values onto its instance: the page names the theme as saved.
    shown = Theme.objects.get(pk=theme.pk) if theme is not None and form.is_bound else theme
    return render(request, "reporting/action_plan_theme.html", {
        "agreement": agreement, "form": form, "theme": shown, "conflict": conflict,
        "can_delete": theme is not None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def theme_create(request: HttpRequest) -> HttpResponse:
    return _theme_page(request, _editable_agreement(request), None)


@login_required
@require_http_methods(["GET", "POST"])
def theme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """As theme_delete: who does not work on the theme's agreement gets 404, who reads its action plan but
    does not edit it, 403."""
    theme: Theme = get_object_or_404(Theme.objects.select_related("agreement"), pk=pk)
    if not can_view_action_plan(request.user, theme.agreement):
        raise Http404
    if not can_edit_action_plan(request.user, theme.agreement):
        raise PermissionDenied
    return _theme_page(request, theme.agreement, theme)


@login_required
@require_http_methods(["GET", "POST"])
def theme_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then delete a theme no project or idea carries. Who does not work on the theme's agreement
    gets 404 (as for a theme that does not exist); who reads its action plan but does not edit it, 403."""
    theme: Theme = get_object_or_404(Theme.objects.select_related("agreement", "priority"), pk=pk)
    if not can_view_action_plan(request.user, theme.agreement):
        raise Http404
    if not can_edit_action_plan(request.user, theme.agreement):
        raise PermissionDenied
    projects, ideas = theme_links(theme)
    refused = ""
    if request.method == "POST":
        try:
            theme_delete_service(theme=theme, user=_acting(request))
        except ThemeInUseError as exc:
            projects, ideas = exc.projects, exc.ideas
            refused = _("The theme was not deleted: projects or ideas are linked to it.")
        else:
            messages.success(request, _("The theme %(name)s was deleted.") % {"name": str(theme)})
            return redirect("action_plan:edit")
    return render(request, "reporting/action_plan_theme_delete.html", {
        "agreement": theme.agreement, "theme": theme, "projects": projects, "ideas": ideas, "refused": refused,
        "linked_url": reverse("portfolio:project-list") + "?" + urlencode(
            {"agreement": str(theme.agreement_id), "theme": theme.slug})},
        status=409 if refused else 200)


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    agreement = _readable_agreement(request)
    entries = action_plan_history_entries(agreement=agreement, limit=None) + annex_history_entries(agreement)
    entries.sort(key=lambda e: e.when, reverse=True)
    return render(request, "reporting/action_plan_history.html", {"agreement": agreement, "history": entries})


def _annex_versions(request: HttpRequest, agreement: Agreement) -> dict[str, Any]:
    versions = list(ActionPlanVersion.objects.visible_to(request.user).filter(agreement=agreement)
                    .select_related("created_by"))
    return {
        "versions": versions, "can_generate": can_edit_action_plan(request.user, agreement),
        "any_making": any(v.is_making for v in versions),
        "annex_languages": [(code, name) for code, name in _language_names() if code in ACTION_PLAN_LANGUAGES]}


@login_required
@require_http_methods(["GET", "POST"])
def annex(request: HttpRequest) -> HttpResponse:
    """The annex versions (newest first) with their downloads; coordinators generate a new one (its PDFs are
    made by a task: the page polls the versions until none is being made)."""
    agreement = _readable_agreement(request)
    can_generate = can_edit_action_plan(request.user, agreement)
    form = AnnexVersionForm(request.POST or None)
    if request.method == "POST":
        if not can_generate:
            raise PermissionDenied
        if form.is_valid():
            version = action_plan_version_create(agreement=agreement, user=_acting(request),
                                                 reason=form.cleaned_data["reason"])
            if version.is_ready:
                messages.success(request, _("Version %(number)s of the annex was generated.") % {
                    "number": version.number})
            elif not version.is_making:
                messages.error(request, _("Version %(number)s of the annex was generated, but making its PDFs "
                                          "failed; the reason is shown below.") % {"number": version.number})
            else:
                messages.success(request, _("Version %(number)s of the annex was generated. Its PDFs are being "
                                            "made; the list below shows when they can be downloaded.") % {
                    "number": version.number})
            return redirect("action_plan:annex")
    return render(request, "reporting/action_plan_annex.html", {
        "agreement": agreement, "form": form, **_annex_versions(request, agreement)},
        status=400 if form.is_bound and form.errors else 200)


@login_required
@require_GET
def annex_versions(request: HttpRequest) -> HttpResponse:
    """The versions table that the annex page polls with htmx while a version's PDFs are being made."""
    agreement = _readable_agreement(request)
    context = _annex_versions(request, agreement)
    # 286 tells htmx to stop polling: no version is being made any more.
    code = 286 if getattr(request, "htmx", False) and not context["any_making"] else 200
    response = render(request, "reporting/partials/annex_versions.html", {"agreement": agreement, **context},
                      status=code)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def annex_make_again(request: HttpRequest, pk: int) -> HttpResponse:
    """After making a version's PDFs failed: try again. Who does not read the version's agreement gets 404
    (as for a version that does not exist); who reads it but is not its coordinator, 403."""
    version = get_object_or_404(ActionPlanVersion.objects.visible_to(request.user).select_related("agreement"),
                                pk=pk)
    if not can_view_action_plan(request.user, version.agreement):
        raise Http404
    if not can_edit_action_plan(request.user, version.agreement):
        raise PermissionDenied
    again = action_plan_annex_make_again(version=version, user=_acting(request))
    if again.is_ready:
        messages.success(request, _("The PDFs of version %(number)s were made.") % {"number": again.number})
    elif again.is_making:
        messages.success(request, _("The PDFs of version %(number)s are being made again.") % {
            "number": again.number})
    else:
        messages.error(request, _("Making the PDFs of version %(number)s failed again.") % {
            "number": again.number})
    return redirect("action_plan:annex")


def _language_names() -> list[tuple[str, Any]]:
    from django.conf import settings

    return [(code, str(name)) for code, name in settings.LANGUAGES]


@login_required
@require_GET
def annex_download(request: HttpRequest, pk: int, language: str) -> FileResponse:
    """One language's PDF of a version; 404 while its PDFs are being made or after they failed."""
    version = get_object_or_404(ActionPlanVersion.objects.visible_to(request.user), pk=pk)
    if language not in ACTION_PLAN_LANGUAGES or not version.is_ready:
        raise Http404
    field = version.pdf(language)
    if not field:
        raise Http404
    response = FileResponse(field.open("rb"), as_attachment=True, filename=field.name.rsplit("/", 1)[-1],
                            content_type="application/pdf")
    response["Cache-Control"] = "no-store"
    return response

"""HTML views of the EURA reconciliation: upload an export, see the differences, accept a paid figure."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from config.forms import apply_service_errors
from portfolio.models import Agreement, Project
from portfolio.permissions import can_edit_agreement_portfolio

from .eura import eura_import_record, eura_paid_accept, eura_reconciliation
from .models import EuraImport


def _editable_agreements(request: HttpRequest) -> list[Agreement]:
    return [agreement for agreement in Agreement.objects.visible_to(request.user).order_by("name")
            if can_edit_agreement_portfolio(request.user, agreement)]


class EuraUploadForm(forms.Form):
    agreement: forms.ModelChoiceField[Agreement] = forms.ModelChoiceField(
        label=gettext_lazy("Agreement"), queryset=Agreement.objects.none())
    exported_on = forms.DateField(label=gettext_lazy("Export date"),
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    file = forms.FileField(label=gettext_lazy("EURA export (CSV or XLSX)"))

    def __init__(self, *args: object, agreements: list[Agreement], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["agreement"].queryset = (  # type: ignore[attr-defined]
            Agreement.objects.filter(pk__in=[a.pk for a in agreements]))
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "form-select" if name == "agreement" else "form-control")


@login_required
@require_http_methods(["GET", "POST"])
def eura_index(request: HttpRequest) -> HttpResponse:
    agreements = _editable_agreements(request)
    if not agreements:
        raise PermissionDenied
    form = EuraUploadForm(request.POST or None, request.FILES or None, agreements=agreements,
                          initial={"agreement": agreements[0].pk, "exported_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            eura_import = eura_import_record(agreement=form.cleaned_data["agreement"], user=request.user,
                                             upload=form.cleaned_data["file"],
                                             exported_on=form.cleaned_data["exported_on"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The EURA export was read: %(rows)s projects.")
                             % {"rows": len(eura_import.rows)})
            return redirect("funding:eura-detail", pk=eura_import.pk)
    imports = EuraImport.objects.filter(agreement__in=agreements).select_related("agreement")[:20]
    return render(request, "funding/eura_index.html", {"form": form, "imports": imports},
                  status=400 if form.errors else 200)


def _visible_import(request: HttpRequest, pk: int) -> EuraImport:
    eura_import = get_object_or_404(EuraImport.objects.select_related("agreement"), pk=pk)
    if not can_edit_agreement_portfolio(request.user, eura_import.agreement):
        raise Http404  # another agreement's export: as if it did not exist
    return eura_import


@login_required
@require_http_methods(["GET"])
def eura_detail(request: HttpRequest, pk: int) -> HttpResponse:
    eura_import = _visible_import(request, pk)
    return render(request, "funding/eura_detail.html", {"eura_import": eura_import,
                                                       **eura_reconciliation(eura_import=eura_import)})


@login_required
@require_POST
def eura_accept(request: HttpRequest, pk: int, project_pk: int) -> HttpResponse:
    eura_import = _visible_import(request, pk)
    project: Project = get_object_or_404(Project.objects.filter(agreement=eura_import.agreement), pk=project_pk)
    try:
        entry = eura_paid_accept(eura_import=eura_import, project=project, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(code)s: the paid support now follows EURA (%(entry)s).")
                         % {"code": project.code, "entry": entry.source_label})
    return redirect("funding:eura-detail", pk=eura_import.pk)

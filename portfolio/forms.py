"""Input validation of the portfolio's HTML forms. Rules shared with the API live in services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Agreement, MethodCategory, Organisation, Priority, Project, Theme
from .money import amount_input_text, parse_amount
from .plan import financing_plan
from .validators import normalise_business_id, validate_business_id


class AccessibleFormMixin:
    """Bootstrap classes, and aria-describedby/aria-invalid tying help texts and errors to their fields."""

    def _decorate(self) -> None:
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            css = widget.attrs.get("class", "")
            if isinstance(widget, forms.CheckboxInput):
                base = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                base = "form-select"
            else:
                base = "form-control"
            if isinstance(widget, forms.CheckboxSelectMultiple):
                base = ""
            widget.attrs["class"] = f"{css} {base}".strip()
            bound = self[name]  # type: ignore[index]
            described = []
            if field.help_text:
                described.append(f"{bound.auto_id}_help")
            if self.is_bound and self.errors.get(name):  # type: ignore[attr-defined]
                described.append(f"{bound.auto_id}_error")
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["class"] += " is-invalid"
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._decorate()


class ThemeChoiceField(forms.ModelMultipleChoiceField):
    """The themes of one agreement, each labelled with its priority's code ("1 · Mobility experiments"); a
    theme of another agreement is refused as not one of them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error_messages["invalid_choice"] = _("Choose themes of this project's agreement.")
        self.error_messages["invalid_pk_value"] = _("Choose themes of this project's agreement.")

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.priority.code} · {obj.name}" if obj.priority_id else str(obj.name)


def agreement_themes(agreement: Agreement | int, user: Any = None) -> Any:
    """The themes a project of `agreement` may be linked to, in the action plan's order: of those the user
    sees (`Theme.objects.visible_to`), the agreement's own."""
    agreement_id = agreement if isinstance(agreement, int) else agreement.pk
    themes = Theme.objects.all() if user is None else Theme.objects.visible_to(user)
    return themes.filter(agreement_id=agreement_id).select_related("priority").order_by(
        "priority__code", "position", "name")


class ProjectForm(AccessibleFormMixin, forms.ModelForm):
    """A project's own fields; the funding lines come in FundingLineFormSet."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    lines_fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)
    methods = forms.ModelMultipleChoiceField(
        label=_("Method categories"), queryset=MethodCategory.objects.order_by("code"),
        widget=forms.CheckboxSelectMultiple, error_messages={"required": _("Choose at least one method category.")},
    )
    themes = ThemeChoiceField(
        # Set per form from Theme.objects.visible_to(user) and the project's agreement (agreement_themes).
        label=_("Themes"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,  # type: ignore[arg-type]
        help_text=_("The action-plan themes of this agreement that the project carries out."),
    )

    class Meta:
        model = Project
        fields = ["code", "title_fi", "title_sv", "title_en", "priority", "methods", "lead_organisation",
                  "start_date", "end_date", "summary_fi", "summary_sv", "summary_en",
                  "internationalisation", "themes", "eura_code", "is_coordination_project", "is_supra_regional"]
        labels = {
            "title_fi": _("Title in Finnish"), "title_sv": _("Title in Swedish"), "title_en": _("Title in English"),
            "summary_fi": _("Summary in Finnish"), "summary_sv": _("Summary in Swedish"),
            "summary_en": _("Summary in English"), "priority": pgettext_lazy("strategic", "Priority"),
        }
        help_texts = {
            "internationalisation": _("How the project is international, if it is. Leave empty if not."),
            "start_date": _("Format: 31.12.2026 or 2026-12-31."),
        }
        widgets = {
            "summary_fi": forms.Textarea(attrs={"rows": 4}), "summary_sv": forms.Textarea(attrs={"rows": 3}),
            "summary_en": forms.Textarea(attrs={"rows": 3}),
            "internationalisation": forms.Textarea(attrs={"rows": 2}),
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, agreement: Agreement, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        self.fields["title_fi"].required = True
        # Every agreement's priorities are offered to catch a wrong one with a clear message, but the
        # agreement's own come first and are the only ones listed.
        self.fields["priority"].queryset = Priority.objects.filter(agreement=agreement).order_by("code")
        self.fields["priority"].error_messages["invalid_choice"] = _(
            "Choose a priority of this project's agreement.")
        self.fields["lead_organisation"].queryset = Organisation.objects.order_by("name")
        self.fields["themes"].queryset = agreement_themes(agreement, user)
        for name in ("start_date", "end_date"):
            self.fields[name].input_formats = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            # An edit must say which version it started from, or a stale save could not be detected.
            self.fields["version"].required = True
            self.fields["version"].error_messages["required"] = _(
                "The form is missing the project's version; reload the page and try again.")

    def clean_code(self) -> str:
        code = (self.cleaned_data.get("code") or "").strip()
        clash = Project.objects.filter(agreement=self.agreement, code__iexact=code)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if code and clash.exists():
            raise ValidationError(_("This agreement already has a project with the code %(code)s."),
                                  code="duplicate", params={"code": code})
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", ValidationError(_("The end date cannot be before the start date."),
                                                       code="end_before_start"))
        priority = data.get("priority")
        if priority is not None and priority.agreement_id != self.agreement.pk:
            self.add_error("priority", _("This priority belongs to another agreement."))
        return data

    def _post_clean(self) -> None:
        # The model's own validation runs in the service; the unique (agreement, code) check is above.
        self.instance.agreement = self.agreement
        super()._post_clean()

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("version", "lines_fingerprint")}


def _instrument_choices() -> list[tuple[str, str]]:
    # The code is the value sent (the shared vocabulary, contract.md); people read the short name in their
    # language ("EAKR", "ERUF", "ERDF"), which keeps the grid narrow too.
    return [("", "—")] + financing_plan().instrument_short_names()


AMOUNT = {"max_digits": 14, "decimal_places": 2, "min_value": 0, "required": False}


class MoneyField(forms.DecimalField):
    """Euros as people type them in any of the three languages: 1 234,50 / 1234.50 / 1 234,50 €."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:  # the one money parser (no exponents, at most two decimals, no sign)
            return parse_amount(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages[0], code=exc.code or "invalid") from exc

    def prepare_value(self, value: Any) -> Any:
        """A stored amount in the active language's format ("186 000,00"), which `to_python` reads back;
        typed text (a form redisplayed with errors) as it was typed."""
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return amount_input_text(value)
        return value


class FundingLineForm(AccessibleFormMixin, forms.Form):
    instrument = forms.ChoiceField(label=_("Instrument"), choices=_instrument_choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    planned_amount = MoneyField(label=_("Planned (€)"), **AMOUNT)
    granted_amount = MoneyField(label=_("Granted (€)"), **AMOUNT)
    spent_amount = MoneyField(label=_("Spent (€)"), **AMOUNT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("planned_amount", "granted_amount", "spent_amount"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "class": "text-end"})
            self.fields[name].error_messages.update({
                "invalid": _("Enter an amount in euros, e.g. 1 234,50."),
                "min_value": _("An amount cannot be negative."),
                "max_decimal_places": _("An amount has at most two decimals (cents)."),
            })
        self.fields["year"].error_messages["invalid"] = _("Enter a year, e.g. 2026.")
        # Granted and spent money comes from recorded decisions and spending entries, never from the plan.
        for name in ("granted_amount", "spent_amount"):
            self.fields[name].disabled = True


class BaseFundingLineFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        self.agreement = agreement
        super().__init__(*args, **kwargs)

    def clean(self) -> None:
        if any(self.errors):
            return
        seen: dict[tuple[str, int], int] = {}
        for index, form in enumerate(self.forms):
            if not form.has_changed() or self._should_delete_form(form):
                continue
            key = (form.cleaned_data.get("instrument"), form.cleaned_data.get("year"))
            if key in seen:
                form.add_error("year", ValidationError(
                    _("%(code)s %(year)s appears twice; put the amounts on one line."), code="duplicate",
                    params={"code": key[0], "year": key[1]}))
            seen[key] = index
        if any(self.errors):
            return
        # The funding app's rules (instrument available that year, years within the agreement).
        forms_by_index = self.kept_forms()
        try:
            financing_plan().lines_validate(agreement=self.agreement, lines=[f.cleaned_data for f in forms_by_index])
        except ValidationError as exc:
            for error in exc.error_list:
                params = error.params or {}
                index, field = params.get("index"), params.get("field") or None
                if index is not None and 0 <= index < len(forms_by_index):
                    form = forms_by_index[index]
                    form.add_error(field if field in form.fields else None, error)
                else:
                    raise

    def kept_forms(self) -> list[forms.Form]:
        return [f for f in self.forms
                if f.is_valid() and f.has_changed() and not self._should_delete_form(f)]

    def lines(self) -> list[dict[str, Any]]:
        return [{k: f.cleaned_data.get(k) for k in ("instrument", "year", "planned_amount", "granted_amount",
                                                    "spent_amount")} for f in self.kept_forms()]


FundingLineFormSet = forms.formset_factory(FundingLineForm, formset=BaseFundingLineFormSet, extra=3,
                                           can_delete=True, max_num=200, validate_max=True)


class PartnerForm(AccessibleFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(label=_("Co-implementer"), queryset=Organisation.objects.order_by("name"))
    budget_share = MoneyField(label=_("Budget share (€)"), **AMOUNT,
                              widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "text-end"}))


class BasePartnerFormSet(forms.BaseFormSet):
    """Co-implementers with their budget shares. `lead` is the lead implementer chosen in the same form."""

    def __init__(self, *args: Any, lead: Organisation | None = None, **kwargs: Any) -> None:
        self.lead = lead
        super().__init__(*args, **kwargs)

    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[int] = set()
        for form in self.kept_forms():
            organisation = form.cleaned_data["organisation"]
            if self.lead is not None and organisation.pk == self.lead.pk:
                form.add_error("organisation", _("The lead implementer cannot also be a co-implementer."))
            elif organisation.pk in seen:
                form.add_error("organisation", _("This organisation is already a co-implementer."))
            seen.add(organisation.pk)

    def kept_forms(self) -> list[forms.Form]:
        return [f for f in self.forms if f.is_valid() and f.has_changed() and not self._should_delete_form(f)
                and f.cleaned_data.get("organisation")]

    def partners(self) -> list[dict[str, Any]]:
        return [{"organisation": f.cleaned_data["organisation"],
                 "budget_share": f.cleaned_data.get("budget_share") or Decimal("0.00")} for f in self.kept_forms()]


PartnerFormSet = forms.formset_factory(PartnerForm, formset=BasePartnerFormSet, extra=2, can_delete=True,
                                       max_num=100, validate_max=True)


class OrganisationForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name_fi", "name_sv", "name_en", "short_name", "kind", "business_id", "municipality", "website"]
        labels = {"name_fi": _("Name in Finnish"), "name_sv": _("Name in Swedish"), "name_en": _("Name in English")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name_fi"].required = True

    def clean_business_id(self) -> str:
        value = normalise_business_id(self.cleaned_data.get("business_id") or "")
        if value:
            validate_business_id(value)
            clash = Organisation.objects.filter(business_id=value)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise ValidationError(_("An organisation with this business ID already exists."), code="duplicate")
        return value


class AttachmentForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, Office or OpenDocument file, image, text or CSV; at "
                                                        "most 10 MB."))
    description = forms.CharField(label=_("Description"), max_length=255, required=False)

    def clean_file(self) -> Any:
        from .services import attachment_check

        upload = self.cleaned_data["file"]
        attachment_check(upload=upload)
        return upload


class ApiTokenForm(AccessibleFormMixin, forms.Form):
    """A new personal API token: a name and how long it works."""

    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("Say what the token is for, e.g. “Power BI report of the city”."))
    expires_in = forms.TypedChoiceField(
        label=_("Expires"), coerce=int, empty_value=None, required=False, initial="90",
        choices=[("30", _("in 30 days")), ("90", _("in 90 days")), ("365", _("in a year")), ("", _("never"))],
    )


class ThemeForm(AccessibleFormMixin, forms.ModelForm):
    """A theme of the agreement's action plan: identifier, priority, names in each language, order. An edit
    carries the version it started from (hidden), so a stale save is caught as on the project form."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Theme
        fields = ["priority", "name_fi", "name_sv", "name_en", "slug", "position"]
        labels = {"name_fi": _("Name in Finnish"), "name_sv": _("Name in Swedish"), "name_en": _("Name in English"),
                  "priority": pgettext_lazy("strategic", "Priority")}
        help_texts = {"slug": _("Short identifier used in addresses and the API, e.g. mobility-experiments."),
                      "priority": _("Leave empty while the theme is not yet placed under a priority.")}

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        self.fields["name_fi"].required = True
        self.fields["priority"].queryset = Priority.objects.filter(agreement=agreement).order_by("code")
        self.fields["priority"].required = False
        self.fields["priority"].error_messages["invalid_choice"] = _("Choose a priority of this agreement.")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            # An edit must say which version it started from, or a stale save could not be detected.
            self.fields["version"].required = True
            self.fields["version"].error_messages["required"] = _(
                "The form is missing the theme's version; reload the page and try again.")

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or ""
        clash = Theme.objects.filter(agreement=self.agreement, slug=slug)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if slug and clash.exists():
            raise ValidationError(_("This agreement already has a theme with this identifier."), code="duplicate")
        return slug

    def _post_clean(self) -> None:
        # The model's own validation runs in the service (portfolio.services.theme_save).
        self.instance.agreement = self.agreement
        super()._post_clean()

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class PriorityDescriptionForm(AccessibleFormMixin, forms.Form):
    """One priority's action-plan description in each language (prefix: the priority's code)."""

    description_fi = forms.CharField(label=_("Description in Finnish"), widget=forms.Textarea(attrs={"rows": 4}),
                                     required=False)
    description_sv = forms.CharField(label=_("Description in Swedish"), widget=forms.Textarea(attrs={"rows": 3}),
                                     required=False)
    description_en = forms.CharField(label=_("Description in English"), widget=forms.Textarea(attrs={"rows": 3}),
                                     required=False)

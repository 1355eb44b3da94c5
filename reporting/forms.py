"""Input validation for "compile now" and the national view."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portfolio.forms import AccessibleFormMixin
from portfolio.models import Agreement

from .choices import Audience
from .periods import PeriodKind, period_last_completed, period_parse
from .permissions import can_request_summary, requestable_audiences
from .selectors import NATIONAL_SORTS

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class SummaryRequestForm(forms.Form):
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    agreement: forms.ModelChoiceField[Agreement] = forms.ModelChoiceField(
        label=_("Agreement"), queryset=Agreement.objects.none(), required=False,
        help_text=_("Required for a steering-group summary; empty for the national one."))
    period = forms.CharField(label=_("Period"), max_length=7, help_text=_("YYYY, YYYY-Qn or YYYY-Hn, e.g. 2026-Q3."))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="fi")
    rerun = forms.BooleanField(label=_("Compile a new version even if the data has not changed"), required=False)

    def __init__(self, *args: Any, user: AbstractBaseUser | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # `fields` holds plain Fields to the stubs; these are the ones declared above.
        cast("forms.ModelChoiceField[Agreement]", self.fields["agreement"]).queryset = Agreement.objects.filter(pk__in=[
            agreement.pk for agreement in Agreement.objects.worked_on_by(user)
            if can_request_summary(user, audience=Audience.STEERING, agreement=agreement)]).order_by("name")
        # Only what the user may compile is offered (the ministry compiles the national summary, coordinators
        # their agreements' steering summaries): nothing is offered that would then be refused.
        audiences = requestable_audiences(user)
        cast(forms.ChoiceField, self.fields["audience"]).choices = [
            (value, label) for value, label in Audience.choices if value in audiences]
        if audiences == [Audience.NATIONAL]:
            self.fields["audience"].initial = Audience.NATIONAL
            self.fields["agreement"].widget = forms.HiddenInput()
        self.fields["period"].initial = period_last_completed(PeriodKind.QUARTER, today=timezone.localdate()).code

    def clean_period(self) -> str:
        return period_parse(self.cleaned_data["period"]).code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data  # Form.clean returns cleaned_data; the stubs allow None
        audience, agreement = data.get("audience"), data.get("agreement")
        if audience == Audience.STEERING and agreement is None:
            self.add_error("agreement", _("Choose the agreement of the steering-group summary."))
        elif audience == Audience.NATIONAL and agreement is not None:
            self.add_error("agreement", _("The national summary covers every agreement; leave the agreement empty."))
        elif audience and not can_request_summary(self.user, audience=audience, agreement=agreement):
            raise ValidationError(_("You may not compile this summary."), code="permission")
        return data


class NarrativeForm(forms.Form):
    """The coordinator's narrative of a draft summary, typed in the summary's language."""

    key_messages = forms.CharField(label=_("Key messages"), required=False, max_length=5000,
                                   widget=forms.Textarea(attrs={"rows": 4}),
                                   help_text=_("Needed before approval. The main points for the readers."))
    risks = forms.CharField(label=_("Risks"), required=False, max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    asks = forms.CharField(label=_("For the group to note or decide"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, language: str = "fi", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["lang"] = language  # what is typed is in the summary's language


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Shown on the new version and in its files."))


class RecipientForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    name = forms.CharField(label=_("Name or organisation"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="fi",
                                 help_text=_("The language of the e-mail."))
    attachments = forms.BooleanField(
        label=_("May receive the files as attachments"), required=False,
        help_text=_("The summary's PDF is attached to this recipient's e-mail, if the portal's setting allows "
                    "it. It may contain funding decisions that are not public yet."))


class RecipientUpdateForm(forms.Form):
    """One additional recipient's row on the list page: the e-mail's language and the attachments."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    attachments = forms.BooleanField(label=_("Files as attachments"), required=False)


class MemberLanguageForm(forms.Form):
    """A steering-group member's language of correspondence (their summary e-mails)."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class CoverageForm(forms.Form):
    """The day the coverage is told as of (default today)."""

    as_of = forms.DateField(label=_("As of"), required=False, input_formats=["%Y-%m-%d"],
                            widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
                            help_text=_("The figures as they stood at the end of this day."))

    def clean_as_of(self) -> Any:
        day = self.cleaned_data.get("as_of")
        if day and day > timezone.localdate():
            raise ValidationError(_("The figures cannot be told for a day in the future."), code="future")
        return day


class AnnexVersionForm(forms.Form):
    """Generate a new version of the action-plan annex."""

    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                             help_text=_("E.g. the steering-group meeting that approved new projects."))


class NationalViewForm(AccessibleFormMixin, forms.Form):
    """The national view's day (default today) and the column it is sorted by."""

    as_of = forms.DateField(label=_("As of"), required=False, input_formats=["%Y-%m-%d"],
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                            help_text=_("The figures as they stood at the end of this day."))
    # A column of NATIONAL_SORTS, "-" before it for the descending order (as the project list's `ordering`).
    ordering = forms.ChoiceField(required=False, widget=forms.HiddenInput,
                                 choices=[(f"{d}{s}", f"{d}{s}") for s in NATIONAL_SORTS for d in ("", "-")])

    def clean_as_of(self) -> Any:
        value = self.cleaned_data.get("as_of")
        if value is not None and value > timezone.localdate():
            raise ValidationError(_("The figures cannot be told for a day in the future."))
        return value

"""Input validation of the governance pages; the rules themselves live in services.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portfolio.models import MethodCategory, Organisation, Priority, Theme
from portfolio.money import ZERO, amount_input_text, parse_amount

from .choices import APPROVING_OUTCOMES, CriterionAnswer, DecisionMethod, DecisionOutcome, IdeaStage, MemberRole
from .models import Membership


def grid_cell_name(prefix: str, code: str, year: int) -> str:
    return f"{prefix}-{code}-{year}"


class FundingGridMixin:
    """An instrument × year grid of euro inputs, one form field per cell (``<prefix>-<CODE>-<year>``), as
    in the financing-plan grid: rows are the instruments that can take new money on the day ``on``, in
    the user's language, columns the project's years. Each cell is parsed by the one money parser, and its
    error is shown next to it; ``cleaned_data[lines_field]`` holds the non-empty cells as funding lines
    [{instrument (code), year, amount}] in grid order. Service errors that name a line (LineError) go to
    their cell with ``apply_grid_errors``."""

    fields: dict[str, forms.Field]
    initial: dict[str, Any]
    cleaned_data: dict[str, Any]
    grid_prefix = "lines"
    lines_field = "funding_lines"

    def setup_grid(self, *, project: Any, lines: Iterable[Any] = (), on: dt.date | None = None,
                   reference: Iterable[Any] = ()) -> None:
        """``lines``: the saved lines that prefill the grid; ``reference``: lines shown under each cell
        (the request, in a decision form), which also add their instruments and years to the grid."""
        from funding.models import FundingInstrument
        from funding.services import instrument_available_in_year, instrument_available_on

        day = on or timezone.localdate()
        saved = {(line.instrument.code, line.year): line.amount for line in lines}
        self.grid_reference = {(line.instrument.code, line.year): line.amount for line in reference}
        known = set(saved) | set(self.grid_reference)
        years = set(project.agreement.years)
        if project.start_date and project.end_date:
            years = {y for y in years if project.start_date.year <= y <= project.end_date.year} or years
        years |= {year for _code, year in known}
        self.grid_years = sorted(years)
        codes_known = {code for code, _year in known}
        self.grid_instruments = [
            i for i in FundingInstrument.objects.order_by("sort_order", "code")
            if i.code in codes_known or instrument_available_on(i, day)]
        self.grid_cells: dict[tuple[str, int], str] = {}
        for instrument in self.grid_instruments:
            for year in self.grid_years:
                key = (instrument.code, year)
                if key not in known and not (instrument_available_on(instrument, day)
                                             and instrument_available_in_year(instrument, year)):
                    continue
                name = grid_cell_name(self.grid_prefix, instrument.code, year)
                self.grid_cells[key] = name
                self.fields[name] = forms.CharField(
                    label=f"{instrument.name} {year}", required=False, max_length=30,
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "12", "autocomplete": "off"}))
                if key in saved:
                    self.initial[name] = amount_input_text(saved[key])

    def grid_field_names(self) -> set[str]:
        return set(self.grid_cells.values())

    def clean_grid(self) -> None:
        lines = []
        for (code, year), name in self.grid_cells.items():
            raw = (self.cleaned_data.get(name) or "").strip()
            if not raw:
                continue
            try:
                amount = parse_amount(raw)  # the one money parser: no exponents, at most two decimals
            except ValidationError as exc:
                self.add_error(name, exc)  # type: ignore[attr-defined]
                continue
            lines.append({"instrument": code, "year": year, "amount": amount})
        self.cleaned_data[self.lines_field] = lines

    def apply_grid_errors(self, exc: ValidationError) -> None:
        """A service's ValidationError: a line's problem next to its cell, the rest as apply_service_errors
        puts them (next to the field they name, or at the top of the form)."""
        from .services import LineError

        rest: dict[str, list[ValidationError]] = {}
        errors = exc.error_dict.items() if hasattr(exc, "error_dict") else [(None, exc.error_list)]
        for field, items in errors:
            for error in items:
                name = self.grid_cells.get((error.instrument_code, error.year)) \
                    if isinstance(error, LineError) and error.year is not None else None
                if name is not None:
                    self.add_error(name, error.detail)  # type: ignore[attr-defined]
                else:
                    rest.setdefault(field or "__all__", []).append(error)
        for field, items in rest.items():
            target = field if field in self.fields else None
            self.add_error(target, items)  # type: ignore[attr-defined]

    def grid_rows(self) -> list[dict[str, Any]]:
        """The grid for the template: per instrument its cells (bound field or None) with the reference
        amount, and the row's total of the typed amounts; a wrong amount counts as nothing."""
        typed = self.grid_typed_amounts()
        rows = []
        for instrument in self.grid_instruments:
            cells = []
            for year in self.grid_years:
                name = self.grid_cells.get((instrument.code, year))
                cells.append({"year": year, "field": self[name] if name else None,  # type: ignore[index]
                              "reference": self.grid_reference.get((instrument.code, year))})
            if any(c["field"] for c in cells):
                rows.append({"instrument": instrument, "cells": cells,
                             "total": sum((a for (c, _y), a in typed.items() if c == instrument.code), ZERO)})
        return rows

    def grid_year_totals(self) -> list[dict[str, Any]]:
        typed = self.grid_typed_amounts()
        return [{"year": year, "total": sum((a for (_c, y), a in typed.items() if y == year), ZERO)}
                for year in self.grid_years]

    def grid_total(self) -> Decimal:
        return sum(self.grid_typed_amounts().values(), ZERO)

    def grid_typed_amounts(self) -> dict[tuple[str, int], Decimal]:
        """The amounts as typed (a bound form) or saved (an unbound one); unreadable ones are left out."""
        amounts = {}
        for key, name in self.grid_cells.items():
            raw = self[name].value()  # type: ignore[index]
            try:
                amount = parse_amount(raw or "")
            except ValidationError:
                continue
            if amount:
                amounts[key] = amount
        return amounts

    def grid_effect_lines(self) -> list[Any]:
        """The typed amounts as lines for governance.selectors.funding_effect (instrument, year, amount)."""
        from types import SimpleNamespace

        by_code = {i.code: i for i in self.grid_instruments}
        return [SimpleNamespace(instrument=by_code[code], instrument_id=by_code[code].pk, year=year, amount=amount)
                for (code, year), amount in self.grid_typed_amounts().items()]

    def other_fields(self) -> list[Any]:
        names = self.grid_field_names()
        return [bound for bound in self if bound.name not in names]  # type: ignore[attr-defined]


class ProposalForm(FundingGridMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    plan = forms.CharField(label=_("Project plan"), widget=forms.Textarea(attrs={"rows": 8}), required=False)

    grid_prefix = "request"
    lines_field = "funding_lines"

    def __init__(self, *args: Any, project: Any, lines: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Availability is checked on the submission date: today for a draft.
        self.setup_grid(project=project, lines=lines)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_grid()
        return cleaned


class AssessmentForm(forms.Form):
    """One answer and justification per checklist item of the proposal's criteria."""

    def __init__(self, *args: Any, items: Any, initial_answers: dict[int, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        initial_answers = initial_answers or {}
        for item in self.items:
            current = initial_answers.get(item.pk)
            self.fields[f"answer_{item.pk}"] = forms.ChoiceField(
                label=item.text, choices=[("", "—"), *CriterionAnswer.choices], required=True,
                initial=current.answer if current else "")
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Justification: %(criterion)s") % {"criterion": item.text}, required=False,
                widget=forms.Textarea(attrs={"rows": 2}), initial=current.note if current else "")

    def answers(self) -> dict[int, tuple[str, str]]:
        return {item.pk: (self.cleaned_data[f"answer_{item.pk}"], self.cleaned_data[f"note_{item.pk}"])
                for item in self.items}


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Document"))


class AgendaForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=None)  # type: ignore[arg-type]

    def __init__(self, *args: Any, meetings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                    input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H.%M", "%d.%m.%Y %H:%M"])
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Online meeting link"), required=False, assume_scheme="https")


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Item"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AttendanceForm(forms.Form):
    attendees = forms.ModelMultipleChoiceField(label=_("Present"), queryset=None,  # type: ignore[arg-type]
                                               widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = users
        self.fields["attendees"].label_from_instance = lambda u: u.get_full_name() or u.username


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 10}), required=False)


class DecisionForm(FundingGridMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=DecisionOutcome.choices, widget=forms.RadioSelect)
    method = forms.ChoiceField(label=_("Reached by"), choices=DecisionMethod.choices, widget=forms.RadioSelect,
                               initial=DecisionMethod.CONSENSUS)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0, required=False)
    votes_abstain = forms.IntegerField(label=_("Abstentions"), min_value=0, required=False)
    conditions = forms.CharField(label=_("Conditions"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    recused = forms.ModelMultipleChoiceField(label=_("Recused for a conflict of interest"), required=False,
                                             queryset=None, widget=forms.CheckboxSelectMultiple)  # type: ignore[arg-type]

    grid_prefix = "grant"
    lines_field = "approved_lines"

    def __init__(self, *args: Any, group: Any, proposal: Any, lines: Iterable[Any] = (), on: dt.date | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Availability is checked on the meeting's date; the request is shown under each cell.
        self.setup_grid(project=proposal.project, lines=lines, on=on,
                        reference=proposal.funding_lines.select_related("instrument"))
        users = get_user_model().objects.filter(pk__in=Membership.objects.filter(group=group).values("user_id"))
        self.fields["recused"].queryset = users.order_by("last_name", "username")
        self.fields["recused"].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_grid()
        return cleaned

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        vote = data["method"] == DecisionMethod.VOTE
        return {
            "outcome": data["outcome"], "method": data["method"],
            "votes_for": data["votes_for"] if vote else None,
            "votes_against": data["votes_against"] if vote else None,
            "votes_abstain": data["votes_abstain"] if vote else None,
            # The form comes prefilled with the request; amounts only count for an approval.
            "approved_lines": (data["approved_lines"] or []) if data["outcome"] in APPROVING_OUTCOMES else [],
            "conditions": data["conditions"],
            "rationale": data["rationale"], "recusals": list(data["recused"]),
        }


class IdeaForm(forms.Form):
    # One box per text, in the UI language; the service stores it by language column (typed_in).
    title = forms.CharField(label=_("Title"), max_length=255, help_text=_(
        "Type it in the language of this page. If that is not Finnish, the text is also used as the Finnish "
        "title until someone translates it."))
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    priority = forms.ModelChoiceField(label=_("Priority"), queryset=Priority.objects.none())
    lead_organisation = forms.ModelChoiceField(label=_("Lead implementer"),
                                               queryset=Organisation.objects.order_by("name"))
    methods = forms.ModelMultipleChoiceField(label=_("Method categories"), queryset=MethodCategory.objects.all(),
                                             widget=forms.CheckboxSelectMultiple, required=False)
    themes = forms.ModelMultipleChoiceField(label=_("Themes"), queryset=None,  # type: ignore[arg-type]  # per form
                                            widget=forms.CheckboxSelectMultiple, required=False)
    need = forms.CharField(label=_("Need"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    objectives = forms.CharField(label=_("Objectives"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    overlaps = forms.CharField(label=_("Overlaps with existing projects"), widget=forms.Textarea(attrs={"rows": 3}),
                               required=False)
    programme_fit = forms.CharField(label=_("Fit with the structural-fund programme"),
                                    widget=forms.Textarea(attrs={"rows": 3}), required=False)
    notes = forms.CharField(label=_("Coordinator's notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, agreement: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = Priority.objects.filter(agreement=agreement)
        # Of the themes the user sees, the agreement's own; another agreement's is "not one of the choices".
        themes = Theme.objects.all() if user is None else Theme.objects.visible_to(user)
        self.fields["themes"].queryset = themes.filter(agreement=agreement).order_by(
            "priority__code", "position", "name")
        self.fields["themes"].error_messages["invalid_choice"] = _("Choose themes of this project's agreement.")
        self.fields["themes"].error_messages["invalid_pk_value"] = _("Choose themes of this project's agreement.")


class IdeaNotesForm(forms.Form):
    need = IdeaForm.base_fields["need"]
    objectives = IdeaForm.base_fields["objectives"]
    overlaps = IdeaForm.base_fields["overlaps"]
    programme_fit = IdeaForm.base_fields["programme_fit"]
    notes = IdeaForm.base_fields["notes"]


class IdeaStageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=IdeaStage.choices)


class CriteriaForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Criteria text"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    items = forms.CharField(label=_("Checklist"), widget=forms.Textarea(attrs={"rows": 6}),
                            help_text=_("One criterion per line."))
    valid_from = forms.DateField(label=_("Valid from"),
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 initial=lambda: timezone.localdate())

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]



class MembershipForm(forms.Form):
    """A seat in a steering group: who, in which role, for which term, standing in for whom."""

    member = forms.ModelChoiceField(label=_("Member"), queryset=None)  # type: ignore[arg-type]
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)
    organisation = forms.ModelChoiceField(label=_("Represents"), queryset=Organisation.objects.order_by("name"),
                                          required=False)
    substitute_for = forms.ModelChoiceField(label=_("Substitute for"), queryset=None,  # type: ignore[arg-type]
                                            required=False)
    term_start = forms.DateField(label=_("Term starts"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    term_end = forms.DateField(label=_("Term ends"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, group: Any, **kwargs: Any) -> None:
        from portfolio.roles import Role

        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(groups__name__in=Role.values, is_active=True).distinct()
        self.fields["member"].queryset = users.order_by("last_name", "username")
        self.fields["member"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["substitute_for"].queryset = Membership.objects.filter(group=group).select_related("user")
        self.fields["substitute_for"].label_from_instance = lambda m: m.user.get_full_name() or m.user.username

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", _("A term cannot end before it starts."))
        return data

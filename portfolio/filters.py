"""The project FilterSet, shared by the HTML list (/projects/) and the API (/api/v1/projects/).

The filter names are a contract (docs: contract.md): agreement, priority, method, status, organisation,
instrument, year, theme, internationalisation, q, ordering. Declared filters are the allow-list: anything
else in the query string is ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import django_filters as filters
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import ProjectStatus
from .models import Agreement, MethodCategory, Organisation, Priority, Project, ProjectContact, ProjectPartner, Theme
from .plan import financing_plan
from .widgets import FastSelect

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import HttpRequest

PRIORITY_CODES = [(str(code), str(code)) for code in range(1, 5)]
METHOD_CODES = [(str(code), str(code)) for code in range(1, 4)]

# Sort keys offered in the UI and the API (`?ordering=-end_date`): public name → model field.
ORDERING_FIELDS = (
    ("code", "code"),
    ("title", "title"),
    ("agreement__name", "agreement"),
    ("priority__code", "priority"),
    ("lead_organisation__name", "lead"),
    ("status", "status"),
    ("start_date", "start_date"),
    ("end_date", "end_date"),
    ("updated_at", "updated"),
    ("planned_total", "planned"),
    ("granted_total", "granted"),
)


class YearField(forms.IntegerField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 2000)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


class YearFilter(filters.NumberFilter):
    field_class = YearField


# Reference data every portal user reads (no `visible_to`): a model filter on them needs no scope.
PUBLIC_CHOICE_MODELS = ("portfolio.organisation", "portfolio.methodcategory",
                        "portfolio.priority", "funding.fundinginstrument")


def request_user(request: HttpRequest | None) -> AbstractBaseUser | AnonymousUser:
    user = getattr(request, "user", None)
    return user if user is not None else AnonymousUser()


def theme_choices(user: AbstractBaseUser | AnonymousUser) -> list[tuple[str, str]]:
    """(identifier, name) of every theme identifier the user sees (`Theme.objects.visible_to`), each once
    (the first agreement's name): another agreement's theme that only its drafts carry is not offered."""
    names: dict[str, str] = {}
    for slug, name in Theme.objects.visible_to(user).order_by("agreement_id", "pk").values_list("slug", "name"):
        names.setdefault(slug, name)
    return sorted(names.items(), key=lambda item: item[1].casefold())


class VisibleChoicesFilterSet(filters.FilterSet):
    """A FilterSet whose model filters offer and accept only rows the request's user sees: the declared
    queryset is narrowed with `visible_to(user)` (no request: an anonymous user, so nothing). An id outside
    the scope is then "not a valid choice", exactly like an id that does not exist, so a filter never tells
    whether another agreement's draft, meeting or group exists."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = request_user(self.request)
        for name, f in self.filters.items():
            if not isinstance(f, filters.ModelChoiceFilter | filters.ModelMultipleChoiceFilter):
                continue
            queryset = f.queryset
            visible_to = getattr(queryset.model._default_manager, "visible_to", None)
            if visible_to is not None:
                f.queryset = queryset & visible_to(user)
            elif queryset.model._meta.label_lower not in PUBLIC_CHOICE_MODELS:
                raise ImproperlyConfigured(f"{type(self).__name__}.{name}: {queryset.model.__name__} has no "
                                           "visible_to(user) and is not public reference data")


# Models whose str() is their translated name (the filter's <option> labels).
NAMED_BY_NAME = (Agreement, Organisation, Theme)


def _name_label(model: type[models.Model]) -> Any:
    from .i18n import translated_reader

    name = translated_reader(model, "name")
    return lambda obj: name(obj.__dict__)


class ProjectFilter(VisibleChoicesFilterSet):
    """Filters of the project list; each filter is one indexed condition or an EXISTS subquery, so the
    result has no duplicate rows and needs no DISTINCT."""

    agreement = filters.ModelChoiceFilter(
        label=_("Agreement"), queryset=Agreement.objects.order_by("name"), empty_label=_("All agreements"),
    )
    priority = filters.ChoiceFilter(
        label=pgettext_lazy("strategic", "Priority"), field_name="priority__code", choices=PRIORITY_CODES,
        empty_label=_("All priorities"),
    )
    method = filters.ChoiceFilter(
        label=_("Method category"), choices=METHOD_CODES, method="filter_method",
        empty_label=_("All method categories"),
    )
    status = filters.ChoiceFilter(label=_("Status"), choices=ProjectStatus.choices,
                                  empty_label=_("All statuses"))
    organisation = filters.ModelChoiceFilter(
        label=_("Organisation"), queryset=Organisation.objects.order_by("name"), method="filter_organisation",
        empty_label=_("All organisations"),
        help_text=_("Lead implementer or co-implementer."),
    )
    instrument = filters.ChoiceFilter(
        label=_("Funding instrument"), choices=lambda: financing_plan().instrument_choices(),
        method="filter_instrument",
        empty_label=_("All instruments"),
    )
    year = YearFilter(label=_("Year"), method="filter_year",
                      help_text=_("Funding lines in that year, or running during it."))
    # By identifier: themes belong to an agreement, and two agreements may both have e.g. "mobility", so the
    # filter takes the identifier (with `agreement` to narrow it to one agreement's theme).
    theme = filters.ChoiceFilter(
        label=_("Theme"), field_name="themes__slug", choices=lambda: [], empty_label=_("All themes"),
    )
    internationalisation = filters.BooleanFilter(
        label=_("Internationalisation"), method="filter_internationalisation",
        widget=forms.Select(choices=[("", _("Any")), ("true", _("Described")), ("false", _("Not described"))]),
    )
    mine = filters.BooleanFilter(
        label=_("My projects"), method="filter_mine",
        widget=forms.Select(choices=[("", _("All projects")), ("true", _("Only my projects"))]),
        help_text=_("Projects you are the responsible coordinator or a contact of."),
    )
    q = filters.CharFilter(label=_("Search"), method="filter_q", max_length=200,
                           help_text=_("Code, title or summary."))
    ordering = filters.OrderingFilter(
        label=_("Sort by"), fields=ORDERING_FIELDS,
        field_labels={
            "code": _("Code"), "title": _("Title"), "agreement__name": _("Agreement"),
            "priority__code": pgettext_lazy("strategic", "Priority"), "lead_organisation__name": _("Lead"),
            "status": _("Status"), "start_date": _("Start date"), "end_date": _("End date"),
            "updated_at": _("Updated"), "planned_total": _("Planned (€)"), "granted_total": _("Granted (€)"),
        },
    )

    _combined = False

    class Meta:
        model = Project
        fields = ["agreement", "priority", "method", "status", "organisation", "instrument", "year", "theme",
                  "internationalisation", "q"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._label_codes()
        user = request_user(self.request)
        self.filters["theme"].extra["choices"] = lambda: theme_choices(user)  # the user's, read when needed

    @property
    def form(self) -> forms.Form:
        form = super().form
        if not getattr(form, "_styled", False):
            for field in form.fields.values():
                css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else \
                    "form-control form-control-sm"
                field.widget.attrs.setdefault("class", css)
                if type(field.widget) is forms.Select:
                    field.widget.__class__ = FastSelect  # the same markup, without a template per option
                model = getattr(getattr(field, "queryset", None), "model", None)
                if isinstance(field, forms.ModelChoiceField) and model in NAMED_BY_NAME:
                    # str(obj) is its name: read it with the language resolved once, not per option
                    field.label_from_instance = _name_label(model)  # type: ignore[method-assign]
            form._styled = True
        return form

    def _label_codes(self) -> None:
        """Show priority and method names next to their codes (names of the selected agreement). The names
        are read only when the choices are (a rendered form, a given value): the API's list needs none."""
        # Plain functions, not bound methods: form fields are deep-copied, and a bound method would copy this
        # filterset (and its request) with them.
        self.filters["priority"].extra["choices"] = lambda: self._priority_choices()
        self.filters["method"].extra["choices"] = lambda: self._method_choices()

    def _priority_choices(self) -> list[tuple[str, str]]:
        if "_priorities" not in self.__dict__:
            self._priorities = self._read_priority_choices()
        return self._priorities

    def _method_choices(self) -> list[tuple[str, str]]:
        if "_methods" not in self.__dict__:
            self._methods = self._read_method_choices()
        return self._methods

    def _read_priority_choices(self) -> list[tuple[str, str]]:
        agreement_id = None
        request = self.request
        if request is not None and hasattr(request, "session"):
            from .current import current_agreement

            agreement = current_agreement(request)
            agreement_id = agreement.pk if agreement else None
        priorities = Priority.objects.filter(agreement_id=agreement_id) if agreement_id else Priority.objects.none()
        names = {str(p.code): p.name for p in priorities}
        return [(code, f"{code}. {names[code]}" if code in names else label) for code, label in PRIORITY_CODES]

    def _read_method_choices(self) -> list[tuple[str, str]]:
        methods = {str(m.code): m.name for m in MethodCategory.objects.all()}
        return [(code, f"{code}. {methods[code]}" if code in methods else label) for code, label in METHOD_CODES]

    # The combined instrument+year condition: "ERDF in 2025" means one funding line with both.
    def filter_queryset(self, queryset: QuerySet[Project]) -> QuerySet[Project]:
        data = self.form.cleaned_data
        instrument, year = data.get("instrument"), data.get("year")
        if instrument and year is not None:
            queryset = queryset.filter(Exists(financing_plan().lines().filter(
                project=OuterRef("pk"), instrument__code=instrument, year=year)))
            self._combined = True
        return super().filter_queryset(queryset)

    def filter_method(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        through: type[models.Model] = Project.methods.through  # the auto-created project–method table
        return queryset.filter(Exists(through._default_manager.filter(project_id=OuterRef("pk"),
                                                                      methodcategory__code=value)))

    def filter_organisation(self, queryset: QuerySet[Project], name: str, value: Organisation) -> QuerySet[Project]:
        partner = ProjectPartner.objects.filter(project=OuterRef("pk"), organisation=value)
        return queryset.filter(Q(lead_organisation=value) | Q(Exists(partner)))

    def filter_instrument(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        if getattr(self, "_combined", False):
            return queryset
        return queryset.filter(Exists(financing_plan().lines().filter(project=OuterRef("pk"), instrument__code=value)))

    def filter_year(self, queryset: QuerySet[Project], name: str, value: Any) -> QuerySet[Project]:
        if getattr(self, "_combined", False):
            return queryset
        year = int(value)
        lines = financing_plan().lines().filter(project=OuterRef("pk"), year=year)
        running = Q(start_date__lte=dt.date(year, 12, 31)) & (
            Q(end_date__isnull=True) | Q(end_date__gte=dt.date(year, 1, 1))
        )
        return queryset.filter(Q(Exists(lines)) | running)

    def filter_internationalisation(self, queryset: QuerySet[Project], name: str, value: bool | None
                                    ) -> QuerySet[Project]:
        if value is None:
            return queryset
        blank = Q(internationalisation="")
        return queryset.exclude(blank) if value else queryset.filter(blank)

    def filter_mine(self, queryset: QuerySet[Project], name: str, value: bool | None) -> QuerySet[Project]:
        if not value:
            return queryset
        user_id = request_user(self.request).pk
        if user_id is None:  # anonymous: nothing is theirs
            return queryset.none()
        contact = ProjectContact.objects.filter(project=OuterRef("pk"), user_id=user_id)
        return queryset.filter(Q(coordinator_id=user_id) | Q(Exists(contact)))

    def filter_q(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        value = value.strip()
        if not value:
            return queryset
        condition = Q(code__icontains=value) | Q(eura_code__icontains=value)
        # Search every language, not only the active one: a Finnish title matches in the English UI too.
        for field in ("title", "summary"):
            for lang in ("fi", "sv", "en"):
                condition |= Q(**{f"{field}_{lang}__icontains": value})
        return queryset.filter(condition)

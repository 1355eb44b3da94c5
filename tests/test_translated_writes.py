"""Every write of a translated field names its language column (issue 11 defect 1, issue 19 "every language").

django-modeltranslation maps a plain field name (`title`, `name`) to the *active* language's column, so a
service that assigns `project.title = …` under the Swedish or English UI overwrites what was typed in that
language. Each case here creates or updates one translated model through one channel (its service, its HTML
form, its API, the admin) under one UI language (fi, sv, en) and then reads EVERY language column back from
the database: the typed column holds what was typed, the others are unchanged, and the untranslated
column mirrors Finnish, the source language (`portfolio.i18n`).

HTML and admin cases choose the language as a user does (Django's `set_language` view, i.e. the language
cookie) and check that the page really was served in that language; API cases send `Accept-Language`;
service cases run under `translation.override`.

Every case is marked `language_case`; the root conftest prints how many ran ("N language cases").
"""

from __future__ import annotations

import ast
import itertools
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django import forms as django_forms
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from django.utils import translation
from modeltranslation.fields import TranslationFieldDescriptor
from modeltranslation.translator import translator

from funding.models import FundingInstrument
from governance.choices import GroupKind
from governance.models import SteeringGroup
from portfolio.models import Agreement, MethodCategory, Organisation, Priority, Project, Theme

pytestmark = [pytest.mark.django_db, pytest.mark.language_case]

LANGS = ("fi", "sv", "en")
SOURCE = "fi"
ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "portfolio", "funding", "governance", "followup", "reporting")

# What the object holds before an update: a distinct text in every language.
ORIGINAL = {"fi": "Alkuperäinen {f}", "sv": "Ursprunglig {f}", "en": "Original {f}"}
# What a create types in every language.
CREATED = {"fi": "Uusi {f}", "sv": "Ny {f}", "en": "New {f}"}


def _typed(lang: str, field: str) -> str:
    return f"Muokattu {field} ({lang}) – ändrad – edited"


def _texts(template: dict[str, str], field: str) -> dict[str, str]:
    return {lang: text.format(f=field) for lang, text in template.items()}


def _columns(field: str, texts: dict[str, str]) -> dict[str, str]:
    return {f"{field}_{lang}": text for lang, text in texts.items()}


# --- reading what is stored, bypassing modeltranslation -----------------------------------------------

def _stored(obj: models.Model, fields: tuple[str, ...]) -> dict[str, Any]:
    """Every language column and the untranslated column of `fields`, read by SQL (no descriptor, no
    fallback, no active language involved)."""
    model = type(obj)
    names = [name for field in fields for name in (field, *(f"{field}_{lang}" for lang in LANGS))]
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {connection.ops.quote_name(model._meta.db_table)} "  # noqa: S608
                       f"WHERE {connection.ops.quote_name(model._meta.pk.column)} = %s", [obj.pk])
        row = cursor.fetchone()
    assert row is not None, f"{model.__name__} {obj.pk} is not stored"
    return {name: value or "" for name, value in zip(names, row, strict=True)}


def _expected(fields: dict[str, dict[str, str]]) -> dict[str, str]:
    """The stored columns wanted: each language as given, the untranslated column equal to Finnish."""
    wanted: dict[str, str] = {}
    for field, texts in fields.items():
        wanted[field] = texts.get(SOURCE, "")
        for lang in LANGS:
            wanted[f"{field}_{lang}"] = texts.get(lang, "")
    return wanted


def _assert_columns(obj: models.Model, fields: dict[str, dict[str, str]]) -> None:
    assert _stored(obj, tuple(fields)) == _expected(fields)


def _after_update(original: dict[str, str], lang: str, field: str) -> dict[str, str]:
    return {**original, lang: _typed(lang, field)}


# --- the runtime guard: no production code writes a plain translated field name -----------------------

def _translated_fields() -> dict[type[models.Model], tuple[str, ...]]:
    return {model: tuple(translator.get_options_for_model(model).fields)
            for model in translator.get_registered_models(abstract=False)}


_PLUMBING = ("/modeltranslation/", "/django/db/models/", "/django/dispatch/")


def _production_frame(start: Any) -> str | None:
    """'path:line' of the code that made the write, if it is the project's own (non-test) code. The
    write's maker is the first frame above `start` outside the model and signal plumbing; a write made by a
    library (simple-history rebuilding an instance, say) or by a test is not the project's."""
    frame = start
    while frame is not None and any(part in frame.f_code.co_filename for part in _PLUMBING):
        frame = frame.f_back
    if frame is None:
        return None
    try:
        rel = Path(frame.f_code.co_filename).resolve().relative_to(ROOT)
    except ValueError:
        return None
    parts = rel.parts
    if parts[0] in APPS and "tests" not in parts and "migrations" not in parts:
        return f"{rel}:{frame.f_lineno}"
    return None


@pytest.fixture(autouse=True)
def plain_name_writes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record every write of a plain translated field name (`obj.title = …`, `Project(title=…)`) made by
    the project's own code during the case; the case fails if there is one, even when the value happened
    to be right in this language."""
    from django.db.models.signals import pre_init

    seen: list[str] = []
    original_set = TranslationFieldDescriptor.__set__

    def guarded_set(self: TranslationFieldDescriptor, instance: Any, value: Any) -> None:
        if not getattr(instance, "_mt_init", False):
            where = _production_frame(sys._getframe(1))
            if where:
                seen.append(f"{where}: {type(instance).__name__}.{self.field.name} = …")
        original_set(self, instance, value)

    translated = _translated_fields()

    def on_init(sender: type[models.Model], args: Any, kwargs: dict[str, Any], **_: Any) -> None:
        plain = set(kwargs) & set(translated.get(sender, ()))
        if plain:
            where = _production_frame(sys._getframe(1))
            if where:
                seen.append(f"{where}: {sender.__name__}({', '.join(sorted(plain))}=…)")

    monkeypatch.setattr(TranslationFieldDescriptor, "__set__", guarded_set)
    pre_init.connect(on_init, weak=False, dispatch_uid="plain-name-writes")
    try:
        yield seen
    finally:
        pre_init.disconnect(dispatch_uid="plain-name-writes")
    assert not seen, "plain translated field names written (name the language column):\n" + "\n".join(seen)


# --- clients in a UI language -----------------------------------------------------------------------------

def _ui_client(user: Any, lang: str) -> Client:
    """A signed-in client that chose its UI language as a user does: through `set_language`."""
    client = Client()
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": lang, "next": "/"})
    assert response.status_code == 302
    return client


def _assert_served_in(response: Any, lang: str) -> None:
    assert response.headers.get("Content-Language") == lang, response.headers.get("Content-Language")


def _errors(response: Any) -> Any:
    context = response.context or {}
    if "adminform" in context:
        return context["adminform"].form.errors, context.get("errors")
    return context["form"].errors if "form" in context else response


def _field_value(form: django_forms.BaseForm, name: str) -> Any:
    bound = form[name]
    value = bound.value()
    widget = form.fields[name].widget
    if isinstance(widget, django_forms.CheckboxInput):
        return "on" if value else None
    if getattr(widget, "allow_multiple_selected", False):
        return [str(v) for v in value or ()]
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(widget, django_forms.MultiWidget):
        return None
    if isinstance(widget, django_forms.widgets.ChoiceWidget):
        return str(value)
    formatted = widget.format_value(value)
    return "" if formatted is None else str(formatted)


def _form_data(form: django_forms.BaseForm) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in form.fields:
        value = _field_value(form, name)
        if value is not None:
            data[form[name].html_name] = value
    return data


def _formset_data(formset: Any, *, keep_rows: bool = True) -> dict[str, Any]:
    data = _form_data(formset.management_form)
    if not keep_rows:
        prefix = formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        return data
    for form in formset.forms:
        data.update(_form_data(form))
    return data


def _page_data(response: Any, *, keep_rows: bool = True) -> dict[str, Any]:
    """The data a browser would send back from the rendered form page, unchanged."""
    context = response.context
    data: dict[str, Any] = {}
    if "adminform" in context:
        data.update(_form_data(context["adminform"].form))
        for inline in context["inline_admin_formsets"]:
            data.update(_formset_data(inline.formset, keep_rows=keep_rows))
        return data
    data.update(_form_data(context["form"]))
    for key in ("formset", "partner_formset"):
        if key in context:
            data.update(_formset_data(context[key], keep_rows=keep_rows))
    return data


# --- fixtures ---------------------------------------------------------------------------------------------

@pytest.fixture
def lead(agreement: Agreement) -> Organisation:
    return Organisation.objects.get(short_name="Helsinki")


def _seed_project(agreement: Agreement, lead: Organisation, code: str = "LANG-1") -> Project:
    """A project that holds a distinct text in every language (made under the source language)."""
    from portfolio import services

    with translation.override(SOURCE):
        project = services.project_create(agreement=agreement, user=None, data={
            "code": code, **_columns("title", _texts(ORIGINAL, "title")),
            **_columns("summary", _texts(ORIGINAL, "summary")), "lead_organisation": lead,
            "priority": Priority.objects.get(agreement=agreement, code=1),
            "methods": list(MethodCategory.objects.filter(code=1)),
        })
    assert _stored(project, ("title",))["title_sv"] == ORIGINAL["sv"].format(f="title")
    return project


def _seed_organisation() -> Organisation:
    from portfolio import services

    with translation.override(SOURCE):
        return services.organisation_save(user=None, data={
            **_columns("name", _texts(ORIGINAL, "name")), "kind": "company", "business_id": "0112038-9"})


def _project_fields(texts: dict[str, dict[str, str]]) -> dict[str, Any]:
    return {**_columns("title", texts["title"]), **_columns("summary", texts["summary"])}


# --- Project ------------------------------------------------------------------------------------------------

PROJECT_CASES = [*itertools.product(("service", "form", "api"), ("create", "update")), ("admin", "update")]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("channel", "op"), PROJECT_CASES, ids=[f"{c}-{o}" for c, o in PROJECT_CASES])
def test_project_write_keeps_every_language(lang: str, channel: str, op: str, agreement: Agreement,
                                            lead: Organisation, coordinator: Any, admin_user: Any) -> None:
    from portfolio import services

    if op == "create":
        wanted = {field: _texts(CREATED, field) for field in ("title", "summary")}
    else:
        project = _seed_project(agreement, lead)
        wanted = {field: _after_update(_texts(ORIGINAL, field), lang, field) for field in ("title", "summary")}
    typed = _project_fields(wanted)

    if channel == "service":
        with translation.override(lang):
            if op == "create":
                project = services.project_create(agreement=agreement, user=coordinator, data={
                    "code": "LANG-NEW", **typed, "lead_organisation": lead,
                    "priority": Priority.objects.get(agreement=agreement, code=1),
                    "methods": list(MethodCategory.objects.filter(code=1))})
            else:
                project = services.project_update(project=project, data=typed, expected_version=project.version,
                                                  user=coordinator)
    elif channel == "form":
        client = _ui_client(coordinator, lang)
        url = reverse("portfolio:project-create") if op == "create" else reverse("portfolio:project-edit",
                                                                                 args=[project.pk])
        page = client.get(url)
        assert page.status_code == 200
        _assert_served_in(page, lang)
        data = _page_data(page)
        if op == "create":
            data.update({"code": "LANG-NEW", "priority": str(Priority.objects.get(agreement=agreement, code=1).pk),
                         "methods": [str(MethodCategory.objects.get(code=1).pk)],
                         "lead_organisation": str(lead.pk)})
        data.update(typed)
        response = client.post(url, data)
        assert response.status_code == 302, response.context["form"].errors if response.context else response
        if op == "create":
            project = Project.objects.get(agreement=agreement, code="LANG-NEW")
    elif channel == "api":
        client = Client()
        client.force_login(coordinator)
        if op == "create":
            response = client.post("/api/v1/projects/", json.dumps({
                "agreement": agreement.pk, "code": "LANG-NEW", **typed, "priority": 1, "methods": [1],
                "lead_organisation": lead.pk}), content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang)
            assert response.status_code == 201, response.content
            project = Project.objects.get(pk=response.json()["id"])
        else:
            response = client.patch(f"/api/v1/projects/{project.pk}/", json.dumps(typed),
                                    content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang,
                                    HTTP_IF_MATCH=f'"{project.version}"')
            assert response.status_code == 200, response.content
            # What the API answers is what was stored.
            body = response.json()
            assert {k: body[k] for k in typed} == typed
        assert response.headers.get("Content-Language") == lang
    else:  # admin
        client = _ui_client(admin_user, lang)
        url = reverse("admin:portfolio_project_change", args=[project.pk])
        page = client.get(url)
        _assert_served_in(page, lang)
        response = client.post(url, {**_page_data(page), **typed})
        assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""

    project.refresh_from_db()
    _assert_columns(project, wanted)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("channel", ["service", "form", "api"])
def test_project_typed_in_finnish_only_leaves_the_other_languages_empty(
        lang: str, channel: str, agreement: Agreement, lead: Organisation, coordinator: Any) -> None:
    """Validation under the Swedish or English UI must not copy the Finnish fallback into the empty
    column of the UI language (Django's clean_fields sets each field it cleans)."""
    from portfolio import services

    wanted = {"title": {"fi": "Vain suomeksi"}, "summary": {"fi": "Tiivistelmä vain suomeksi"}}
    typed = {"title_fi": "Vain suomeksi", "title_sv": "", "title_en": "", "summary_fi": "Tiivistelmä vain suomeksi",
             "summary_sv": "", "summary_en": ""}
    priority = Priority.objects.get(agreement=agreement, code=1)
    method = MethodCategory.objects.get(code=1)
    if channel == "service":
        with translation.override(lang):
            project = services.project_create(agreement=agreement, user=coordinator, data={
                "code": "FI-ONLY", **typed, "lead_organisation": lead, "priority": priority, "methods": [method]})
    elif channel == "form":
        client = _ui_client(coordinator, lang)
        page = client.get(reverse("portfolio:project-create"))
        _assert_served_in(page, lang)
        response = client.post(reverse("portfolio:project-create"), {
            **_page_data(page), **typed, "code": "FI-ONLY", "priority": str(priority.pk),
            "methods": [str(method.pk)], "lead_organisation": str(lead.pk)})
        assert response.status_code == 302, _errors(response)
        project = Project.objects.get(agreement=agreement, code="FI-ONLY")
    else:
        client = Client()
        client.force_login(coordinator)
        response = client.post("/api/v1/projects/", json.dumps({
            "agreement": agreement.pk, "code": "FI-ONLY", **typed, "priority": 1, "methods": [1],
            "lead_organisation": lead.pk}), content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 201, response.content
        project = Project.objects.get(pk=response.json()["id"])
    _assert_columns(project, wanted)


@pytest.mark.parametrize("lang", LANGS)
def test_a_project_without_a_finnish_title_is_refused_on_the_finnish_field(lang: str, agreement: Agreement,
                                                                          lead: Organisation) -> None:
    from django.core.exceptions import ValidationError

    from portfolio import services

    with translation.override(lang), pytest.raises(ValidationError) as caught:
        services.project_create(agreement=agreement, user=None, data={
            "code": "NO-FI", "title_fi": "", "title_sv": "Bara svenska", "title_en": "English only",
            "lead_organisation": lead, "priority": Priority.objects.get(agreement=agreement, code=1)})
    assert set(caught.value.message_dict) == {"title_fi"}
    assert not Project.objects.filter(code="NO-FI").exists()


# --- Organisation -------------------------------------------------------------------------------------------

ORGANISATION_CASES = [*itertools.product(("service", "form", "api", "admin"), ("create", "update"))]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("channel", "op"), ORGANISATION_CASES, ids=[f"{c}-{o}" for c, o in ORGANISATION_CASES])
def test_organisation_write_keeps_every_language(lang: str, channel: str, op: str, agreement: Agreement,
                                                 coordinator: Any, admin_user: Any) -> None:
    from portfolio import services

    organisation: Organisation | None = None
    if op == "create":
        wanted = {"name": _texts(CREATED, "name")}
    else:
        organisation = _seed_organisation()
        wanted = {"name": _after_update(_texts(ORIGINAL, "name"), lang, "name")}
    typed = _columns("name", wanted["name"])
    other = {"kind": "university", "business_id": "" if op == "update" else "0313471-7"}

    if channel == "service":
        with translation.override(lang):
            organisation = services.organisation_save(
                data={**typed, **({} if organisation else other)}, user=coordinator, organisation=organisation)
    elif channel in ("form", "admin"):
        client = _ui_client(coordinator if channel == "form" else admin_user, lang)
        if channel == "form":
            url = (reverse("portfolio:organisation-edit", args=[organisation.pk]) if organisation
                   else reverse("portfolio:organisation-create"))
        else:
            url = (reverse("admin:portfolio_organisation_change", args=[organisation.pk]) if organisation
                   else reverse("admin:portfolio_organisation_add"))
        page = client.get(url)
        assert page.status_code == 200
        _assert_served_in(page, lang)
        data = {**_page_data(page), **typed}
        if organisation is None:
            data.update(other)
        response = client.post(url, data)
        assert response.status_code == 302, _errors(response)
        if organisation is None:
            organisation = Organisation.objects.get(business_id=other["business_id"])
    else:  # api
        client = Client()
        client.force_login(coordinator)
        if organisation is None:
            response = client.post("/api/v1/organisations/", json.dumps({**typed, **other}),
                                   content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang)
            assert response.status_code == 201, response.content
            organisation = Organisation.objects.get(pk=response.json()["id"])
        else:
            response = client.patch(f"/api/v1/organisations/{organisation.pk}/", json.dumps(typed),
                                    content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang)
            assert response.status_code == 200, response.content
        assert response.headers.get("Content-Language") == lang

    assert organisation is not None
    _assert_columns(organisation, wanted)


# --- Project ideas (governance writes a project's title and summary) ------------------------------------------

def _idea_wanted(lang: str) -> dict[str, dict[str, str]]:
    """An idea has one title and one summary box, typed in the UI language. The source-language (Finnish)
    column is filled from it too, so Finnish readers never see a blank title."""
    wanted: dict[str, dict[str, str]] = {}
    for field in ("title", "summary"):
        text = _typed(lang, field)
        wanted[field] = {lang: text, SOURCE: text}
    return wanted


IDEA_TITLE_HELP = {"fi": "Kirjoita sivun kielellä.", "sv": "Skriv på sidans språk.",
                   "en": "Type it in the language of this page."}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("channel", ["service", "form"])
def test_idea_create_keeps_a_finnish_title(lang: str, channel: str, agreement: Agreement, lead: Organisation,
                                           coordinator: Any) -> None:
    from governance import services

    wanted = _idea_wanted(lang)
    priority = Priority.objects.get(agreement=agreement, code=2)
    if channel == "service":
        with translation.override(lang):
            idea = services.idea_create(agreement=agreement, title=wanted["title"][lang],
                                        summary=wanted["summary"][lang], priority=priority,
                                        lead_organisation=lead, user=coordinator)
        project = idea.project
    else:
        client = _ui_client(coordinator, lang)
        url = reverse("governance:idea-create")
        page = client.get(url)
        assert page.status_code == 200
        _assert_served_in(page, lang)
        # The title box says, in the page's language, which column it fills.
        assert IDEA_TITLE_HELP[lang] in page.content.decode()
        response = client.post(url, {**_page_data(page), "title": wanted["title"][lang],
                                     "summary": wanted["summary"][lang], "priority": str(priority.pk),
                                     "lead_organisation": str(lead.pk)})
        assert response.status_code == 302, response.context["form"].errors if response.context else response
        project = Project.objects.get(agreement=agreement, title_fi=wanted["title"][SOURCE])
    _assert_columns(project, wanted)
    with translation.override(SOURCE):
        project.refresh_from_db()
        assert project.title == wanted["title"][lang]  # what a Finnish reader sees


def test_idea_create_in_finnish_leaves_the_other_languages_empty(agreement: Agreement, lead: Organisation,
                                                                 coordinator: Any) -> None:
    from governance import services

    idea = services.idea_create(agreement=agreement, title="Idea suomeksi", language="fi",
                                priority=Priority.objects.get(agreement=agreement, code=2),
                                lead_organisation=lead, user=coordinator)
    _assert_columns(idea.project, {"title": {"fi": "Idea suomeksi"}, "summary": {}})


# --- Models written by the loaders and the admin ------------------------------------------------------------

def _instance(model: type[models.Model], agreement: Agreement) -> models.Model:
    if model is Agreement:
        return agreement
    if model is Priority:
        return Priority.objects.get(agreement=agreement, code=4)
    if model is MethodCategory:
        return MethodCategory.objects.get(code=3)
    if model is FundingInstrument:
        return FundingInstrument.objects.get(code="ESF")
    if model is SteeringGroup:
        return SteeringGroup.objects.get(kind=GroupKind.REGIONAL, agreement=agreement)
    if model is Theme:
        return Theme.objects.get_or_create(agreement=agreement, slug="lang-theme",
                                           defaults=_columns("name", _texts(ORIGINAL, "name")))[0]
    raise AssertionError(model)


def _fields(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(translator.get_options_for_model(model).fields)


def _reset(obj: models.Model) -> None:
    """Give every translated field a distinct text in every language, whatever the loader wrote."""
    type(obj)._default_manager.filter(pk=obj.pk).update(**{
        name: value for field in _fields(type(obj)) for name, value in
        {field: ORIGINAL[SOURCE].format(f=field), **_columns(field, _texts(ORIGINAL, field))}.items()})


ADMIN_MODELS = [Agreement, Priority, MethodCategory, Theme, FundingInstrument, SteeringGroup]


def _add_overrides(model: type[models.Model], other_agreement: Agreement) -> dict[str, str]:
    """The unique fields of a second row (the rest of an add form is copied from an existing row)."""
    if model is Agreement:
        return {"code": "lang-agreement"}
    if model is Priority:
        return {"agreement": str(other_agreement.pk), "code": "4"}
    if model is MethodCategory:  # codes are 1–3: the new row takes the place of number 3
        MethodCategory.objects.filter(code=3).delete()
        return {"code": "3"}
    if model is Theme:
        return {"slug": "lang-theme-2"}
    if model is FundingInstrument:
        FundingInstrument.objects.filter(code="PRIVATE").delete()
        return {"code": "PRIVATE"}
    if model is SteeringGroup:
        return {"kind": GroupKind.REGIONAL, "agreement": str(other_agreement.pk)}
    raise AssertionError(model)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("op", ["create", "update"])
@pytest.mark.parametrize("model", ADMIN_MODELS, ids=[m.__name__ for m in ADMIN_MODELS])
def test_admin_form_keeps_every_language(model: type[models.Model], op: str, lang: str, agreement: Agreement,
                                         admin_user: Any) -> None:
    from tests.factories import AgreementFactory

    existing = _instance(model, agreement)
    _reset(existing)
    meta = model._meta
    client = _ui_client(admin_user, lang)
    change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[existing.pk])
    page = client.get(change)
    assert page.status_code == 200
    _assert_served_in(page, lang)
    if op == "update":
        wanted = {field: _after_update(_texts(ORIGINAL, field), lang, field) for field in _fields(model)}
        url, data = change, _page_data(page)
    else:
        wanted = {field: _texts(CREATED, field) for field in _fields(model)}
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
        data = {**_page_data(page, keep_rows=False), **_add_overrides(model, AgreementFactory())}
    for field, texts in wanted.items():
        data.update(_columns(field, texts))
    before = set(model._default_manager.values_list("pk", flat=True))
    response = client.post(url, data)
    assert response.status_code == 302, (response.context["adminform"].form.errors, response.context["errors"]
                                         ) if response.context else response
    if op == "update":
        obj = model._default_manager.get(pk=existing.pk)
    else:
        (pk,) = set(model._default_manager.values_list("pk", flat=True)) - before
        obj = model._default_manager.get(pk=pk)
    _assert_columns(obj, wanted)


LOADED: list[tuple[type[models.Model], dict[str, Any], str]] = [
    (MethodCategory, {"code": 3}, "name"),
    (Theme, {"slug": "lang-loaded"}, "name"),
    (FundingInstrument, {"code": "PRIVATE"}, "name"),
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("op", ["create", "update"])
def test_agreement_load_writes_every_language(lang: str, op: str, agreement: Agreement,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader writes the agreement's own names in every language whatever language is active, and a
    second run with a changed translation changes that column only."""
    from portfolio.data import hev
    from portfolio.services import agreement_load

    names = dict(hev.AGREEMENT["name"])
    priority_names = dict(hev.PRIORITIES[0][1])
    group_names = dict(hev.STEERING_GROUP)
    if op == "create":
        Agreement.objects.filter(pk=agreement.pk).update(code="moved-away")
    else:
        names[lang] = _typed(lang, "name")
        priority_names[lang] = _typed(lang, "priority")
        group_names[lang] = _typed(lang, "group")
        monkeypatch.setitem(hev.AGREEMENT, "name", names)
        monkeypatch.setattr(hev, "PRIORITIES", [(hev.PRIORITIES[0][0], priority_names, hev.PRIORITIES[0][2]),
                                                *hev.PRIORITIES[1:]])
        monkeypatch.setattr(hev, "STEERING_GROUP", group_names)
    with translation.override(lang):
        loaded = agreement_load().agreement
    _assert_columns(loaded, {"name": names, "description": {}})
    _assert_columns(Priority.objects.get(agreement=loaded, code=hev.PRIORITIES[0][0]),
                    {"name": priority_names, "description": hev.PRIORITY_DESCRIPTIONS[hev.PRIORITIES[0][0]]})
    slug, _code, theme_names = hev.THEMES[0]
    _assert_columns(Theme.objects.get(agreement=loaded, slug=slug), {"name": theme_names})
    _assert_columns(SteeringGroup.objects.get(kind=GroupKind.REGIONAL, agreement=loaded), {"name": group_names})
    for code, method_names in hev.METHOD_CATEGORIES:
        _assert_columns(MethodCategory.objects.get(code=code), {"name": method_names})
    for code, instrument_names, *_ in hev.INSTRUMENTS:
        _assert_columns(FundingInstrument.objects.get(code=code), {"name": instrument_names})


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("op", ["create", "update"])
@pytest.mark.parametrize(("model", "lookup", "field"), LOADED, ids=[m.__name__ for m, *_ in LOADED])
def test_upsert_writes_every_language(model: type[models.Model], lookup: dict[str, Any], field: str, op: str,
                                      lang: str, agreement: Agreement) -> None:
    """`upsert(…, translated(…))`, the write every loader uses, under any active language."""
    from portfolio.upsert import translated, upsert

    if model is Theme:  # a theme belongs to an agreement
        lookup = {**lookup, "agreement": agreement}
    existing = model._default_manager.filter(**lookup).first()
    if op == "create" and existing is not None:
        existing.delete()
    extra: dict[str, Any] = {"share_group": "private"} if model is FundingInstrument else {}
    names = _texts(CREATED, field)
    if op == "update":
        with translation.override(SOURCE):
            upsert(model, lookup, {**translated(field, _texts(ORIGINAL, field)), **extra})
        names = _after_update(_texts(ORIGINAL, field), lang, field)
    with translation.override(lang):
        obj, changed = upsert(model, lookup, {**translated(field, names), **extra})
        assert changed
        assert upsert(model, lookup, {**translated(field, names), **extra}) == (obj, False)
    _assert_columns(obj, {field: names})


@pytest.mark.parametrize("lang", LANGS)
def test_steering_groups_ensure_writes_every_language(lang: str, agreement: Agreement) -> None:
    from governance.services import steering_groups_ensure

    regional = _after_update(_texts(ORIGINAL, "regional"), lang, "regional")
    national = _texts(CREATED, "national")
    with translation.override(lang):
        steering_groups_ensure(agreement=agreement, regional_names=regional, national_names=national)
    _assert_columns(SteeringGroup.objects.get(kind=GroupKind.REGIONAL, agreement=agreement), {"name": regional})
    _assert_columns(SteeringGroup.objects.get(kind=GroupKind.NATIONAL, agreement=None), {"name": national})


@pytest.mark.parametrize("lang", LANGS)
def test_read_only_api_collections_refuse_writes(lang: str, agreement: Agreement, admin_user: Any) -> None:
    """Agreements, priorities and method categories have no API write (the loader and the admin write
    them), so the API cannot overwrite a translation."""
    client = Client()
    client.force_login(admin_user)
    priority = Priority.objects.get(agreement=agreement, code=1)
    before = _stored(priority, ("name",))
    for url in (f"/api/v1/agreements/{agreement.pk}/", f"/api/v1/priorities/{priority.pk}/",
                f"/api/v1/method-categories/{MethodCategory.objects.get(code=1).pk}/"):
        response = client.patch(url, json.dumps({"name_en": "X", "name": "X"}), content_type="application/json",
                                HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 403, (url, response.status_code)
    assert _stored(priority, ("name",)) == before


# --- the static guard: no source writes a plain translated field name ----------------------------------------

def _translated_names() -> dict[str, set[str]]:
    """Model class name → its translated field names."""
    return {model.__name__: set(fields) for model, fields in _translated_fields().items()}


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _source_files() -> list[Path]:
    files = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).parts
            if "tests" not in parts and "migrations" not in parts:
                files.append(path)
    return files


def _plain_writes(tree: ast.AST, by_model: dict[str, set[str]]) -> Iterator[tuple[int, str]]:
    every = set().union(*by_model.values())
    # Receivers that by their name hold a translated model: `project`, `org`, `locked` (a locked project)…
    receivers = {_snake(name) for name in by_model} | {"org", "locked", "instrument", "group", "category",
                                                       "theme", "obj", "instance"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if (isinstance(sub, ast.Attribute) and sub.attr in every and isinstance(sub.value, ast.Name)
                            and sub.value.id.lower() in receivers):
                        yield node.lineno, f"{sub.value.id}.{sub.attr} = …"
        elif isinstance(node, ast.Call):
            func = node.func
            # setattr(x, "title", …)
            if (isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant) and node.args[1].value in every):
                yield node.lineno, f"setattr(…, {node.args[1].value!r}, …)"
            # Project(title=…), Project.objects.create(title=…), ….update(title=…)
            model_name = None
            if isinstance(func, ast.Name) and func.id in by_model:
                model_name = func.id
            elif isinstance(func, ast.Attribute) and func.attr in ("create", "get_or_create", "update_or_create",
                                                                   "update"):
                base = func.value
                while isinstance(base, ast.Attribute | ast.Call):
                    base = base.value if isinstance(base, ast.Attribute) else base.func
                if isinstance(base, ast.Name) and base.id in by_model:
                    model_name = base.id
            if model_name:
                for keyword in node.keywords:
                    if keyword.arg in by_model[model_name]:
                        yield node.lineno, f"{model_name}(…{keyword.arg}=…)"
                    elif keyword.arg == "defaults" and isinstance(keyword.value, ast.Dict):
                        for key in keyword.value.keys:
                            if isinstance(key, ast.Constant) and key.value in by_model[model_name]:
                                yield node.lineno, f"{model_name}…(defaults={{{key.value!r}: …}})"
            # upsert(Model, lookup, {"name": …})
            if (isinstance(func, ast.Name) and func.id == "upsert" and len(node.args) >= 3
                    and isinstance(node.args[0], ast.Name) and node.args[0].id in by_model):
                for part in node.args[1:3]:
                    if isinstance(part, ast.Dict):
                        for key in part.keys:
                            if isinstance(key, ast.Constant) and key.value in by_model[node.args[0].id]:
                                yield node.lineno, f"upsert({node.args[0].id}, …{key.value!r}…)"


def test_no_source_writes_a_plain_translated_field_name() -> None:
    """A write must name its language column (`title_fi`), never the plain name, which modeltranslation
    sends to whatever language is active."""
    by_model = _translated_names()
    found = []
    for path in _source_files():
        for line, what in _plain_writes(ast.parse(path.read_text(encoding="utf-8")), by_model):
            found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert found == []


def test_the_static_guard_finds_plain_writes() -> None:
    """The guard above is not blind: it reports the writes that caused the data loss."""
    sample = ast.parse(
        "project.title = data['title_fi']\n"
        "organisation.name = data['name_fi']\n"
        "Project(agreement=a, title=title, summary=summary)\n"
        "Organisation.objects.filter(pk=1).update(name='x')\n"
        "upsert(Theme, {'slug': s}, {'name': n})\n"
        "setattr(obj, 'summary', s)\n"
        "Priority.objects.get_or_create(code=1, defaults={'name': n, 'name_fi': n})\n"
        "proposal.title = title\n"  # not a translated model: allowed
    )
    found = sorted(what for _, what in _plain_writes(sample, _translated_names()))
    assert found == sorted(["project.title = …", "organisation.name = …", "Project(…title=…)", "Project(…summary=…)",
                     "Organisation(…name=…)", "upsert(Theme, …'name'…)", "setattr(…, 'summary', …)",
                           "Priority…(defaults={'name': …})"])

from modeltranslation.translator import TranslationOptions, register
from simple_history import register as history_register

from .models import Agreement, MethodCategory, Organisation, Priority, Project, RequestIDHistory, Theme


@register(Agreement)
class AgreementTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    fields = ("name",)


@register(Priority)
class PriorityTranslation(TranslationOptions):
    fields = ("name", "description")


@register(MethodCategory)
class MethodCategoryTranslation(TranslationOptions):
    fields = ("name",)


@register(Theme)
class ThemeTranslation(TranslationOptions):
    fields = ("name",)


@register(Project)
class ProjectTranslation(TranslationOptions):
    fields = ("title", "summary")


# History models are made here, after modeltranslation has added the per-language fields, so that the
# history keeps every language (simple-history copies the fields that exist when it registers).
history_register(Agreement, bases=[RequestIDHistory])
history_register(Organisation, bases=[RequestIDHistory])
# The action plan (toimenpidesuunnitelma): priorities' descriptions and the themes under them.
history_register(Priority, bases=[RequestIDHistory])
history_register(Theme, bases=[RequestIDHistory])
history_register(Project, m2m_fields=["methods", "themes"], excluded_fields=["updated_at"],
                 bases=[RequestIDHistory])

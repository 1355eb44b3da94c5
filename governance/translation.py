from modeltranslation.translator import TranslationOptions, register

from .models import SteeringGroup


@register(SteeringGroup)
class SteeringGroupTranslation(TranslationOptions):
    fields = ("name",)

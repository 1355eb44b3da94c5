from modeltranslation.translator import TranslationOptions, register
from simple_history import register as history_register

from portfolio.models import RequestIDHistory

from .models import Indicator


@register(Indicator)
class IndicatorTranslation(TranslationOptions):
    fields = ("name",)


# After modeltranslation has added the per-language fields, so that the history keeps every language.
history_register(Indicator, bases=[RequestIDHistory])

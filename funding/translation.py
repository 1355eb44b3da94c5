from modeltranslation.translator import TranslationOptions, register

from .models import FundingInstrument


@register(FundingInstrument)
class FundingInstrumentTranslation(TranslationOptions):
    fields = ("name",)

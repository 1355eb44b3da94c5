from django.contrib import admin
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import FundingFrame, FundingInstrument, FundingLine


@admin.register(FundingInstrument)
class FundingInstrumentAdmin(TranslationAdmin):
    list_display = ["code", "name", "share_group", "available_from", "available_until"]
    list_filter = ["share_group"]
    search_fields = ["code", "name"]


@admin.register(FundingFrame)
class FundingFrameAdmin(SimpleHistoryAdmin):
    list_display = ["agreement", "instrument", "year", "amount", "decision_reference", "decision_date"]
    list_filter = ["agreement", "instrument", "year"]
    search_fields = ["decision_reference"]
    list_select_related = ["agreement", "instrument"]


@admin.register(FundingLine)
class FundingLineAdmin(SimpleHistoryAdmin):
    list_display = ["project", "instrument", "year", "kind", "planned_amount", "granted_amount", "spent_amount"]
    list_filter = ["kind", "instrument", "year", "project__agreement"]
    search_fields = ["project__code", "project__title"]
    list_select_related = ["project", "instrument"]
    autocomplete_fields = ["project"]

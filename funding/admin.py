from typing import Any

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import FundingDecision, FundingDecisionLine, FundingFrame, FundingInstrument, FundingLine, SpendingEntry


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
    """Granted and spent amounts are read-only here: they change only through recorded decisions and
    spending entries (funding.services), which keep their source on the line and in its history."""

    list_display = ["project", "instrument", "year", "kind", "planned_amount", "granted_amount", "spent_amount"]
    list_filter = ["kind", "instrument", "year", "project__agreement"]
    search_fields = ["project__code", "project__title"]
    list_select_related = ["project", "instrument"]
    autocomplete_fields = ["project"]
    readonly_fields = ["granted_amount", "spent_amount", "granted_decision", "granted_source", "spent_source"]


class FundingDecisionLineInline(admin.TabularInline):
    model = FundingDecisionLine
    extra = 0
    readonly_fields = ["instrument", "year", "amount"]
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(FundingDecision)
class FundingDecisionAdmin(SimpleHistoryAdmin):
    """Read-only: a decision is recorded through funding_decision_record (the API's funding-decisions), which
    also sets the granted amounts; editing a row here would leave them without their source."""

    list_display = ["project", "kind", "decided_on", "reference", "eura_code", "authority"]
    list_filter = ["kind", "project__agreement"]
    search_fields = ["reference", "eura_code", "project__code"]
    list_select_related = ["project"]
    inlines = [FundingDecisionLineInline]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(SpendingEntry)
class SpendingEntryAdmin(SimpleHistoryAdmin):
    """Read-only: entries are recorded through spending_entry_record, which updates the spent amounts."""

    list_display = ["project", "instrument", "year", "date", "source", "reference", "amount"]
    list_filter = ["source", "instrument", "year", "project__agreement"]
    search_fields = ["reference", "project__code"]
    list_select_related = ["project", "instrument"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

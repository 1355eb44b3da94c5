from typing import Any

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Enterprise, Indicator, IndicatorTarget, IndicatorValue, Milestone, ProjectEnterprise


@admin.register(Indicator)
class IndicatorAdmin(TranslationAdmin, SimpleHistoryAdmin):
    """The catalogue: loaded by load_agreement, editable here (names in every language, unit, type)."""

    list_display = ["code", "name", "unit", "kind", "is_cumulative", "breakdown", "register_count", "is_common"]
    list_filter = ["kind", "unit", "is_common", "is_cumulative"]
    search_fields = ["code", "name"]


class _ReadOnlyAdmin(SimpleHistoryAdmin):
    """Project figures change only through followup.services (units, the project's dates, the register's
    de-duplication), from the project page; the admin shows them and their history."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(_ReadOnlyAdmin):
    list_display = ["project", "indicator", "breakdown_value", "target_value"]
    list_filter = ["indicator", "project__agreement"]
    search_fields = ["project__code"]
    list_select_related = ["project", "indicator"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(_ReadOnlyAdmin):
    list_display = ["project", "indicator", "period_start", "period_end", "value", "breakdown_value", "recorded_by"]
    list_filter = ["indicator", "project__agreement"]
    search_fields = ["project__code", "source_note"]
    list_select_related = ["project", "indicator", "recorded_by"]


@admin.register(Enterprise)
class EnterpriseAdmin(SimpleHistoryAdmin):
    list_display = ["business_id", "name", "size_class"]
    list_filter = ["size_class"]
    search_fields = ["business_id", "name"]


@admin.register(ProjectEnterprise)
class ProjectEnterpriseAdmin(_ReadOnlyAdmin):
    list_display = ["project", "enterprise", "relation", "is_new", "date"]
    list_filter = ["relation", "is_new", "project__agreement"]
    search_fields = ["project__code", "enterprise__business_id", "enterprise__name"]
    list_select_related = ["project", "enterprise"]


@admin.register(Milestone)
class MilestoneAdmin(_ReadOnlyAdmin):
    list_display = ["project", "title", "planned_date", "actual_date"]
    search_fields = ["project__code", "title"]
    list_select_related = ["project"]

"""Admin of the follow-up app: the indicator catalogue and the enterprise register are edited here; project
figures and progress reports are shown with their history (their rules are in followup.services)."""

from typing import Any

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Enterprise,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Milestone,
    ProgressReport,
    ProgressReportAttachment,
    ProgressReportSpending,
    ProgressReportTransition,
    ProjectEnterprise,
    ReportingSchedule,
    ReportReminder,
)


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


# --- progress reports (read and correct; the workflow is the portal's pages) ---------------------------------

class SpendingInline(admin.TabularInline):
    model = ProgressReportSpending
    extra = 0


class TransitionInline(admin.TabularInline):
    model = ProgressReportTransition
    extra = 0
    can_delete = False
    readonly_fields = ["from_state", "to_state", "by", "at", "comment"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class AttachmentInline(admin.TabularInline):
    model = ProgressReportAttachment
    extra = 0
    readonly_fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    fields = ["original_name", "description", "content_type", "size", "uploaded_by", "uploaded_at"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ProgressReport)
class ProgressReportAdmin(SimpleHistoryAdmin):
    list_display = ["project", "kind", "period_start", "period_end", "due_date", "review_state", "status"]
    list_filter = ["review_state", "status", "kind", "project__agreement"]
    search_fields = ["project__code", "project__title"]
    list_select_related = ["project"]
    # The workflow fields move only through the services (submit, accept, return).
    readonly_fields = ["project", "kind", "period_start", "period_end", "review_state", "submitted_at",
                       "submitted_by", "reviewed_at", "reviewed_by"]
    inlines = [SpendingInline, AttachmentInline, TransitionInline]
    date_hierarchy = "due_date"

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).visible_to(request.user)


@admin.register(ReportingSchedule)
class ReportingScheduleAdmin(SimpleHistoryAdmin):
    list_display = ["project", "frequency", "due_days", "final_window_days"]
    list_filter = ["frequency"]
    search_fields = ["project__code", "project__title"]
    autocomplete_fields = ["project"]


@admin.register(ReportReminder)
class ReportReminderAdmin(admin.ModelAdmin):
    list_display = ["report", "kind", "sent_at", "recipients"]
    list_filter = ["kind"]
    readonly_fields = ["report", "kind", "sent_at", "recipients"]


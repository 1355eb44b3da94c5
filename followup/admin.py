"""Admin of the follow-up app's progress reports (read and correct; the workflow is the portal's pages)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ProgressReport,
    ProgressReportAttachment,
    ProgressReportSpending,
    ProgressReportTransition,
    ReportingSchedule,
    ReportReminder,
)


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

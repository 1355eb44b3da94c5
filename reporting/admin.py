from django.contrib import admin

from .models import ReportDownload, SummaryDelivery, SummaryReport


@admin.register(SummaryReport)
class SummaryReportAdmin(admin.ModelAdmin):
    list_display = ["audience", "agreement", "period", "version", "language", "rerun", "status", "review_status",
                    "progress", "created_at", "completed_at"]
    list_filter = ["audience", "status", "review_status", "language", "agreement"]
    search_fields = ["period"]
    # The snapshot and its files are the record of what was reported: never edited by hand.
    readonly_fields = ["snapshot", "data_version", "error", "status", "progress", "started_at", "completed_at",
                       "pdf_file", "xlsx_file", "csv_file", "json_file", "requested_by", "rerun",
                       # The review goes through its services (who, when, frozen once approved), not the admin.
                       "review_status", "key_messages", "risks", "asks", "narrative_updated_at",
                       "narrative_updated_by", "approved_at", "approved_by", "sent_at", "correction_of",
                       "correction_reason", "review_reminded_at", "agenda_item", "agenda_pending"]


@admin.register(SummaryDelivery)
class SummaryDeliveryAdmin(admin.ModelAdmin):
    """The delivery log, to look at; a failed delivery is retried from the summary page."""

    list_display = ["report", "email", "language", "status", "attempts", "queued_at", "sent_at"]
    list_filter = ["status", "language"]
    search_fields = ["email"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(ReportDownload)
class ReportDownloadAdmin(admin.ModelAdmin):
    list_display = ["report", "file_format", "user", "downloaded_at"]
    list_filter = ["file_format"]

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

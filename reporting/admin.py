from django.contrib import admin

from .models import ReportDownload, SummaryReport


@admin.register(SummaryReport)
class SummaryReportAdmin(admin.ModelAdmin):
    list_display = ["audience", "agreement", "period", "version", "language", "rerun", "status", "progress",
                    "created_at", "completed_at"]
    list_filter = ["audience", "status", "language", "agreement"]
    search_fields = ["period"]
    # The snapshot and its files are the record of what was reported: never edited by hand.
    readonly_fields = ["snapshot", "data_version", "error", "status", "progress", "started_at", "completed_at",
                       "pdf_file", "xlsx_file", "csv_file", "json_file", "requested_by", "rerun"]


@admin.register(ReportDownload)
class ReportDownloadAdmin(admin.ModelAdmin):
    list_display = ["report", "file_format", "user", "downloaded_at"]
    list_filter = ["file_format"]

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

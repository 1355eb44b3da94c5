from django.contrib import admin

from .models import ReportDownload, SummaryReport


@admin.register(SummaryReport)
class SummaryReportAdmin(admin.ModelAdmin):
    list_display = ["audience", "agreement", "period", "version", "status", "created_at", "completed_at"]
    list_filter = ["audience", "status", "agreement"]
    search_fields = ["period"]
    readonly_fields = ["snapshot", "data_version", "error"]


@admin.register(ReportDownload)
class ReportDownloadAdmin(admin.ModelAdmin):
    list_display = ["report", "file_format", "user", "downloaded_at"]
    list_filter = ["file_format"]

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

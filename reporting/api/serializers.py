"""Summary reports as JSON, with the download URL of each file."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from ..models import SummaryReport

FORMATS = ("pdf", "xlsx", "csv", "json")


def download_url(report: SummaryReport, file_format: str, request: Any = None) -> str | None:
    """The API URL that serves one file of a summary (token or session authentication), or None."""
    from django.urls import reverse

    if not getattr(report, f"{file_format}_file", None):
        return None
    url = reverse("api:report-download", kwargs={"pk": report.pk, "file_format": file_format})
    return request.build_absolute_uri(url) if request is not None else url


FILES_SCHEMA = inline_serializer(
    "ReportFiles",
    fields={fmt: serializers.URLField(allow_null=True, help_text=f"Download URL of the {fmt.upper()} file, "
                                                                  "null until it exists.")
            for fmt in FORMATS},
)


class SummaryReportSerializer(serializers.ModelSerializer):
    """A compiled summary (kooste) of one period for the steering group or the national steering group."""

    files = serializers.SerializerMethodField()

    class Meta:
        model = SummaryReport
        fields = ["id", "audience", "agreement", "period", "period_start", "period_end", "version", "language",
                  "status", "progress", "error", "data_version", "requested_by", "created_at", "completed_at",
                  "files"]
        read_only_fields = fields

    @extend_schema_field(FILES_SCHEMA)
    def get_files(self, report: SummaryReport) -> dict[str, str | None]:
        request = self.context.get("request")
        return {fmt: download_url(report, fmt, request) for fmt in FORMATS}

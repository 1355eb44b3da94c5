"""Summary reports as JSON, with the download URL of each file."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from ..models import SummaryDelivery, SummaryReport, SummaryReviewEvent

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


class SummaryDeliverySerializer(serializers.ModelSerializer):
    """The e-mail of an approved summary to one recipient: queued, sent, or failed with the reason."""

    class Meta:
        model = SummaryDelivery
        fields = ["id", "email", "language", "status", "error", "attempts", "queued_at", "sent_at", "attachments"]
        read_only_fields = fields


class SummaryReviewEventSerializer(serializers.ModelSerializer):
    """One step of the review: what was done, by whom (user id) and when."""

    class Meta:
        model = SummaryReviewEvent
        fields = ["action", "by", "at", "note"]
        read_only_fields = fields


class SummaryReportSerializer(serializers.ModelSerializer):
    """A compiled summary (kooste) of one period for the steering group or the national steering group."""

    files = serializers.SerializerMethodField()
    deliveries = SummaryDeliverySerializer(many=True, read_only=True)
    history = SummaryReviewEventSerializer(source="review_events", many=True, read_only=True)
    files_state = serializers.ChoiceField(
        choices=["ready", "making", "failed"], read_only=True,
        help_text="ready: the files include the narrative last saved; making: a task is making them again with "
                  "it (the summary cannot be approved until then); failed: see files_error.")

    class Meta:
        model = SummaryReport
        fields = ["id", "audience", "agreement", "period", "period_start", "period_end", "version", "language",
                  "status", "progress", "error", "data_version", "requested_by", "created_at", "completed_at",
                  "files", "files_state", "files_error", "review_status", "key_messages", "risks", "asks",
                  "narrative_updated_at", "narrative_updated_by", "approved_at", "approved_by", "sent_at",
                  "correction_of", "correction_reason", "deliveries", "history"]
        read_only_fields = fields

    @extend_schema_field(FILES_SCHEMA)
    def get_files(self, report: SummaryReport) -> dict[str, str | None]:
        request = self.context.get("request")
        return {fmt: download_url(report, fmt, request) for fmt in FORMATS}


class NarrativeSerializer(serializers.Serializer):
    """The coordinator's narrative of a draft, in the summary's language (each part may be empty)."""

    key_messages = serializers.CharField(allow_blank=True, max_length=5000, trim_whitespace=True)
    risks = serializers.CharField(allow_blank=True, max_length=5000, required=False, default="")
    asks = serializers.CharField(allow_blank=True, max_length=5000, required=False, default="")


class CorrectionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the approved summary is corrected.")


# --- the national view (GET /api/v1/national/) -------------------------------------------------------------

def _money_field(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=18, decimal_places=2, **kwargs)


class NationalSplitSerializer(serializers.Serializer):
    total = _money_field()
    local = _money_field()
    eu_state = _money_field()
    private = _money_field()
    local_percent = _money_field(allow_null=True)
    eu_state_percent = _money_field(allow_null=True)
    private_percent = _money_field(allow_null=True)
    split_ok = serializers.BooleanField(allow_null=True, help_text="Within the indicative 40/60 split; null "
                                                                   "without money.")


class NationalPriority4Serializer(serializers.Serializer):
    planned = serializers.BooleanField()
    granted = serializers.BooleanField()


class NationalMoneySerializer(serializers.Serializer):
    planned = NationalSplitSerializer(source="split.planned")
    granted = NationalSplitSerializer(source="split.granted")
    spent = NationalSplitSerializer(source="split.spent")
    priority4_ok = NationalPriority4Serializer(help_text="The priority-4 rule on planned and granted money.")


class NationalIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    unit = serializers.CharField()
    target = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    achieved = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True,
                                        help_text="Null where the figures are not shown (an agreement you do not "
                                                  "work on).")


class NationalFiguresSerializer(serializers.Serializer):
    projects = serializers.IntegerField(source="money.projects")
    by_status = serializers.DictField(child=serializers.IntegerField(), source="money.by_status",
                                      help_text="Projects per status.")
    money = NationalMoneySerializer()
    progress = serializers.DictField(child=serializers.IntegerField(),
                                     help_text="Projects by the status of their latest submitted or accepted "
                                               "progress report (on_track, at_risk, late), unreported, and the "
                                               "overdue reports.")
    indicators = NationalIndicatorSerializer(many=True)
    enterprises = serializers.IntegerField(allow_null=True, help_text="Enterprises supported (RCO01), each once.")


class NationalAgreementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class NationalRowSerializer(NationalFiguresSerializer):
    agreement = NationalAgreementSerializer()
    full = serializers.BooleanField(help_text="False: an agreement you do not work on; its decided projects only.")


class NationalViewSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    agreements = NationalRowSerializer(many=True)
    country = NationalFiguresSerializer()

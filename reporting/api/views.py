"""API viewset of summary reports: list, detail with download links, and starting a compilation."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view

from config.api_views import ReadOnlyPortalViewSet
from portfolio.api.permissions import PortalReader

from ..models import SummaryReport
from .filters import SummaryReportFilter
from .serializers import SummaryReportSerializer


@extend_schema_view(list=extend_schema(summary="List summary reports"),
                    retrieve=extend_schema(summary="A summary report with its download links"))
class SummaryReportViewSet(ReadOnlyPortalViewSet):
    serializer_class = SummaryReportSerializer
    permission_classes = [PortalReader]
    filterset_class = SummaryReportFilter

    def get_queryset(self) -> QuerySet[SummaryReport]:
        return SummaryReport.objects.visible_to(self.request.user).order_by("-created_at", "pk")

"""API viewsets of proposals, meetings and decisions. Statuses change only through the transition
actions, which call `governance.services`."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view

from config.api_views import ReadOnlyPortalViewSet
from portfolio.api.permissions import PortalReader

from ..models import Decision, Meeting, Proposal
from .filters import DecisionFilter, MeetingFilter, ProposalFilter
from .serializers import DecisionSerializer, MeetingSerializer, ProposalSerializer


@extend_schema_view(list=extend_schema(summary="List proposals"), retrieve=extend_schema(summary="A proposal"))
class ProposalViewSet(ReadOnlyPortalViewSet):
    serializer_class = ProposalSerializer
    permission_classes = [PortalReader]
    filterset_class = ProposalFilter

    def get_queryset(self) -> QuerySet[Proposal]:
        return (Proposal.objects.visible_to(self.request.user).select_related("project")
                .prefetch_related("funding_lines__instrument").order_by("-created_at", "pk"))


@extend_schema_view(list=extend_schema(summary="List meetings"), retrieve=extend_schema(summary="A meeting"))
class MeetingViewSet(ReadOnlyPortalViewSet):
    serializer_class = MeetingSerializer
    permission_classes = [PortalReader]
    filterset_class = MeetingFilter

    def get_queryset(self) -> QuerySet[Meeting]:
        return (Meeting.objects.visible_to(self.request.user).select_related("group")
                .prefetch_related("attendees", "proposals").order_by("-starts_at", "pk"))


@extend_schema_view(list=extend_schema(summary="List decisions"), retrieve=extend_schema(summary="A decision"))
class DecisionViewSet(ReadOnlyPortalViewSet):
    serializer_class = DecisionSerializer
    permission_classes = [PortalReader]
    filterset_class = DecisionFilter

    def get_queryset(self) -> QuerySet[Decision]:
        return (Decision.objects.visible_to(self.request.user).select_related("proposal")
                .prefetch_related("funding_lines__instrument", "recusals").order_by("-decided_at", "pk"))

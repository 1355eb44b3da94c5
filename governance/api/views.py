"""API viewsets of proposals, meetings and decisions. Statuses change only through the workflow actions,
each of which calls one `governance.services` function; the services check the permissions and the
allowed transitions (an illegal one is 409)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.api_views import PortalViewSet

from .. import services
from ..filters import ProposalFilter
from ..models import Decision, Meeting, Proposal
from ..permissions import GovernanceReadOnlyOrCoordinator
from .filters import DecisionFilter, MeetingFilter
from .serializers import (
    AgendaItemWriteSerializer,
    AttendanceSerializer,
    DecisionCorrectSerializer,
    DecisionRecordSerializer,
    DecisionSerializer,
    MeetingSerializer,
    MeetingWriteSerializer,
    MinutesSerializer,
    ProposalAgendaSerializer,
    ProposalSerializer,
    ProposalWithdrawSerializer,
    ProposalWriteSerializer,
)


def _action_schema(summary: str, response: Any, request: Any = None, description: str = "") -> Any:
    return extend_schema(summary=summary, description=description, request=request, responses={200: response},
                         filters=False)


@extend_schema_view(
    list=extend_schema(summary="List proposals"),
    retrieve=extend_schema(summary="A proposal"),
    create=extend_schema(summary="Create a draft proposal (coordinators of the project's agreement)"),
    update=extend_schema(summary="Replace a draft proposal"),
    partial_update=extend_schema(summary="Change a draft proposal"),
)
class ProposalViewSet(PortalViewSet):
    """Project proposals put to a steering group. States: draft → submitted → on an agenda → decided, or
    withdrawn; only through the actions."""

    serializer_class = ProposalSerializer
    write_serializer_class = ProposalWriteSerializer
    permission_classes = [GovernanceReadOnlyOrCoordinator]
    filterset_class = ProposalFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Proposal]:
        return (Proposal.objects.visible_to(self.request.user).select_related("project")
                .prefetch_related("funding_lines__instrument").order_by("-created_at", "pk"))

    def perform_create(self, serializer: Any) -> Proposal:
        data = serializer.validated_data
        return services.proposal_create(project=data["project"], title=data["title"], plan=data.get("plan", ""),
                                        funding_lines=data.get("funding_lines", []), user=self.request.user)

    def perform_update(self, serializer: Any, instance: Proposal) -> Proposal:  # type: ignore[override]
        data = serializer.validated_data
        return services.proposal_update(proposal=instance, user=self.request.user, title=data.get("title"),
                                        plan=data.get("plan"), funding_lines=data.get("funding_lines"))

    @_action_schema("Submit a draft to the steering group", ProposalSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self.run_action(request, lambda p, d: services.proposal_submit(proposal=p, user=request.user))

    @_action_schema("Withdraw a proposal", ProposalSerializer, ProposalWithdrawSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        return self.run_action(request, lambda p, d: services.proposal_withdraw(
            proposal=p, user=request.user, reason=d.get("reason", "")), ProposalWithdrawSerializer)

    @_action_schema("Put a submitted proposal on a meeting's agenda", ProposalSerializer, ProposalAgendaSerializer)
    @action(detail=True, methods=["post"], url_path="add-to-agenda")
    def add_to_agenda(self, request: Request, pk: str | None = None) -> Response:
        return self.run_action(request, lambda p, d: services.proposal_add_to_agenda(
            proposal=p, meeting=d["meeting"], user=request.user), ProposalAgendaSerializer)

    @_action_schema("Take a proposal off the agenda", ProposalSerializer)
    @action(detail=True, methods=["post"], url_path="remove-from-agenda")
    def remove_from_agenda(self, request: Request, pk: str | None = None) -> Response:
        return self.run_action(request, lambda p, d: services.proposal_remove_from_agenda(
            proposal=p, user=request.user))


@extend_schema_view(
    list=extend_schema(summary="List meetings"),
    retrieve=extend_schema(summary="A meeting"),
    create=extend_schema(summary="Plan a meeting (coordinators, chair or secretary)"),
    update=extend_schema(summary="Replace a meeting's time and place"),
    partial_update=extend_schema(summary="Change a meeting's time and place"),
)
class MeetingViewSet(PortalViewSet):
    """Steering-group meetings: planned → agenda published → held → minutes confirmed (a permanent record)."""

    serializer_class = MeetingSerializer
    write_serializer_class = MeetingWriteSerializer
    permission_classes = [GovernanceReadOnlyOrCoordinator]
    filterset_class = MeetingFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Meeting]:
        return (Meeting.objects.visible_to(self.request.user).select_related("group")
                .prefetch_related("attendees", "proposals", "other_items").order_by("-starts_at", "pk"))

    def perform_create(self, serializer: Any) -> Meeting:
        data = serializer.validated_data
        return services.meeting_create(group=data["group"], title=data["title"], starts_at=data["starts_at"],
                                       location=data.get("location", ""), online_url=data.get("online_url", ""),
                                       user=self.request.user)

    def perform_update(self, serializer: Any, instance: Meeting) -> Meeting:  # type: ignore[override]
        data = serializer.validated_data
        return services.meeting_update(meeting=instance, user=self.request.user, title=data.get("title"),
                                       starts_at=data.get("starts_at"), location=data.get("location"),
                                       online_url=data.get("online_url"))

    @_action_schema("Add an agenda item other than a proposal", MeetingSerializer, AgendaItemWriteSerializer)
    @action(detail=True, methods=["post"])
    def items(self, request: Request, pk: str | None = None) -> Response:
        def add(meeting: Meeting, data: dict[str, Any]) -> Meeting:
            services.meeting_add_item(meeting=meeting, title=data["title"],
                                      description=data.get("description", ""), user=request.user)
            return meeting

        return self.run_action(request, add, AgendaItemWriteSerializer)

    @_action_schema("Publish the agenda", MeetingSerializer)
    @action(detail=True, methods=["post"], url_path="publish-agenda")
    def publish_agenda(self, request: Request, pk: str | None = None) -> Response:
        return self.run_action(request, lambda m, d: services.meeting_publish_agenda(meeting=m, user=request.user))

    @_action_schema("Record who attended", MeetingSerializer, AttendanceSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        return self.run_action(request, lambda m, d: services.meeting_record_attendance(
            meeting=m, attendees=d["attendees"], user=request.user), AttendanceSerializer)

    @_action_schema("Write the minutes", MeetingSerializer, MinutesSerializer)
    @action(detail=True, methods=["post"])
    def minutes(self, request: Request, pk: str | None = None) -> Response:
        return self.run_action(request, lambda m, d: services.meeting_update_minutes(
            meeting=m, minutes=d["minutes"], user=request.user), MinutesSerializer)

    @_action_schema("Confirm the minutes", MeetingSerializer,
                    description="The minutes and every decision of the meeting become a permanent record.")
    @action(detail=True, methods=["post"], url_path="confirm-minutes")
    def confirm_minutes(self, request: Request, pk: str | None = None) -> Response:
        return self.run_action(request, lambda m, d: services.meeting_confirm_minutes(meeting=m, user=request.user))


@extend_schema_view(
    list=extend_schema(summary="List decisions"),
    retrieve=extend_schema(summary="A decision"),
    create=extend_schema(summary="Record a decision (chair or secretary of the meeting's group)",
                         description="An approval moves the project to approved and sets its granted funding, "
                                     "all in one transaction."),
)
class DecisionViewSet(PortalViewSet):
    """Steering-group decisions. A recorded decision is never changed; a correction is a new decision."""

    serializer_class = DecisionSerializer
    write_serializer_class = DecisionRecordSerializer
    permission_classes = [GovernanceReadOnlyOrCoordinator]
    filterset_class = DecisionFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Decision]:
        return (Decision.objects.visible_to(self.request.user).select_related("proposal")
                .prefetch_related("funding_lines__instrument", "recusals").order_by("-decided_at", "pk"))

    def perform_create(self, serializer: Any) -> Decision:
        kwargs = serializer.service_kwargs()
        return services.decision_record(proposal=kwargs.pop("proposal"), meeting=kwargs.pop("meeting"),
                                        user=self.request.user, **kwargs)

    @_action_schema("Correct a decision with a new one", DecisionSerializer, DecisionCorrectSerializer)
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: str | None = None) -> Response:
        def correct(decision: Decision, data: dict[str, Any]) -> Decision:
            serializer = DecisionCorrectSerializer(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            kwargs = serializer.service_kwargs()
            return services.decision_correct(decision=decision, meeting=kwargs.pop("meeting"),
                                             user=request.user, **kwargs)

        return self.run_action(request, correct)

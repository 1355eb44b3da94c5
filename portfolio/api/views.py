"""API viewsets of the portfolio. Thin: scope with `visible_to`, filter with the shared FilterSets, call
one service or selector, render."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import Conflict, PreconditionFailed, parse_if_match
from config.api_views import IF_MATCH_OPTIONAL, PortalViewSet, ReadOnlyPortalViewSet

from ..filters import ProjectFilter
from ..models import Agreement, MethodCategory, Organisation, Priority, Project
from .extensions import project_prefetches
from .filters import AgreementFilter, MethodCategoryFilter, OrganisationFilter, PriorityFilter
from .permissions import PortalReader, PortalReaderCoordinatorWriter
from .serializers import (
    AgreementSerializer,
    MethodCategorySerializer,
    OrganisationSerializer,
    OrganisationWriteSerializer,
    PrioritySerializer,
    ProjectSerializer,
    ProjectWriteSerializer,
    project_list_data,
    project_list_renderable,
    project_list_rows,
)

NOT_YOUR_AGREEMENT = _("You do not work on this agreement.")

class ProjectStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[("running", "running"), ("closed", "closed")],
                                     help_text="`running` for an approved project, `closed` for a running one.")


@extend_schema_view(
    list=extend_schema(summary="List agreements", description="Every agreement (agreements are public facts)."),
    retrieve=extend_schema(summary="An agreement"),
)
class AgreementViewSet(ReadOnlyPortalViewSet):
    """Innovation ecosystem agreements between the State and city regions (read-only)."""

    serializer_class = AgreementSerializer
    permission_classes = [PortalReader]
    filterset_class = AgreementFilter

    def get_queryset(self) -> QuerySet[Agreement]:
        return Agreement.objects.visible_to(self.request.user).order_by("name", "pk")


@extend_schema_view(list=extend_schema(summary="List priorities"), retrieve=extend_schema(summary="A priority"))
class PriorityViewSet(ReadOnlyPortalViewSet):
    """The strategic priorities (1–4) of each agreement (read-only)."""

    serializer_class = PrioritySerializer
    permission_classes = [PortalReader]
    filterset_class = PriorityFilter

    def get_queryset(self) -> QuerySet[Priority]:
        agreements = Agreement.objects.visible_to(self.request.user)
        return Priority.objects.filter(agreement__in=agreements).order_by("agreement_id", "code", "pk")


@extend_schema_view(list=extend_schema(summary="List method categories"),
                    retrieve=extend_schema(summary="A method category"))
class MethodCategoryViewSet(ReadOnlyPortalViewSet):
    """The method categories (1–3) shared by all agreements (read-only)."""

    serializer_class = MethodCategorySerializer
    permission_classes = [PortalReader]
    filterset_class = MethodCategoryFilter
    queryset = MethodCategory.objects.order_by("code", "pk")


@extend_schema_view(
    list=extend_schema(summary="List organisations"),
    retrieve=extend_schema(summary="An organisation"),
    create=extend_schema(summary="Create an organisation (coordinators)"),
    update=extend_schema(summary="Replace an organisation (coordinators)"),
    partial_update=extend_schema(summary="Change an organisation (coordinators)"),
)
class OrganisationViewSet(PortalViewSet):
    """Cities, universities, research institutes, companies and public bodies. Coordinators create and change them."""

    serializer_class = OrganisationSerializer
    write_serializer_class = OrganisationWriteSerializer
    permission_classes = [PortalReaderCoordinatorWriter]
    filterset_class = OrganisationFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Organisation]:
        return Organisation.objects.order_by("name", "pk")

    def perform_create(self, serializer: Any) -> Organisation:
        from ..services import organisation_save

        return organisation_save(data=serializer.validated_data, user=self.request.user)

    def perform_update(self, serializer: Any, instance: Organisation) -> Organisation:  # type: ignore[override]
        from ..services import organisation_save

        return organisation_save(data=serializer.validated_data, user=self.request.user, organisation=instance)


@extend_schema_view(
    list=extend_schema(summary="List projects",
                       description="Projects the user may see, with their funding lines and decisions."),
    retrieve=extend_schema(summary="A project", description="The `ETag` is the project's version."),
    create=extend_schema(summary="Create a project (coordinators of its agreement)",
                         description="A new project starts as an idea; its status changes only through "
                                     "steering-group decisions."),
    update=extend_schema(summary="Replace a project's own fields (If-Match required)"),
    partial_update=extend_schema(summary="Change a project's own fields (If-Match required)"),
)
class ProjectViewSet(PortalViewSet):
    """Projects of the portfolio. Writes need the coordinator role in the project's agreement and an
    `If-Match` header with the `ETag` (the version) that was read."""

    serializer_class = ProjectSerializer
    write_serializer_class = ProjectWriteSerializer
    permission_classes = [PortalReaderCoordinatorWriter]
    filterset_class = ProjectFilter
    if_match_required = True
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Project]:
        user = self.request.user
        projects = (Project.objects.visible_to(user) if self.request.method in ("GET", "HEAD", "OPTIONS")
                    else Project.objects.editable_by(user))
        projects = (
            projects
            .select_related("priority")
            .prefetch_related(
                # and what the apps above add (funding lines, decisions): portfolio.api.extensions
                "methods", "themes", "partnerships", *project_prefetches(),
            )
            .order_by("agreement_id", "code", "pk")
        )
        if any(key.lstrip("-") in ("planned", "granted")
               for key in self.request.query_params.get("ordering", "").split(",")):
            from ..selectors import with_money_totals

            projects = with_money_totals(projects)
        return projects

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # From rows, a constant number of queries: what ProjectSerializer renders, byte for byte.
        if not project_list_renderable():
            return super().list(request, *args, **kwargs)
        page = self.paginate_queryset(project_list_rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(project_list_data(list(page or [])))

    def get_etag(self, obj: Project) -> str:
        return f'"{obj.version}"'

    def check_if_match(self, request: Request, instance: Project) -> None:
        # The service compares the version under a row lock; here we only parse it.
        header = request.headers.get("If-Match", "")
        tags = parse_if_match(header)
        try:
            self._expected_version = instance.version if tags == ["*"] else int(tags[0].strip('"'))
        except (IndexError, ValueError):
            raise PreconditionFailed() from None

    @extend_schema(
        summary="Mark an approved project running, or a running project closed (coordinators)",
        description="The coordinators' own status steps; every other status change comes from steering-group "
                    "decisions. Honours `If-Match` (the version) like an update; an impossible step is 409.",
        request=ProjectStatusSerializer, responses={200: ProjectSerializer}, filters=False,
        parameters=[IF_MATCH_OPTIONAL],
    )
    @action(detail=True, methods=["post"])
    def status(self, request: Request, pk: str | None = None) -> Response:
        from ..services import project_status_advance

        project = self.get_object()
        serializer = ProjectStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if request.headers.get("If-Match"):
            self.check_if_match(request, project)
            if self._expected_version != project.version:
                raise PreconditionFailed()
        try:
            project = project_status_advance(project=project, status=serializer.validated_data["status"],
                                             user=request.user)
        except DjangoValidationError as exc:
            if getattr(exc, "code", None) == "transition":
                raise Conflict(detail="; ".join(exc.messages)) from exc
            raise
        return self._render(project)

    def perform_create(self, serializer: Any) -> Project:
        from ..services import project_create

        agreement = serializer.validated_data["agreement"]
        if not Agreement.objects.worked_on_by(self.request.user).filter(pk=agreement.pk).exists():
            raise serializers.ValidationError({"agreement": [NOT_YOUR_AGREEMENT]})
        with _co_implementer_errors(serializer):
            return project_create(agreement=agreement, data=serializer.to_service_data(agreement),
                                  user=self.request.user)

    def perform_update(self, serializer: Any, instance: Project) -> Project:  # type: ignore[override]
        from ..services import project_update

        with _co_implementer_errors(serializer):
            return project_update(project=instance, data=serializer.to_service_data(instance.agreement),
                                  expected_version=self._expected_version, user=self.request.user)


@contextmanager
def _co_implementer_errors(serializer: Any) -> Iterator[None]:
    """The service names co-implementer errors "partners"; the request may have called them co_implementers."""
    try:
        yield
    except DjangoValidationError as exc:
        if "co_implementers" in serializer.validated_data and hasattr(exc, "error_dict") \
                and "partners" in exc.error_dict:
            errors = exc.message_dict
            errors["co_implementers"] = errors.pop("partners")
            raise serializers.ValidationError(errors) from exc
        raise

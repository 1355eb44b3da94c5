"""Base viewsets and the OpenAPI schema class of the REST API (kept apart from `config.api`, which the
REST framework settings import while DRF itself is still loading)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from django.db import transaction
from django.db.models import Model, QuerySet
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from .api import (
    ErrorSerializer,
    PreconditionFailed,
    PreconditionRequired,
    etag_of_data,
    if_match_satisfied,
    stable_order,
)


class StableOrderingMixin:
    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return stable_order(super().filter_queryset(queryset))  # type: ignore[misc]


IF_MATCH_OPTIONAL = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=False,
    description="The ETag of the object as read. A stale value gets 412 and nothing changes.",
)
IF_MATCH_REQUIRED = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True,
    description="The ETag of the object as read (required: 428 without it). A stale value gets 412 and "
                "nothing changes.",
)


# Ids are 64-bit integers: a longer number is no URL of ours (404), never a database overflow.
ID_REGEX = r"[0-9]{1,18}"


class PortalViewSet(StableOrderingMixin, viewsets.ModelViewSet):
    # Base of the API's collections: stable ordering, separate input and output serializers, an ETag on
    # object responses and If-Match honoured on PUT/PATCH. (Comments, not a docstring: the schema takes a
    # view's docstring as its description.)
    #
    # `serializer_class` renders; `write_serializer_class` (if set) parses and validates input. Writes go
    # through `perform_create`/`perform_update`/`perform_destroy`, which call the domain services and
    # return the saved object. The default ETag is a hash of the representation; views with a version
    # counter override `get_etag`. The comparison and the write happen in one transaction.

    write_serializer_class: type[serializers.BaseSerializer] | None = None
    if_match_required = False
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_write_serializer(self, *args: Any, **kwargs: Any) -> serializers.BaseSerializer:
        klass = self.write_serializer_class or self.get_serializer_class()
        kwargs.setdefault("context", self.get_serializer_context())
        return klass(*args, **kwargs)

    def get_etag(self, obj: Model) -> str:
        return etag_of_data(self.get_serializer(obj).data)

    def _with_etag(self, response: Response, obj: Model | None) -> Response:
        if obj is not None and obj.pk is not None:
            response["ETag"] = self.get_etag(obj)
        return response

    def _render(self, obj: Model, status_code: int = 200) -> Response:
        # Re-read with the list's prefetches (the object may have left the scope, e.g. a withdrawn draft).
        obj = self.get_queryset().filter(pk=obj.pk).first() or obj
        return self._with_etag(Response(self.get_serializer(obj).data, status=status_code), obj)

    def run_action(self, request: Request, service: Any, input_class: Any = None) -> Response:
        """A workflow action: parse the optional input, call one service on the object, render it."""
        instance = self.get_object()
        data: dict[str, Any] = {}
        if input_class is not None:
            serializer = input_class(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        return self._render(service(instance, data))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        return self._with_etag(Response(self.get_serializer(instance).data), instance)

    def check_if_match(self, request: Request, instance: Model) -> None:
        header = request.headers.get("If-Match")
        if not header:
            if self.if_match_required:
                raise PreconditionRequired()
            return
        if not if_match_satisfied(header, self.get_etag(instance)):
            raise PreconditionFailed()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_write_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            instance = self.perform_create(serializer)
        return self._render(instance, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        if self.if_match_required and not request.headers.get("If-Match"):
            raise PreconditionRequired()
        serializer = self.get_write_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            locked = self.lock(instance)
            self.check_if_match(request, locked)
            instance = self.perform_update(serializer, locked)
        return self._render(instance)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        with transaction.atomic():
            self.perform_destroy(self.lock(instance))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def lock(self, instance: Model) -> Model:
        """The row again, locked for the rest of the transaction, with the view's annotations."""
        type(instance)._default_manager.select_for_update().filter(pk=instance.pk).exists()
        return self.get_queryset().get(pk=instance.pk)

    def perform_create(self, serializer: serializers.BaseSerializer) -> Model:  # type: ignore[override]
        return serializer.save()

    def perform_update(self, serializer: serializers.BaseSerializer, instance: Model) -> Model:  # type: ignore[override]
        serializer.instance = instance
        return serializer.save()

    def perform_destroy(self, instance: Model) -> None:
        instance.delete()


class ReadOnlyPortalViewSet(StableOrderingMixin, viewsets.ReadOnlyModelViewSet):
    # (Comments, not a docstring: the schema takes a view's docstring as its description.)
    lookup_value_regex = ID_REGEX

    def get_etag(self, obj: Model) -> str:
        return etag_of_data(self.get_serializer(obj).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = self.get_etag(instance)
        return response


# --- Schema -------------------------------------------------------------------------------------------


ERROR_RESPONSE = OpenApiResponse(ErrorSerializer, description="Error (see `ErrorSerializer`).")


def _blank_url_is_no_uri(field: Any, schema: dict | None) -> None:
    """A blank URL ("" = none given) is no URI: document such a field as a plain string."""
    if schema and isinstance(field, serializers.URLField) and (field.allow_blank or field.read_only) \
            and schema.get("format") == "uri":
        schema.pop("format")


class AutoSchema(SpectacularAutoSchema):
    """Documents the error responses every operation can give, in the shared error shape."""

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        codes: Iterable[str] = ["401", "403"]
        method = self.method.upper()
        if "{" in self.path:
            codes = [*codes, "404"]
        if method in ("POST", "PUT", "PATCH") or (method == "GET" and self._is_list_view()) \
                or getattr(self.view, "action", None) not in (None, "list", "retrieve", "destroy"):
            codes = [*codes, "400"]
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            codes = [*codes, "409"]
        if method in ("PUT", "PATCH") and hasattr(self.view, "check_if_match") and "{" in self.path:
            codes = [*codes, "412"]
            if getattr(self.view, "if_match_required", False):
                codes = [*codes, "428"]
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(ERROR_RESPONSE, code, direction=direction)
        return responses

    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False) -> dict:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        _blank_url_is_no_uri(field, schema)
        return schema

    def _insert_field_validators(self, field: Any, schema: dict) -> None:
        super()._insert_field_validators(field, schema)
        _blank_url_is_no_uri(field, schema)

    def _resolve_path_parameters(self, variables: list[str]) -> list[dict[str, Any]]:
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter.get("schema", {}).get("pattern") == f"^{ID_REGEX}$":
                parameter["schema"] = {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}
        return parameters

    def get_request_serializer(self) -> Any:
        klass = getattr(self.view, "write_serializer_class", None)
        if klass is not None and getattr(self.view, "action", None) in ("create", "update", "partial_update"):
            return klass(context={"request": getattr(self.view, "request", None)})
        return super().get_request_serializer()

    def get_override_parameters(self) -> list[Any]:
        params = list(super().get_override_parameters())
        if self.method.upper() in ("PUT", "PATCH") and hasattr(self.view, "check_if_match") \
                and getattr(self.view, "action", None) in ("update", "partial_update"):
            params.append(IF_MATCH_REQUIRED if getattr(self.view, "if_match_required", False)
                          else IF_MATCH_OPTIONAL)
        return params

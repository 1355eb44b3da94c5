"""The ``as_of=YYYY-MM-DD`` query parameter of the figure endpoints (see docs/as-of.md)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request

AS_OF_PARAMETER = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, required=False,
    description="The day whose state the figures describe, as YYYY-MM-DD (default today): the portfolio as it "
                "stood at the end of that day, Europe/Helsinki time. A day in the future is refused.",
)


class AsOfSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, allow_null=True, input_formats=["iso-8601"],
                                  error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")})

    def validate_as_of(self, value: dt.date | None) -> dt.date | None:
        if value is not None and value > timezone.localdate():
            raise serializers.ValidationError(_("The figures cannot be told for a day in the future."))
        return value


def as_of_param(request: Request) -> dt.date | None:
    """The validated ``as_of`` of a request (``None``: today); a bad value raises a 400 naming the field."""
    raw = request.query_params.get("as_of")
    params = AsOfSerializer(data={} if raw in (None, "") else {"as_of": raw})
    params.is_valid(raise_exception=True)
    return params.validated_data.get("as_of")

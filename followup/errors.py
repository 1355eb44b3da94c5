"""Domain exceptions of the follow-up app, below the models and services that raise them."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ReportStateError(ValidationError):
    """A progress-report step that its current review state does not allow (the API answers 409)."""

    http_status = 409

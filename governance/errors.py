"""Domain exceptions of the governance app, below the models and querysets that raise them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class PermanentRecordError(ValidationError):
    """Raised when something tries to change or delete a decision whose minutes are confirmed."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or _("The minutes of this meeting are confirmed: its decisions are a permanent record and cannot be "
                 "changed or deleted. Record a correcting decision instead."),
            code="permanent_record",
        )

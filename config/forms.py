"""Form helpers shared by every app's HTML views."""

from typing import Any

from django.core.exceptions import ValidationError


def apply_service_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names, or at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)

"""Template context of every page that needs the top layer: whether the national view is in the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .permissions import can_view_national


def national(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_national": False}
    # A callable: the template resolves it only where it is shown (the top bar), not in htmx partials.
    return {"portal_national": lambda: can_view_national(user)}

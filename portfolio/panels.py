"""Blocks of the project page that apps above portfolio own (funding's financing plan, governance's
decisions). Portfolio does not import them: each app's `AppConfig.ready()` registers a function that
renders its block for one project, and the project page asks for the blocks by name. A block nobody
registered is None, and the page shows its own fallback."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.utils.safestring import SafeString

    from .models import Project

ProjectPanel = Callable[["HttpRequest", "Project", bool], "SafeString"]

FINANCING = "financing"
DECISIONS = "decisions"
INDICATORS = "indicators"  # followup: indicators, enterprises and milestones
PROGRESS_REPORTS = "progress_reports"

_panels: dict[str, ProjectPanel] = {}


def register_project_panel(name: str, panel: ProjectPanel) -> None:
    """`panel(request, project, can_edit)` returns the block's HTML (a rendered partial)."""
    _panels[name] = panel


def project_panel_html(name: str, request: HttpRequest, project: Project, *, can_edit: bool) -> SafeString | None:
    panel = _panels.get(name)
    return None if panel is None else panel(request, project, can_edit)

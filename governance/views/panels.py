"""What the governance app adds to pages of a lower app (the project page)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from portfolio.models import Project

from .. import selectors


def proposal_url_for_project(project: Project) -> str:
    return f"{reverse('governance:proposal-create')}?project={project.pk}"


def project_decisions_panel(request: HttpRequest, project: Project, can_edit: bool) -> SafeString:
    """The proposals-and-decisions block of the project page (registered as `portfolio.panels.DECISIONS`)."""
    decisions = selectors.project_decisions(project=project, user=request.user)
    return render_to_string("governance/partials/project_decisions.html",
                            {"decisions": decisions, "history": decisions}, request=request)

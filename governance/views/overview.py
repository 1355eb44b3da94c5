"""The governance overview and the "waiting for you" list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portfolio.selectors import current_agreement

from .. import selectors
from ..choices import IdeaStage
from ._common import (
    _meetings,
    _portal,
)

# --- overview ----------------------------------------------------------------------------------------------

@login_required
def index(request: HttpRequest) -> HttpResponse:
    _portal(request)
    agreement = current_agreement(request)
    pipeline = selectors.idea_pipeline(agreement=agreement, user=request.user)
    context = {
        "governance": selectors.dashboard_governance(agreement=agreement, user=request.user),
        "waiting": selectors.waiting_for_decision(user=request.user),
        "meetings": list(_meetings(request).for_agreement(agreement).order_by("-starts_at")[:10]),
        "pipeline": [(label, pipeline.get(stage, 0), stage) for stage, label in IdeaStage.choices],
    }
    return render(request, "governance/index.html", context)


@login_required
def waiting(request: HttpRequest) -> HttpResponse:
    """"Waiting for my decision": the steering member's agenda across their groups."""
    _portal(request)
    return render(request, "governance/waiting.html", {"waiting": selectors.waiting_for_decision(user=request.user)})

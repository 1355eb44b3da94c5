from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portfolio.permissions import can_view_portal
from portfolio.selectors import current_agreement

from .models import Meeting, Proposal


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if not can_view_portal(request.user):
        raise PermissionDenied
    agreement = current_agreement(request)
    meetings = Meeting.objects.filter(group__agreement=agreement).select_related("group")[:20]
    proposals = Proposal.objects.filter(project__agreement=agreement).select_related("project")[:50]
    return render(request, "governance/index.html",
                  {"agreement": agreement, "meetings": meetings, "proposals": proposals})

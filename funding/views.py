from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portfolio.permissions import can_view_portal
from portfolio.selectors import current_agreement

from .models import FundingFrame


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if not can_view_portal(request.user):
        raise PermissionDenied
    agreement = current_agreement(request)
    frames = FundingFrame.objects.filter(agreement=agreement).select_related("instrument")
    return render(request, "funding/index.html", {"agreement": agreement, "frames": frames})

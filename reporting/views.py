from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portfolio.permissions import can_view_portal

from .models import SummaryReport


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if not can_view_portal(request.user):
        raise PermissionDenied
    reports = SummaryReport.objects.select_related("agreement")[:50]
    return render(request, "reporting/index.html", {"reports": reports})

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("reports", views.SummaryReportViewSet, basename="report")

urlpatterns = [
    path("national/", views.NationalComparisonView.as_view(), name="national"),
    *router.urls,
]

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import indicators, reports

router = SimpleRouter()
router.register("indicators", indicators.IndicatorViewSet, basename="indicator")
router.register("indicator-values", indicators.IndicatorValueViewSet, basename="indicator-value")
router.register("enterprises", indicators.EnterpriseViewSet, basename="enterprise")
router.register("milestones", indicators.MilestoneViewSet, basename="milestone")
router.register("progress-reports", reports.ProgressReportViewSet, basename="progress-report")

urlpatterns = [
    # The agreements viewset is portfolio's; this route of it is mounted here (before the API's catch-all).
    path("agreements/<int:pk>/indicator-totals/", indicators.IndicatorTotalsView.as_view(),
         name="agreement-indicator-totals"),
    *router.urls,
]

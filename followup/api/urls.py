from rest_framework.routers import SimpleRouter

from . import reports

router = SimpleRouter()
router.register("progress-reports", reports.ProgressReportViewSet, basename="progress-report")

urlpatterns = router.urls

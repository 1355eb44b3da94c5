from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("funding-lines", views.FundingLineViewSet, basename="funding-line")
router.register("funding-frames", views.FundingFrameViewSet, basename="funding-frame")
router.register("funding-decisions", views.FundingDecisionViewSet, basename="funding-decision")
# Figures under the portfolio's collections; the route names stay those of the portfolio's viewsets.
router.register("agreements", views.AgreementFundingViewSet, basename="agreement")
router.register("projects", views.ProjectFundingPlanViewSet, basename="project")

urlpatterns = router.urls

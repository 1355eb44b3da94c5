from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("funding-lines", views.FundingLineViewSet, basename="funding-line")
router.register("funding-frames", views.FundingFrameViewSet, basename="funding-frame")
router.register("funding-decisions", views.FundingDecisionViewSet, basename="funding-decision")

urlpatterns = router.urls

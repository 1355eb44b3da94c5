from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("proposals", views.ProposalViewSet, basename="proposal")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("decisions", views.DecisionViewSet, basename="decision")

urlpatterns = router.urls

from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("projects", views.ProjectViewSet, basename="project")

urlpatterns = router.urls

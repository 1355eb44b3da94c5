from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("priorities", views.PriorityViewSet, basename="priority")
router.register("method-categories", views.MethodCategoryViewSet, basename="method-category")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("projects", views.ProjectViewSet, basename="project")

urlpatterns = router.urls

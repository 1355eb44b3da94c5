from rest_framework import viewsets

from ..models import Agreement, Project
from ..permissions import PortalReadOnlyOrCoordinator
from .serializers import AgreementSerializer, ProjectSerializer


class AgreementViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AgreementSerializer
    permission_classes = [PortalReadOnlyOrCoordinator]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Agreement.objects.visible_to(self.request.user).order_by("pk")


class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProjectSerializer
    permission_classes = [PortalReadOnlyOrCoordinator]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Project.objects.visible_to(self.request.user).prefetch_related("methods").order_by("pk")

from django.urls import URLPattern, URLResolver, path

from .views import indicators

app_name = "followup"

urlpatterns: list[URLPattern | URLResolver] = [
    path("indicators/", indicators.overview, name="indicator-overview"),
    path("projects/<int:project_pk>/targets/new/", indicators.target_edit, name="target-add"),
    path("projects/<int:project_pk>/targets/<int:pk>/", indicators.target_edit, name="target-edit"),
    path("projects/<int:project_pk>/values/new/", indicators.value_edit, name="value-add"),
    path("projects/<int:project_pk>/values/<int:pk>/", indicators.value_edit, name="value-edit"),
    path("projects/<int:project_pk>/enterprises/new/", indicators.enterprise_add, name="enterprise-add"),
    path("projects/<int:project_pk>/milestones/new/", indicators.milestone_edit, name="milestone-add"),
    path("projects/<int:project_pk>/milestones/<int:pk>/", indicators.milestone_edit, name="milestone-edit"),
    path("projects/<int:project_pk>/<str:kind>/<int:pk>/delete/", indicators.row_delete, name="row-delete"),
]

from django.urls import path

from . import action_plan_views as views

app_name = "action_plan"

urlpatterns = [
    path("", views.coverage, name="coverage"),
    path("edit/", views.edit, name="edit"),
    path("themes/new/", views.theme_create, name="theme-create"),
    path("themes/<int:pk>/edit/", views.theme_edit, name="theme-edit"),
    path("themes/<int:pk>/delete/", views.theme_delete, name="theme-delete"),
    path("history/", views.history, name="history"),
    path("annex/", views.annex, name="annex"),
    path("annex/versions/", views.annex_versions, name="annex-versions"),
    path("annex/<int:pk>/again/", views.annex_make_again, name="annex-again"),
    path("annex/<int:pk>/<str:language>/", views.annex_download, name="annex-download"),
]

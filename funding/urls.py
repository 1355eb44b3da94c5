from django.urls import path

from . import eura_views, views

app_name = "funding"

urlpatterns = [
    path("", views.index, name="index"),
    path("frames/new/", views.frame_edit, name="frame-create"),
    path("frames/<int:pk>/", views.frame_detail, name="frame-detail"),
    path("frames/<int:pk>/correct/", views.frame_edit, name="frame-correct"),
    path("splits/", views.splits, name="splits"),
    path("projects/<int:pk>/plan/", views.project_plan, name="project-plan"),
    path("projects/<int:pk>/corrections/", views.project_correction, name="project-correction"),
    path("what-if/", views.what_if, name="what-if"),
    path("lines/export.csv", views.funding_line_export, {"fmt": "csv"}, name="line-export-csv"),
    path("lines/export.xlsx", views.funding_line_export, {"fmt": "xlsx"}, name="line-export-xlsx"),
    path("eura/", eura_views.eura_index, name="eura-index"),
    path("eura/<int:pk>/", eura_views.eura_detail, name="eura-detail"),
    path("eura/<int:pk>/accept/<int:project_pk>/", eura_views.eura_accept, name="eura-accept"),
]

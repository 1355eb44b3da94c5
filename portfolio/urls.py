from django.urls import path

from . import views

app_name = "portfolio"

urlpatterns = [
    path("", views.project_list, name="project-list"),
    path("export.csv", views.project_export, {"fmt": "csv"}, name="project-export-csv"),
    path("export.xlsx", views.project_export, {"fmt": "xlsx"}, name="project-export-xlsx"),
    path("new/", views.project_create, name="project-create"),
    path("views/", views.saved_view_save, name="saved-view-save"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved-view-delete"),
    path("<int:pk>/", views.project_detail, name="project-detail"),
    path("<int:pk>/edit/", views.project_edit, name="project-edit"),
    path("<int:pk>/status/", views.project_status, name="project-status"),
    path("<int:pk>/history/", views.project_history, name="project-history"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment-upload"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment-download"),
    path("<int:pk>/attachments/<int:attachment_pk>/delete/", views.attachment_delete, name="attachment-delete"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/export.csv", views.organisation_export, {"fmt": "csv"}, name="organisation-export-csv"),
    path("organisations/export.xlsx", views.organisation_export, {"fmt": "xlsx"}, name="organisation-export-xlsx"),
    path("organisations/new/", views.organisation_edit, name="organisation-create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation-edit"),
    path("agreement/", views.agreement_select, name="agreement-select"),
]

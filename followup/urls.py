from django.urls import URLPattern, URLResolver, path

from .views import reports

app_name = "followup"

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/", reports.report_index, name="report-index"),
    path("reports/<int:pk>/", reports.report_detail, name="report-detail"),
    path("reports/<int:pk>/edit/", reports.report_edit, name="report-edit"),
    path("reports/<int:pk>/attachments/", reports.attachment_upload, name="report-attachment-upload"),
    path("reports/<int:pk>/attachments/<int:attachment_pk>/", reports.attachment_download, name="report-attachment"),
    path("reports/<int:pk>/attachments/<int:attachment_pk>/delete/", reports.attachment_delete,
         name="report-attachment-delete"),
    path("reports/<int:pk>/<slug:action>/", reports.report_transition, name="report-transition"),
    path("projects/<int:project_pk>/reports/", reports.project_reports, name="project-reports"),
    path("projects/<int:project_pk>/schedule/", reports.schedule_set, name="schedule-set"),
    path("projects/<int:project_pk>/contacts/", reports.contact_assign, name="contact-assign"),
    path("projects/<int:project_pk>/contacts/<int:contact_pk>/delete/", reports.contact_remove,
         name="contact-remove"),
]

from django.urls import URLPattern, URLResolver, path

from .views import indicators, reports

app_name = "followup"

urlpatterns: list[URLPattern | URLResolver] = [
    path("indicators/", indicators.overview, name="indicator-overview"),
    path("timeline/", indicators.timeline, name="timeline"),
    path("projects/<int:project_pk>/targets/new/", indicators.target_add, name="target-add"),
    path("projects/<int:project_pk>/values/new/", indicators.value_add, name="value-add"),
    path("projects/<int:project_pk>/enterprises/new/", indicators.enterprise_add, name="enterprise-add"),
    path("projects/<int:project_pk>/milestones/new/", indicators.milestone_add, name="milestone-add"),
    path("targets/<int:pk>/", indicators.target_edit, name="target-edit"),
    path("targets/<int:pk>/delete/", indicators.target_delete, name="target-delete"),
    path("values/<int:pk>/", indicators.value_edit, name="value-edit"),
    path("values/<int:pk>/delete/", indicators.value_delete, name="value-delete"),
    path("enterprise-links/<int:pk>/delete/", indicators.enterprise_link_delete, name="enterprise-link-delete"),
    path("milestones/<int:pk>/", indicators.milestone_edit, name="milestone-edit"),
    path("milestones/<int:pk>/delete/", indicators.milestone_delete, name="milestone-delete"),
    path("reports/", reports.report_index, name="report-index"),
    path("reports/export.csv", reports.report_export, {"fmt": "csv"}, name="report-export-csv"),
    path("reports/export.xlsx", reports.report_export, {"fmt": "xlsx"}, name="report-export-xlsx"),
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

from django.urls import path

from . import import_views, views

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path("compile/", views.request_summary, name="request"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/narrative/", views.narrative_save, name="narrative"),
    path("<int:pk>/files/again/", views.files_make_again, name="files-again"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/correct/", views.correct, name="correct"),
    path("<int:pk>/deliveries/<int:delivery_pk>/retry/", views.delivery_retry, name="delivery-retry"),
    path("<int:pk>/download/<str:file_format>/", views.download, name="download"),
    path("recipients/<int:pk>/", views.recipients, name="recipients"),
    path("recipients/<int:pk>/add/", views.recipient_add, name="recipient-add"),
    path("recipients/<int:pk>/<int:recipient_pk>/remove/", views.recipient_remove, name="recipient-remove"),
    path("recipients/<int:pk>/<int:recipient_pk>/update/", views.recipient_update, name="recipient-update"),
    path("recipients/<int:pk>/members/<int:membership_pk>/language/", views.member_language,
         name="member-language"),
    path("import/", import_views.import_upload, name="import"),
    path("import/template.xlsx", import_views.import_template, {"filled": False}, name="import-template"),
    path("import/portfolio.xlsx", import_views.import_template, {"filled": True}, name="import-export"),
    path("import/<int:pk>/", import_views.import_detail, name="import-detail"),
    path("import/<int:pk>/run/", import_views.import_run, name="import-run"),
]

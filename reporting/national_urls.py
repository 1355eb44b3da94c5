"""The national view (`/national/`): every agreement side by side, its download and each agreement's page."""

from django.urls import path

from . import views

app_name = "national"

urlpatterns = [
    path("", views.national, name="index"),
    path("export.csv", views.national_export, {"fmt": "csv"}, name="export-csv"),
    path("export.xlsx", views.national_export, {"fmt": "xlsx"}, name="export-xlsx"),
    path("<int:pk>/", views.national_agreement, name="agreement"),
]

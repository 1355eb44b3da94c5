from django.urls import path

from . import open_data_views

app_name = "open_data"

urlpatterns = [
    path("operations/", open_data_views.operations_page, name="operations"),
    path("operations.csv", open_data_views.operations_csv_file, name="operations-csv"),
    path("operations.json", open_data_views.operations_json_file, name="operations-json"),
]

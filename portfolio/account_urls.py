"""The signed-in user's own settings: personal API tokens."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("tokens/", views.api_token_list, name="api-tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
]

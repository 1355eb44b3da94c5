from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from reporting import views as reporting_views

from . import api, views

api_v1: list[URLPattern | URLResolver] = [
    path("", include("portfolio.api.urls")),
    path("", include("funding.api.urls")),
    path("", include("governance.api.urls")),
    path("", include("followup.api.urls")),
    path("", include("reporting.api.urls")),
    re_path(r"^.*$", api.api_not_found),  # unknown /api/v1/ URLs: JSON 404, not the HTML page
]

urlpatterns = [
    path("", reporting_views.dashboard, name="dashboard"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/session/keep-alive/", views.session_keep_alive, name="session-keep-alive"),
    path("accounts/", include("portfolio.account_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("projects/", include("portfolio.urls")),
    path("notifications/", include("portfolio.notification_urls")),
    path("funding/", include("funding.urls")),
    path("governance/", include("governance.urls")),
    path("followup/", include("followup.urls")),
    path("reports/", include("reporting.urls")),
    path("national/", include("reporting.national_urls")),
    path("open-data/", include("reporting.open_data_urls")),
    path("action-plan/", include("reporting.action_plan_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
    path("healthz", views.healthz, name="healthz"),
]

admin.site.site_header = "Ekosysteemisopimusten hankeportfolio"

# JSON error bodies for /api/ paths, Django's pages elsewhere.
handler400 = "config.api.handler400"
handler404 = "config.api.handler404"
handler500 = "config.api.handler500"

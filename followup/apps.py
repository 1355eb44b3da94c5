from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    """The follow-up half of the portfolio (seuranta): progress reports, results indicators, the enterprise
    register and milestones. It sits above governance and below reporting, so the summaries can read it."""

    name = "followup"
    verbose_name = _("Follow-up")

    def ready(self) -> None:
        from portfolio.panels import INDICATORS, PROGRESS_REPORTS, register_project_panel  # noqa: PLC0415
        from portfolio.services import register_agreement_part  # noqa: PLC0415

        from . import tasks  # noqa: F401, PLC0415  (registers the Celery tasks: config.jobs finds them by name)
        from .services.indicators import indicator_catalogue_load  # noqa: PLC0415
        from .views.indicators import project_indicators_panel  # noqa: PLC0415
        from .views.reports import project_reports_panel  # noqa: PLC0415

        register_agreement_part(indicator_catalogue_load)
        register_project_panel(INDICATORS, project_indicators_panel)
        register_project_panel(PROGRESS_REPORTS, project_reports_panel)

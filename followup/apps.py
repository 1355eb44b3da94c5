from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    """The follow-up half of the portfolio (seuranta): progress reports, results indicators, the enterprise
    register and milestones. It sits above governance and below reporting, so the summaries can read it."""

    name = "followup"
    verbose_name = _("Follow-up")

    def ready(self) -> None:
        from portfolio.panels import PROGRESS_REPORTS, register_project_panel  # noqa: PLC0415

        from . import tasks  # noqa: F401, PLC0415  (registers the Celery tasks: config.jobs finds them by name)
        from .views.reports import project_reports_panel  # noqa: PLC0415

        register_project_panel(PROGRESS_REPORTS, project_reports_panel)

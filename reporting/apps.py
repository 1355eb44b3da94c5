from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        from governance.services import register_meeting_scheduled_part  # noqa: PLC0415

        from . import tasks  # noqa: F401, PLC0415  (registers the Celery tasks: config.jobs finds them by name)
        from .services import summary_agenda_catch_up  # noqa: PLC0415

        register_meeting_scheduled_part(summary_agenda_catch_up)

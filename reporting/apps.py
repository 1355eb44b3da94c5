from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        from . import tasks  # noqa: F401, PLC0415  (registers the Celery tasks: config.jobs finds them by name)

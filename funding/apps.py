from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Funding")

    def ready(self) -> None:
        from portfolio.panels import FINANCING, register_project_panel  # noqa: PLC0415

        from .views import project_financing_panel  # noqa: PLC0415

        register_project_panel(FINANCING, project_financing_panel)

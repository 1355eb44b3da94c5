from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = _("Portfolio")

    def ready(self) -> None:
        from .audit import connect_receivers  # noqa: PLC0415
        from .deletion import register_portfolio_blockers  # noqa: PLC0415

        register_portfolio_blockers()
        connect_receivers()

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = _("Portfolio")

    def ready(self) -> None:
        from .access import register_agreement_source  # noqa: PLC0415
        from .audit import connect_receivers  # noqa: PLC0415
        from .dataversion import install_triggers_after_migrate  # noqa: PLC0415
        from .deletion import register_portfolio_blockers  # noqa: PLC0415
        from .selectors import agreements_by_access  # noqa: PLC0415

        # Every migrate (a test database's too) puts the data-version triggers on the data tables.
        post_migrate.connect(install_triggers_after_migrate, dispatch_uid="portfolio_data_version_triggers")
        register_agreement_source(agreements_by_access)
        register_portfolio_blockers()
        connect_receivers()

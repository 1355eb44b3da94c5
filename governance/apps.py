from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from .deletion import register_governance_blockers  # noqa: PLC0415
        from .personal_data import register_role_describers  # noqa: PLC0415

        register_governance_blockers()
        register_role_describers()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Funding")

    def ready(self) -> None:
        from portfolio.api.extensions import register_project_field  # noqa: PLC0415
        from portfolio.history import register_project_history  # noqa: PLC0415
        from portfolio.panels import FINANCING, register_project_panel  # noqa: PLC0415
        from portfolio.plan import register_financing_plan  # noqa: PLC0415
        from portfolio.services import register_agreement_part  # noqa: PLC0415

        from .api.views import (  # noqa: PLC0415
            project_funding_lines_field,
            project_funding_lines_prefetch,
            project_funding_lines_rows,
        )
        from .plan import FundingPlan, project_line_history  # noqa: PLC0415
        from .services import agreement_funding_load  # noqa: PLC0415
        from .views import project_financing_panel  # noqa: PLC0415

        register_financing_plan(FundingPlan())
        register_agreement_part(agreement_funding_load)
        register_project_history(project_line_history)

        register_project_panel(FINANCING, project_financing_panel)
        register_project_field("funding_lines", field=project_funding_lines_field,
                               prefetch=project_funding_lines_prefetch, rows=project_funding_lines_rows)

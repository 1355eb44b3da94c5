from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from funding.commitments import register_commitment_source, register_pending_proposals  # noqa: PLC0415
        from portfolio.access import register_agreement_source  # noqa: PLC0415
        from portfolio.api.extensions import register_project_field  # noqa: PLC0415
        from portfolio.panels import DECISIONS, register_project_panel  # noqa: PLC0415
        from portfolio.services import register_agreement_part, register_project_created_part  # noqa: PLC0415

        from . import tasks  # noqa: F401, PLC0415  (registers the Celery tasks: config.jobs finds them by name)
        from .api.serializers import (  # noqa: PLC0415
            ProjectDecisionsField,
            project_decisions_prefetch,
            project_decisions_rows,
        )
        from .deletion import register_governance_blockers  # noqa: PLC0415
        from .personal_data import register_role_describers  # noqa: PLC0415
        from .selectors import agreements_by_membership, frame_commitments, pending_proposals  # noqa: PLC0415
        from .services import agreement_groups_load, idea_record_ensure  # noqa: PLC0415
        from .views import project_decisions_panel  # noqa: PLC0415

        register_agreement_source(agreements_by_membership)
        register_agreement_part(agreement_groups_load)
        register_project_created_part(idea_record_ensure)
        register_commitment_source(frame_commitments)
        register_pending_proposals(pending_proposals)
        register_project_panel(DECISIONS, project_decisions_panel)
        register_project_field("decisions", field=ProjectDecisionsField, prefetch=project_decisions_prefetch,
                               rows=project_decisions_rows)
        register_governance_blockers()
        register_role_describers()

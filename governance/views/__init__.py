"""HTML views of decision-making: thin — they authorise, call one service or selector, and render.
Every list starts from `visible_to(user)`; a row the user may not see is a 404, an action they may not
take is a 403, an illegal workflow step is a message on the page (the service's TransitionError).

Split by aggregate: overview.py, proposals.py, meetings.py, decisions.py, groups.py, ideas.py, and
panels.py (the block of the project page); _common.py holds the shared steps. Every view is importable
from `governance.views` (the URL conf uses `views.<name>`).
"""

from .decisions import (
    decision_correct,
    decision_detail,
    decision_export,
    decision_funding_preview,
    decision_record,
)
from .groups import (
    criteria_create,
    group_calendar,
    group_detail,
    group_list,
)
from .ideas import (
    idea_create,
    idea_detail,
    idea_list,
    idea_stage,
)
from .meetings import (
    meeting_attendance,
    meeting_confirm,
    meeting_create,
    meeting_detail,
    meeting_edit,
    meeting_item_add,
    meeting_list,
    meeting_minutes,
    meeting_pdf,
    meeting_publish,
)
from .overview import (
    index,
    waiting,
)
from .panels import (
    project_decisions_panel,
    proposal_url_for_project,
)
from .proposals import (
    attachment_download,
    proposal_agenda_add,
    proposal_agenda_remove,
    proposal_assess,
    proposal_attach,
    proposal_create,
    proposal_detail,
    proposal_edit,
    proposal_export,
    proposal_funding_preview,
    proposal_list,
    proposal_submit,
    proposal_withdraw,
)

__all__ = [
    "attachment_download",
    "criteria_create",
    "decision_correct",
    "decision_detail",
    "decision_export",
    "decision_funding_preview",
    "decision_record",
    "group_calendar",
    "group_detail",
    "group_list",
    "idea_create",
    "idea_detail",
    "idea_list",
    "idea_stage",
    "index",
    "meeting_attendance",
    "meeting_confirm",
    "meeting_create",
    "meeting_detail",
    "meeting_edit",
    "meeting_item_add",
    "meeting_list",
    "meeting_minutes",
    "meeting_pdf",
    "meeting_publish",
    "project_decisions_panel",
    "proposal_agenda_add",
    "proposal_agenda_remove",
    "proposal_assess",
    "proposal_attach",
    "proposal_create",
    "proposal_detail",
    "proposal_edit",
    "proposal_export",
    "proposal_funding_preview",
    "proposal_list",
    "proposal_submit",
    "proposal_url_for_project",
    "proposal_withdraw",
    "waiting",
]

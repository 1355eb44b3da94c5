"""Every write of the governance app: the proposal and meeting workflows and the permanent decision record.

Each service is atomic, locks the rows two users can race for (`select_for_update`), authorises the user
with the predicates of permissions.py (PermissionDenied), and refuses an illegal step with TransitionError,
a ValidationError whose message says what is wrong and what to do. Every proposal step is recorded as a
ProposalTransition (who, when, from, to). E-mail goes out from Celery tasks after the commit.

Workflow
    proposal:  draft → submitted → on_agenda → decided            (any open state → withdrawn)
               a decision "returned for preparation" sends the proposal back to draft;
               confirming minutes sends undecided agenda proposals back to submitted (postponed).
    meeting:   planned → published (agenda) → held (first decision) → confirmed (minutes; final)

Split by aggregate: groups.py (steering groups, members, criteria), ideas.py, proposals.py, meetings.py,
decisions.py; _common.py holds the shared steps. Every public name is importable from `governance.services`.
"""

from ..errors import PermanentRecordError
from ..selectors import meeting_quorum
from ._common import (
    CENT,
    MAX_AMOUNT,
    LineError,
    TransitionError,
)
from .decisions import (
    decision_correct,
    decision_record,
)
from .groups import (
    agreement_groups_load,
    criteria_current,
    criteria_item_update,
    criteria_version_create,
    membership_save,
    steering_groups_ensure,
)
from .ideas import (
    IDEA_FIELDS,
    IDEA_STAGE_STEPS,
    idea_create,
    idea_record_ensure,
    idea_set_stage,
    idea_update,
)
from .meetings import (
    meeting_add_item,
    meeting_confirm_minutes,
    meeting_create,
    meeting_publish_agenda,
    meeting_record_attendance,
    meeting_update,
    meeting_update_minutes,
    register_meeting_scheduled_part,
)
from .proposals import (
    proposal_add_to_agenda,
    proposal_assess,
    proposal_attach,
    proposal_create,
    proposal_remove_from_agenda,
    proposal_submit,
    proposal_update,
    proposal_withdraw,
)

__all__ = [
    "CENT",
    "IDEA_FIELDS",
    "IDEA_STAGE_STEPS",
    "LineError",
    "MAX_AMOUNT",
    "PermanentRecordError",
    "TransitionError",
    "agreement_groups_load",
    "criteria_current",
    "criteria_item_update",
    "criteria_version_create",
    "decision_correct",
    "decision_record",
    "idea_create",
    "idea_record_ensure",
    "idea_set_stage",
    "idea_update",
    "meeting_add_item",
    "meeting_confirm_minutes",
    "meeting_create",
    "meeting_publish_agenda",
    "meeting_quorum",
    "meeting_record_attendance",
    "meeting_update",
    "meeting_update_minutes",
    "register_meeting_scheduled_part",
    "membership_save",
    "proposal_add_to_agenda",
    "proposal_assess",
    "proposal_attach",
    "proposal_create",
    "proposal_remove_from_agenda",
    "proposal_submit",
    "proposal_update",
    "proposal_withdraw",
    "steering_groups_ensure",
]

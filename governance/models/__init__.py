"""Steering groups, their meetings, proposals and decisions.

The modules: `groups`, `meetings`, `proposals`, `decisions`, `criteria` (with the assessments against them),
`ideas`, `work`, `outbox`; every name is importable from the package."""

from ..errors import PermanentRecordError as PermanentRecordError  # noqa: F401 (imported from here)
from .criteria import (
    ApplicationCriteria as ApplicationCriteria,
)
from .criteria import (
    CriteriaInUseError as CriteriaInUseError,
)
from .criteria import (
    CriteriaItem as CriteriaItem,
)
from .criteria import (
    CriteriaItemQuerySet as CriteriaItemQuerySet,
)
from .criteria import (  # noqa: F401
    ProposalAssessment as ProposalAssessment,
)
from .decisions import (  # noqa: F401
    Decision as Decision,
)
from .decisions import (
    DecisionFundingLine as DecisionFundingLine,
)
from .decisions import (
    Recusal as Recusal,
)
from .decisions import (
    _DecisionChild as _DecisionChild,
)
from .groups import (
    Membership as Membership,
)
from .groups import (  # noqa: F401
    SteeringGroup as SteeringGroup,
)
from .ideas import (  # noqa: F401
    ProjectIdea as ProjectIdea,
)
from .meetings import (  # noqa: F401
    Meeting as Meeting,
)
from .outbox import (  # noqa: F401
    NotificationOutbox as NotificationOutbox,
)
from .proposals import (  # noqa: F401
    Proposal as Proposal,
)
from .proposals import (
    ProposalFundingLine as ProposalFundingLine,
)
from .work import (
    AgendaItem as AgendaItem,
)
from .work import (
    ProposalAttachment as ProposalAttachment,
)
from .work import (
    ProposalTransition as ProposalTransition,
)
from .work import (
    _attachment_path as _attachment_path,
)

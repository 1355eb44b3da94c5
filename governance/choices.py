from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portfolio.choices import ProjectStatus


class GroupKind(models.TextChoices):
    REGIONAL = "regional", _("Steering group of an agreement")
    NATIONAL = "national", _("National steering group")


class MemberRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    MEMBER = "member", pgettext_lazy("steering group", "Member")
    SECRETARY = "secretary", _("Secretary")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    AGENDA_PUBLISHED = "published", _("Agenda published")
    HELD = "held", _("Held")
    MINUTES_CONFIRMED = "confirmed", _("Minutes confirmed")


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("proposal status", "Draft")
    SUBMITTED = "submitted", _("Submitted")
    ON_AGENDA = "on_agenda", _("On an agenda")
    DECIDED = "decided", _("Decided")
    WITHDRAWN = "withdrawn", pgettext_lazy("proposal status", "Withdrawn")


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", pgettext_lazy("decision", "Approved")
    APPROVED_WITH_CONDITIONS = "conditional", _("Approved with conditions")
    RETURNED = "returned", _("Returned for preparation")
    REJECTED = "rejected", pgettext_lazy("decision", "Rejected")


class DecisionMethod(models.TextChoices):
    CONSENSUS = "consensus", _("Consensus")
    VOTE = "vote", _("Vote")


class IdeaStage(models.TextChoices):
    """Where a project idea (hankeaihio) is on its one path to a project. Idea and being prepared are the
    preparation record's own steps while the project's status is "idea"; the others follow the project's
    status (IDEA_STAGE_OF_STATUS), changed by the governance workflow in the same transaction."""

    IDEA = "idea", pgettext_lazy("idea stage", "Idea")
    PREPARING = "preparing", _("Being prepared")
    PROPOSAL = "proposal", pgettext_lazy("idea stage", "Proposal")
    PROJECT = "project", _("Became a project")
    REJECTED = "rejected", _("Rejected")
    DROPPED = "dropped", _("Dropped")


# The stages of an open idea: its project's status is "idea" (the ideas the dashboard counts).
OPEN_IDEA_STAGES = (IdeaStage.IDEA, IdeaStage.PREPARING)
# The stage an idea's record takes when its project's status changes (status "idea": see OPEN_IDEA_STAGES).
IDEA_STAGE_OF_STATUS: dict[str, str] = {
    ProjectStatus.PROPOSAL: IdeaStage.PROPOSAL,
    ProjectStatus.APPROVED: IdeaStage.PROJECT,
    ProjectStatus.RUNNING: IdeaStage.PROJECT,
    ProjectStatus.CLOSED: IdeaStage.PROJECT,
    ProjectStatus.REJECTED: IdeaStage.REJECTED,
    ProjectStatus.WITHDRAWN: IdeaStage.DROPPED,
}


class CriterionAnswer(models.TextChoices):
    MET = "met", _("Meets the criterion")
    PARTLY = "partly", _("Partly meets the criterion")
    NOT_MET = "not_met", _("Does not meet the criterion")
    NOT_APPLICABLE = "n_a", _("Not applicable")


# Outcomes that grant funding and move the project to "approved".
APPROVING_OUTCOMES = (DecisionOutcome.APPROVED, DecisionOutcome.APPROVED_WITH_CONDITIONS)
# Members who record a group's decisions and keep its minutes.
RECORDING_ROLES = (MemberRole.CHAIR, MemberRole.SECRETARY)
# Meetings whose agenda may still change / where decisions may be recorded.
OPEN_MEETING_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED, MeetingStatus.HELD)
DECIDING_MEETING_STATUSES = (MeetingStatus.AGENDA_PUBLISHED, MeetingStatus.HELD)


# A withdrawn project may be proposed again (it goes back to "idea"); rejected and closed ones may not.
PROPOSABLE_PROJECT_STATUSES = (ProjectStatus.IDEA, ProjectStatus.PROPOSAL, ProjectStatus.APPROVED,
                               ProjectStatus.RUNNING, ProjectStatus.WITHDRAWN)

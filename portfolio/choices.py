from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("agreement status", "Draft")
    ACTIVE = "active", pgettext_lazy("agreement status", "In force")
    ENDED = "ended", pgettext_lazy("agreement status", "Ended")


class PartyRole(models.TextChoices):
    STATE = "state", _("State (contracting party)")
    CITY = "city", _("City (contracting party)")
    COOPERATING = "cooperating", _("Cooperating ministry")


class OrganisationKind(models.TextChoices):
    CITY = "city", _("City")
    UNIVERSITY = "university", _("University")
    UAS = "uas", _("University of applied sciences")
    RESEARCH = "research", _("Research institute")
    COMPANY = "company", _("Company")
    PUBLIC = "public", _("Other public body")
    MINISTRY = "ministry", _("Ministry")
    ASSOCIATION = "association", _("Association or foundation")
    OTHER = "other", pgettext_lazy("organisation kind", "Other")


class ProjectStatus(models.TextChoices):
    IDEA = "idea", _("Idea")
    PROPOSAL = "proposal", _("Proposal")
    APPROVED = "approved", _("Approved")
    RUNNING = "running", _("Running")
    CLOSED = "closed", pgettext_lazy("project status", "Closed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Statuses a project of another agreement may be seen in: decided, public information (EU Art. 49 list).
PUBLIC_PROJECT_STATUSES = (ProjectStatus.APPROVED, ProjectStatus.RUNNING, ProjectStatus.CLOSED)


class SecurityEventKind(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    SIGN_OUT = "sign_out", _("Signed out")
    LOCKED_OUT = "locked_out", _("Locked out")
    SESSION_EXPIRED = "session_expired", _("Session expired")
    PERMISSION_DENIED = "denied", _("Permission denied")
    DOWNLOAD = "download", _("Download")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    DEACTIVATED = "deactivated", _("Account deactivated")
    PERSONAL_DATA_EXPORTED = "pd_exported", _("Personal data exported")
    ANONYMISED = "anonymised", _("Account anonymised")
    API_TOKEN_CREATED = "token_created", _("API token created")
    API_TOKEN_REVOKED = "token_revoked", _("API token revoked")

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Audience(models.TextChoices):
    STEERING = "steering", _("Steering group")
    NATIONAL = "national", _("National steering group")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    COMPILING = "compiling", _("Compiling")
    RENDERING = "rendering", _("Rendering")
    DONE = "done", pgettext_lazy("report status", "Done")
    FAILED = "failed", _("Failed")


class ReviewStatus(models.TextChoices):
    """Where a compiled summary is on its way to its readers (issue 18)."""

    DRAFT = "draft", pgettext_lazy("summary review status", "Draft")
    APPROVED = "approved", pgettext_lazy("summary review status", "Approved")
    SENT = "sent", pgettext_lazy("summary review status", "Sent")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("delivery status", "Queued")
    SENT = "sent", pgettext_lazy("delivery status", "Sent")
    FAILED = "failed", pgettext_lazy("delivery status", "Failed")


class ReviewAction(models.TextChoices):
    COMPILED = "compiled", _("Compiled as a draft")
    NARRATIVE = "narrative", _("Narrative saved")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent to every recipient")
    CORRECTED = "corrected", _("Correction started as a new version")
    NOTIFIED = "notified", _("Coordinators told that the draft awaits review")
    REMINDED = "reminded", _("Coordinators reminded of the draft")
    AGENDA = "agenda", _("Added to the meeting agenda")
    RETRIED = "retried", _("Delivery retried")


class AnnexState(models.TextChoices):
    """Where an action-plan annex version's PDFs are: made by a task after the version is generated."""

    MAKING = "making", pgettext_lazy("annex state", "Being made")
    READY = "ready", pgettext_lazy("annex state", "Ready")
    FAILED = "failed", pgettext_lazy("annex state", "Failed")


class AnnexFailure(models.TextChoices):
    """Why making an annex version's PDFs failed (the page tells it in the reader's language)."""

    ERROR = "error", _("Making the PDFs failed")
    RETRIES = "retries", _("Making the PDFs failed after retries")
    TIMEOUT = "timeout", _("Making the PDFs took longer than its time limit")


class AnnexAction(models.TextChoices):
    GENERATED = "generated", _("Annex version generated")
    MADE = "made", _("Annex PDFs made")
    FAILED = "failed", _("Making the annex PDFs failed")
    AGAIN = "again", _("Annex PDFs asked to be made again")

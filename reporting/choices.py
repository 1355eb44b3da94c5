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

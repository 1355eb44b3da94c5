from django.db import models
from django.utils.translation import gettext_lazy as _


class InstrumentCode(models.TextChoices):
    ERDF = "ERDF", _("ERDF (European Regional Development Fund)")
    ESF = "ESF", _("ESF+ (European Social Fund Plus)")
    JTF = "JTF", _("JTF (Just Transition Fund)")
    AKKE = "AKKE", _("AKKE (national regional development funding)")
    RRF = "RRF", _("RRF (Recovery and Resilience Facility)")
    CITY = "CITY", _("City own funding")
    PUBLIC = "PUBLIC", _("Other public funding")
    PRIVATE = "PRIVATE", _("Private funding")


class ShareGroup(models.TextChoices):
    EU_STATE = "eu_state", _("EU and state")
    LOCAL = "local", _("Local")
    PRIVATE = "private", _("Private")


SHARE_GROUP_OF: dict[str, str] = {
    InstrumentCode.ERDF: ShareGroup.EU_STATE,
    InstrumentCode.ESF: ShareGroup.EU_STATE,
    InstrumentCode.JTF: ShareGroup.EU_STATE,
    InstrumentCode.AKKE: ShareGroup.EU_STATE,
    InstrumentCode.RRF: ShareGroup.EU_STATE,
    InstrumentCode.CITY: ShareGroup.LOCAL,
    InstrumentCode.PUBLIC: ShareGroup.LOCAL,
    InstrumentCode.PRIVATE: ShareGroup.PRIVATE,
}


class FundingLineKind(models.TextChoices):
    """A regular line of the financing plan, or a correction (which may be negative) of one."""

    LINE = "line", _("Funding line")
    CORRECTION = "correction", _("Correction")

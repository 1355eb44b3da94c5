from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    """The follow-up half of the portfolio (seuranta): progress reports, results indicators, the enterprise
    register and milestones. It sits above governance and below reporting, so the summaries can read it."""

    name = "followup"
    verbose_name = _("Follow-up")

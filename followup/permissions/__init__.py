"""Permission predicates of the follow-up app: can_<verb>_<entity>(user, obj)."""

from .reports import (
    can_edit_progress_report,
    can_review_progress_report,
    can_submit_progress_report,
    can_view_progress_report,
)

__all__ = ["can_edit_progress_report", "can_review_progress_report", "can_submit_progress_report",
           "can_view_progress_report"]

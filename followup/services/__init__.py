"""Writes of the follow-up app (re-exported from one module per aggregate)."""

from .indicators import (  # noqa: F401
    indicator_catalogue_load,
    indicator_target_delete,
    indicator_target_save,
    indicator_value_delete,
    indicator_value_save,
    milestone_delete,
    milestone_save,
    project_enterprise_add,
    project_enterprise_remove,
)

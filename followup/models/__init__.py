"""Follow-up models, one module per aggregate: indicators (catalogue, targets, values, the enterprise
register, milestones) and progress reports."""

from .indicators import (  # noqa: F401
    Enterprise,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Milestone,
    ProjectEnterprise,
)

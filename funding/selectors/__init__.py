"""Reads of the funding app: the 40/60 split, the priority-4 rule, frame use and financing plans.

Every figure is aggregated in the database (``Sum`` over grouped rows); Python only merges the few
grouped rows and does Decimal arithmetic on the sums.

Definitions used throughout (the agreement is silent on these; we decided; docs/counting-rules.md):
- Lines of ideas, rejected and withdrawn projects never count, nor RRF (shown apart). Correction lines
  (which may be negative) are summed with the regular lines, so every figure is net.
- Split: shares of the grand total (private money included) in percent with 2 decimals, made to add up
  to exactly 100.00 by the largest-remainder method; ``None`` when the total is zero. Within the indicative
  split when local is within ``FUNDING_SPLIT_LOCAL_TARGET`` ± ``FUNDING_SPLIT_TOLERANCE`` percentage points
  and EU+state within (100 − target) ± tolerance.
- Priority-4 rule: priority 4's total is strictly below that of each of priorities 1–3 of the same
  agreement; a priority 4 with no money never breaks it. For several agreements it must hold in each.
- Frame use per instrument and year: committed = granted on approved/running/closed projects plus the
  lines of approved (not since corrected) decisions of projects not yet marked decided; pending =
  requested lines of submitted proposals and proposals on an agenda. Committed over the frame is an error
  (``services.frame_check_commit`` refuses it); committed + pending over the frame is a warning.
- AKKE split: AKKE lines with the local and private lines of the same project and year.
- Coordination project: AKKE until the end of 2023, ERDF from 2024; other EU/state lines are flagged.

The modules: `counting`, `splits`, `frames`, `pages`, `what_if`, `national`, `exports`, `decommitment`, `trend`;
every name is importable from the package."""

from .counting import (
    BASES,
    CENT,
    COORDINATION_AKKE_LAST_YEAR,
    DECIDED_STATUSES,
    DROPPED_STATUSES,
    HUNDRED,
    NOT_COUNTED_STATUSES,
    SEPARATE_INSTRUMENTS,
    _amount_field,
    _cents,
    _money_sum,
    countable_lines,
    counted_q,
    frame_exists,
    frame_lines,
    funding_summary,
    method_category_totals,
    needs_frame,
    percentages,
    priority4_rule_by_agreement,
    priority4_rule_holds,
    priority4_rule_ok_for,
    priority_totals,
    separate_lines,
    split_of,
    split_within_tolerance,
    theme_totals,
    with_counted_flag,
)
from .decommitment import (
    Decommitment,
    decommitment_forecast,
)
from .exports import (
    funding_line_export_rows,
)
from .frames import (
    _line_code,
    _line_value,
    frame_use,
    frames_by_year,
)
from .national import (
    agreements_comparison,
    country_comparison,
)
from .pages import (
    _bar,
    _can_change,
    dashboard_funding,
    frames_for,
    lines_fingerprint,
    project_financing_plan,
    project_list_url,
    today,
)
from .splits import (
    _gauge,
    _visible_lines,
    agreement_split,
    akke_lines,
    coordination_line_conflicts,
    country_split,
    project_split,
    split_by,
    split_report,
)
from .trend import (
    pipeline_trend,
    quarter_ends,
)
from .what_if import (
    _code_of_line,
    _parse_decimal,
    proposal_funding_effect,
    what_if_effect,
    what_if_extra_rows,
    what_if_lines_from_query,
)

__all__ = [
    "BASES",
    "CENT",
    "COORDINATION_AKKE_LAST_YEAR",
    "DECIDED_STATUSES",
    "DROPPED_STATUSES",
    "Decommitment",
    "HUNDRED",
    "NOT_COUNTED_STATUSES",
    "SEPARATE_INSTRUMENTS",
    "_amount_field",
    "_bar",
    "_can_change",
    "_cents",
    "_code_of_line",
    "_gauge",
    "_line_code",
    "_line_value",
    "_money_sum",
    "_parse_decimal",
    "_visible_lines",
    "agreement_split",
    "agreements_comparison",
    "akke_lines",
    "coordination_line_conflicts",
    "countable_lines",
    "counted_q",
    "country_comparison",
    "country_split",
    "dashboard_funding",
    "decommitment_forecast",
    "frame_exists",
    "frame_lines",
    "frame_use",
    "frames_by_year",
    "frames_for",
    "funding_line_export_rows",
    "funding_summary",
    "lines_fingerprint",
    "method_category_totals",
    "theme_totals",
    "needs_frame",
    "percentages",
    "pipeline_trend",
    "priority4_rule_by_agreement",
    "priority4_rule_holds",
    "priority4_rule_ok_for",
    "priority_totals",
    "project_financing_plan",
    "project_list_url",
    "project_split",
    "proposal_funding_effect",
    "quarter_ends",
    "separate_lines",
    "split_by",
    "split_of",
    "split_report",
    "split_within_tolerance",
    "today",
    "what_if_effect",
    "what_if_extra_rows",
    "what_if_lines_from_query",
    "with_counted_flag",
]

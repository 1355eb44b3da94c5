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

The modules: `counting`, `splits`, `frames`, `pages`, `what_if`, `national`, `exports`; every name is importable
from the package."""

from .counting import (  # noqa: F401
    BASES as BASES,
)
from .counting import (
    CENT as CENT,
)
from .counting import (
    COORDINATION_AKKE_LAST_YEAR as COORDINATION_AKKE_LAST_YEAR,
)
from .counting import (
    DECIDED_STATUSES as DECIDED_STATUSES,
)
from .counting import (
    DROPPED_STATUSES as DROPPED_STATUSES,
)
from .counting import (
    HUNDRED as HUNDRED,
)
from .counting import (
    NOT_COUNTED_STATUSES as NOT_COUNTED_STATUSES,
)
from .counting import (
    SEPARATE_INSTRUMENTS as SEPARATE_INSTRUMENTS,
)
from .counting import (
    _amount_field as _amount_field,
)
from .counting import (
    _cents as _cents,
)
from .counting import (
    _money_sum as _money_sum,
)
from .counting import (
    countable_lines as countable_lines,
)
from .counting import (
    counted_q as counted_q,
)
from .counting import (
    frame_exists as frame_exists,
)
from .counting import (
    frame_lines as frame_lines,
)
from .counting import (
    funding_summary as funding_summary,
)
from .counting import (
    method_category_totals as method_category_totals,
)
from .counting import (
    needs_frame as needs_frame,
)
from .counting import (
    percentages as percentages,
)
from .counting import (
    priority4_rule_holds as priority4_rule_holds,
)
from .counting import (
    priority4_rule_ok_for as priority4_rule_ok_for,
)
from .counting import (
    priority_totals as priority_totals,
)
from .counting import (
    separate_lines as separate_lines,
)
from .counting import (
    split_of as split_of,
)
from .counting import (
    split_within_tolerance as split_within_tolerance,
)
from .counting import (
    with_counted_flag as with_counted_flag,
)
from .exports import (  # noqa: F401
    funding_line_export_rows as funding_line_export_rows,
)
from .frames import (  # noqa: F401
    _line_code as _line_code,
)
from .frames import (
    _line_value as _line_value,
)
from .frames import (
    frame_use as frame_use,
)
from .national import (  # noqa: F401
    agreements_comparison as agreements_comparison,
)
from .pages import (
    _bar as _bar,
)
from .pages import (
    _can_change as _can_change,
)
from .pages import (
    dashboard_funding as dashboard_funding,
)
from .pages import (
    frames_for as frames_for,
)
from .pages import (
    lines_fingerprint as lines_fingerprint,
)
from .pages import (
    project_financing_plan as project_financing_plan,
)
from .pages import (  # noqa: F401
    project_list_url as project_list_url,
)
from .pages import (
    today as today,
)
from .splits import (  # noqa: F401
    _gauge as _gauge,
)
from .splits import (
    _visible_lines as _visible_lines,
)
from .splits import (
    agreement_split as agreement_split,
)
from .splits import (
    akke_lines as akke_lines,
)
from .splits import (
    coordination_line_conflicts as coordination_line_conflicts,
)
from .splits import (
    country_split as country_split,
)
from .splits import (
    project_split as project_split,
)
from .splits import (
    split_by as split_by,
)
from .splits import (
    split_report as split_report,
)
from .what_if import (
    _code_of_line as _code_of_line,
)
from .what_if import (  # noqa: F401
    _parse_decimal as _parse_decimal,
)
from .what_if import (
    proposal_funding_effect as proposal_funding_effect,
)
from .what_if import (
    what_if_effect as what_if_effect,
)
from .what_if import (
    what_if_extra_rows as what_if_extra_rows,
)
from .what_if import (
    what_if_lines_from_query as what_if_lines_from_query,
)

"""Every write of the funding app.

The modules: `loading`, `plans`, `frames`, `ledger`; every name is importable
from the package."""

from .frames import (
    _missing_frame_warnings,
    _overrun_message,
    _plan_split_warning,
    frame_check_commit,
    funding_change_warnings,
    funding_frame_save,
    funding_frame_warnings,
)
from .ledger import (
    _check_granted_raise_within_frames,
    _clean_money_lines,
    funding_decision_record,
    granted_set_from_decision,
    spending_entry_record,
)
from .loading import (
    CENT,
    COORDINATION_FUNDING_SOURCE,
    _code_of,
    _euros,
    agreement_funding_load,
    funding_instruments_load,
    funding_line_upsert,
    instrument_and_year,
    instrument_available_on,
)
from .plans import (
    AMOUNT_FIELDS,
    LINE_AMOUNT_MESSAGES,
    RECORDED_AMOUNT_MESSAGES,
    _check_net_not_negative,
    _refuse_recorded_amount_changes,
    funding_correction_set,
    funding_lines_replace,
    funding_lines_validate,
    instrument_available_in_year,
)

__all__ = [
    "AMOUNT_FIELDS",
    "CENT",
    "COORDINATION_FUNDING_SOURCE",
    "LINE_AMOUNT_MESSAGES",
    "RECORDED_AMOUNT_MESSAGES",
    "_check_granted_raise_within_frames",
    "_check_net_not_negative",
    "_clean_money_lines",
    "_code_of",
    "_euros",
    "_missing_frame_warnings",
    "_overrun_message",
    "_plan_split_warning",
    "_refuse_recorded_amount_changes",
    "agreement_funding_load",
    "frame_check_commit",
    "funding_change_warnings",
    "funding_correction_set",
    "funding_decision_record",
    "funding_frame_save",
    "funding_frame_warnings",
    "funding_instruments_load",
    "funding_line_upsert",
    "funding_lines_replace",
    "funding_lines_validate",
    "granted_set_from_decision",
    "instrument_available_in_year",
    "instrument_and_year",
    "instrument_available_on",
    "spending_entry_record",
]

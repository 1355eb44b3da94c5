"""Every write of the funding app.

The modules: `loading`, `plans`, `frames`, `ledger`; every name is importable
from the package."""

from .frames import (
    _missing_frame_warnings as _missing_frame_warnings,
)
from .frames import (
    _overrun_message as _overrun_message,
)
from .frames import (
    _plan_split_warning as _plan_split_warning,
)
from .frames import (
    frame_check_commit as frame_check_commit,
)
from .frames import (
    funding_change_warnings as funding_change_warnings,
)
from .frames import (
    funding_frame_save as funding_frame_save,
)
from .frames import (  # noqa: F401
    funding_frame_warnings as funding_frame_warnings,
)
from .ledger import (
    _check_granted_raise_within_frames as _check_granted_raise_within_frames,
)
from .ledger import (
    _clean_money_lines as _clean_money_lines,
)
from .ledger import (
    funding_decision_record as funding_decision_record,
)
from .ledger import (  # noqa: F401
    granted_set_from_decision as granted_set_from_decision,
)
from .ledger import (
    spending_entry_record as spending_entry_record,
)
from .loading import (  # noqa: F401
    CENT as CENT,
)
from .loading import (
    COORDINATION_FUNDING_SOURCE as COORDINATION_FUNDING_SOURCE,
)
from .loading import (
    _code_of as _code_of,
)
from .loading import (
    _euros as _euros,
)
from .loading import (
    agreement_funding_load as agreement_funding_load,
)
from .loading import (
    funding_instruments_load as funding_instruments_load,
)
from .loading import (
    funding_line_upsert as funding_line_upsert,
)
from .loading import (
    instrument_available_on as instrument_available_on,
)
from .plans import (  # noqa: F401
    AMOUNT_FIELDS as AMOUNT_FIELDS,
)
from .plans import (
    LINE_AMOUNT_MESSAGES as LINE_AMOUNT_MESSAGES,
)
from .plans import (
    RECORDED_AMOUNT_MESSAGES as RECORDED_AMOUNT_MESSAGES,
)
from .plans import (
    _check_net_not_negative as _check_net_not_negative,
)
from .plans import (
    _refuse_recorded_amount_changes as _refuse_recorded_amount_changes,
)
from .plans import (
    funding_correction_set as funding_correction_set,
)
from .plans import (
    funding_lines_replace as funding_lines_replace,
)
from .plans import (
    funding_lines_validate as funding_lines_validate,
)
from .plans import (
    instrument_available_in_year as instrument_available_in_year,
)

"""Files of a summary, rendered only from its snapshot, so the same snapshot always gives the same bytes.

Nothing here reads the portfolio or the clock: timestamps come from the snapshot (`compiled_at`), XLSX
document properties and ZIP entry times are fixed, and the PDF carries the snapshot's time as its
creation date. The PDF language is the summary's (translation.override).

The modules: `common`, `text`, `xlsx`, `pdf`, `formats`; every name is importable
from the package."""

from .common import (
    CONTENT_TYPES as CONTENT_TYPES,
)
from .common import (
    FORMULA_PREFIXES as FORMULA_PREFIXES,
)
from .common import (  # noqa: F401
    PDF_NATIONAL_LIST_LIMIT as PDF_NATIONAL_LIST_LIMIT,
)
from .common import (
    _cell_value as _cell_value,
)
from .common import (
    _dec as _dec,
)
from .common import (
    _fmt as _fmt,
)
from .common import (
    _name as _name,
)
from .common import (
    _sum_by_instrument as _sum_by_instrument,
)
from .common import (
    compiled_at as compiled_at,
)
from .common import (
    coordinator_narrative as coordinator_narrative,
)
from .common import (
    correction_note as correction_note,
)
from .common import (
    indicator_label as indicator_label,
)
from .common import (
    narrative as narrative,
)
from .common import (
    outcome_label as outcome_label,
)
from .common import (
    safe_text as safe_text,
)
from .common import (
    status_label as status_label,
)
from .common import (
    tables as tables,
)
from .common import (
    title_of as title_of,
)
from .formats import (  # noqa: F401
    RENDERERS as RENDERERS,
)
from .formats import (
    render_all as render_all,
)
from .pdf import (  # noqa: F401
    LocalStaticFetcher as LocalStaticFetcher,
)
from .pdf import (
    _bars as _bars,
)
from .pdf import (
    _css_string as _css_string,
)
from .pdf import (
    _font_clock as _font_clock,
)
from .pdf import (
    _is_number as _is_number,
)
from .pdf import (
    _pdf_cell as _pdf_cell,
)
from .pdf import (
    agreement_labels as agreement_labels,
)
from .pdf import (
    charts as charts,
)
from .pdf import (
    render_pdf as render_pdf,
)
from .text import (
    _csv_cell as _csv_cell,
)
from .text import (
    _key_columns as _key_columns,
)
from .text import (
    render_csv as render_csv,
)
from .text import (  # noqa: F401
    render_json as render_json,
)
from .xlsx import (  # noqa: F401
    FIXED_ZIP_TIME as FIXED_ZIP_TIME,
)
from .xlsx import (
    _normalise_zip as _normalise_zip,
)
from .xlsx import (
    _sheet_title as _sheet_title,
)
from .xlsx import (
    _text as _text,
)
from .xlsx import (
    render_xlsx as render_xlsx,
)

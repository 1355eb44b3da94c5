"""Importing an existing portfolio from a spreadsheet: organisations, projects and funding lines.

A file is read into tables (an XLSX workbook with up to three sheets, or one CSV table), each recognised by
its columns, whose headings may be in Finnish, Swedish or English (`COLUMNS`; the template downloadable
from the import page and `import_portfolio --template` lists them). Every import is first a dry run:
`portfolio_import(..., commit=False)` validates every row and says what it would create, update or leave
as it is, and writes nothing. With `commit=True` and no problem, the same plan is written in one
transaction through the apps' own services (the rules of the project form and the financing plan hold);
importing the same file again changes nothing. Planned money only: granted and spent money come from
recorded decisions and spending entries, never from a spreadsheet.

It writes portfolio's and funding's rows, so it sits in the top layer, beside the other data going in
and out (the open-data list of operations).

The modules: `tables` (columns, reading, values), `plan` (validation and writing), `template`, `uploads`
(check and import of a kept file); every name is importable from the package."""

from .plan import (
    _line_rows,
    _merged_lines,
    _organisation_rows,
    _Organisations,
    _project_changes,
    _project_data,
    _write,
    portfolio_import,
)
from .tables import (
    COLUMNS,
    DATE_FORMATS,
    INSTRUMENT_ALIASES,
    LANGUAGES,
    LINES,
    MAX_ROWS,
    ORGANISATIONS,
    PROGRESS_EVERY,
    PROJECTS,
    REQUIRED,
    SHEET_TITLES,
    SIGNATURE,
    SYNC_ROWS,
    ImportFileError,
    ImportReport,
    Problem,
    RowPlan,
    Table,
    _closest,
    _codes,
    _date,
    _heading_keys,
    _instrument_code,
    _kind,
    _recognise,
    _rows_to_table,
    _text,
    read_tables,
)
from .template import (
    template_xlsx,
)
from .uploads import (
    _progress_writer,
    _start,
    import_receive,
    import_request,
    import_run,
    report_as_dict,
)

__all__ = [
    "COLUMNS",
    "DATE_FORMATS",
    "INSTRUMENT_ALIASES",
    "ImportFileError",
    "ImportReport",
    "LANGUAGES",
    "LINES",
    "MAX_ROWS",
    "ORGANISATIONS",
    "PROGRESS_EVERY",
    "PROJECTS",
    "Problem",
    "REQUIRED",
    "RowPlan",
    "SHEET_TITLES",
    "SIGNATURE",
    "SYNC_ROWS",
    "Table",
    "_Organisations",
    "_closest",
    "_codes",
    "_date",
    "_heading_keys",
    "_instrument_code",
    "_kind",
    "_line_rows",
    "_merged_lines",
    "_organisation_rows",
    "_progress_writer",
    "_project_changes",
    "_project_data",
    "_recognise",
    "_rows_to_table",
    "_start",
    "_text",
    "_write",
    "import_receive",
    "import_request",
    "import_run",
    "portfolio_import",
    "read_tables",
    "report_as_dict",
    "template_xlsx",
]

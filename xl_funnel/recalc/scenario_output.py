"""Write scenario results as CSV or .xlsx, safe to open in a spreadsheet.

A text that a spreadsheet would read as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return, or their full-width forms) is written with a leading apostrophe, as
OWASP's "CSV Injection" guidance recommends, so ``=HYPERLINK(…)`` typed into a grid comes back
as text, never as a live formula. Numbers are written as numbers (``-5`` stays a number).
Both writers replace the target atomically.

>>> neutralise("=1+1"), neutralise("-5"), neutralise(-5.0), neutralise("Q1")
("'=1+1", "'-5", -5.0, 'Q1')
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xl_funnel.atomic import atomic_write
from xl_funnel.recalc.cell_text import number_text

__all__ = [
    "FORMULA_TRIGGERS",
    "csv_text",
    "long_layout",
    "neutralise",
    "write_csv",
    "write_results",
    "write_xlsx",
]

#: First characters that make a spreadsheet treat a cell as a formula (OWASP), plus the
#: full-width forms some spreadsheets normalise to them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralise(value: Any) -> Any:
    """``value`` as it may go into a CSV cell: formula-like text gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _csv_field(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return number_text(value) if math.isfinite(value) else "#NUM!"
    return neutralise(value)


def csv_text(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A header line and ``rows`` as RFC 4180 CSV.

    >>> csv_text(["Name", "Value"], [["=cmd()", -2.5], ["a,b", 3.0]]).splitlines()
    ['Name,Value', "'=cmd(),-2.5", '"a,b",3']
    """
    text = io.StringIO()
    # "\r\n" (RFC 4180) makes the writer quote a field holding either line-break character.
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([neutralise(column) for column in columns])
    writer.writerows([_csv_field(value) for value in row] for row in rows)
    return text.getvalue()


def write_csv(path: str | Path, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Write :func:`csv_text` to ``path`` (UTF-8), atomically."""
    with atomic_write(path) as handle:
        handle.write(csv_text(columns, rows).encode("utf-8"))


#: Excel's last column (XFD) and last row.
MAX_COLUMNS, MAX_ROWS = 16_384, 1_048_576
Formats = Sequence[str | None]


def long_layout(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], formats: Formats
) -> tuple[list[str], list[list[Any]], list[str | None]]:
    """The tidy form of a table too wide for a sheet: one row per scenario and column.

    The first column (the scenario's name) stays; the others become ``Column`` and ``Value``;
    the returned formats are per row (each value keeps its column's number format).

    >>> long_layout(["Scenario", "A", "B"], [["Base", 1, 2]], [None, "0", "0.0%"])
    (['Scenario', 'Column', 'Value'], [['Base', 'A', 1], ['Base', 'B', 2]], ['0', '0.0%'])
    """
    tidy, row_formats = [], []
    for row in rows:
        for column, value, number_format in zip(columns[1:], row[1:], formats[1:], strict=True):
            tidy.append([row[0], column, value])
            row_formats.append(number_format)
    return [columns[0], "Column", "Value"], tidy, row_formats


def _width(column: str, values: list[Any]) -> float:
    longest = max([len(f"{v:,.2f}" if isinstance(v, float) else str(v)) for v in values] or [0])
    return min(40.0, max(8.0, len(column) * 0.9 + 2, longest + 2))


def write_xlsx(
    path: str | Path,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    formats: Formats | None = None,
    *,
    row_formats: Formats | None = None,
) -> None:
    """Write a one-sheet workbook ``Scenarios`` ready for a report.

    Header row styled like the plan's and frozen with the first column (the scenario's name);
    each column gets the plan's number format of its figure (``formats``; ``row_formats`` sets
    the last column's per row, for :func:`long_layout`) and a width that fits it. Text is
    stored as text (never as a formula, whatever it starts with); Excel's error texts
    (``#NUM!``) are stored as error values.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    from xl_funnel.plan.styles import HEADER_FILL, HEADER_FONT

    if len(rows) >= MAX_ROWS:
        raise ValueError(f"{len(rows):,} rows do not fit a sheet ({MAX_ROWS:,}): write a .csv")
    book = Workbook()
    sheet = book.active
    sheet.title = "Scenarios"
    sheet.append([_cell_text(column) for column in columns])
    for row in rows:
        sheet.append([_cell_text(value) for value in row])
    for cells in sheet.iter_rows():
        for cell in cells:
            if cell.data_type == "f":  # openpyxl reads a leading "=" as a formula
                cell.data_type = "s"
    for index, column in enumerate(columns, start=1):
        header = sheet.cell(1, index)
        header.font, header.fill = HEADER_FONT, HEADER_FILL
        header.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        number_format = formats[index - 1] if formats else None
        if number_format and number_format != "General":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
        sample = [row[index - 1] for row in rows[:200] if index - 1 < len(row)]
        sheet.column_dimensions[get_column_letter(index)].width = _width(column, sample)
    if row_formats:
        for (cell,), number_format in zip(
            sheet.iter_rows(min_row=2, min_col=len(columns), max_col=len(columns)),
            row_formats,
            strict=True,
        ):
            if number_format and number_format != "General":
                cell.number_format = number_format
    sheet.row_dimensions[1].height = 30
    sheet.freeze_panes = "B2" if len(columns) > 1 else "A2"
    with atomic_write(path) as handle:
        book.save(handle)


def _cell_text(value: Any) -> Any:
    """Text a cell can hold: control characters XML forbids (a formula's CHAR(1)) written as
    Excel's own ``_xHHHH_`` escapes, which Excel reads back as the character. (openpyxl
    writes a carriage return as ``&#13;`` itself: it reads back exactly.)"""
    if isinstance(value, str) and _ILLEGAL.search(value):
        return _ILLEGAL.sub(lambda match: f"_x{ord(match[0]):04X}_", value)
    return value


_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_results(
    path: str | Path,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    formats: Formats | None = None,
) -> None:
    """Write by the file's suffix: ``.xlsx`` as a workbook, anything else as CSV; a table wider
    than column XFD in its :func:`long_layout`."""
    row_formats = None
    if len(columns) > MAX_COLUMNS:
        columns, rows, row_formats = long_layout(columns, rows, formats or [None] * len(columns))
        formats = None
    if Path(path).suffix.lower() == ".xlsx":
        write_xlsx(path, columns, rows, formats, row_formats=row_formats)
    else:
        write_csv(path, columns, rows)

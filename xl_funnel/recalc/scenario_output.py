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

__all__ = ["FORMULA_TRIGGERS", "csv_text", "neutralise", "write_csv", "write_results", "write_xlsx"]

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
        if value.is_integer() and abs(value) < 1e15:
            return int(value)
        return repr(value) if math.isfinite(value) else "#NUM!"
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


def write_xlsx(path: str | Path, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Write a one-sheet workbook ``Scenarios``: header row, then one row per scenario.

    Text is stored as text (never as a formula, whatever it starts with); Excel's error texts
    (``#NUM!``) are stored as error values.
    """
    from openpyxl import Workbook

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
    sheet.freeze_panes = "A2"
    with atomic_write(path) as handle:
        book.save(handle)


def _cell_text(value: Any) -> Any:
    """Text a cell can hold: control characters XML forbids (a formula's CHAR(1)) written as
    Excel's own ``_xHHHH_`` escapes, which Excel reads back as the character."""
    if isinstance(value, str) and _ILLEGAL.search(value):
        return _ILLEGAL.sub(lambda match: f"_x{ord(match[0]):04X}_", value)
    return value


_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_results(path: str | Path, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Write by the file's suffix: ``.xlsx`` as a workbook, anything else as CSV."""
    if Path(path).suffix.lower() == ".xlsx":
        write_xlsx(path, columns, rows)
    else:
        write_csv(path, columns, rows)

"""Users' files in: one table reader, dates, numbers and rates as people type them.

- :mod:`~xl_funnel.io.table`: :func:`read_table` for every table a command reads (CSV of any
  common dialect and encoding, .xlsx/.xlsm sheets, column mapping, header search);
- :mod:`~xl_funnel.io.dates` and :mod:`~xl_funnel.io.numbers`: cells to dates and numbers,
  refusing what could be read two ways;
- :mod:`~xl_funnel.io.text` and :mod:`~xl_funnel.io.workbook`: the two file formats.

The rules are written for users in ``docs/data.md``.
"""

from __future__ import annotations

from xl_funnel.io.dates import parse_dates
from xl_funnel.io.errors import TableError
from xl_funnel.io.numbers import parse_number
from xl_funnel.io.table import Field, Table, cell_text, parse_mapping, read_table

__all__ = [
    "Field",
    "Table",
    "TableError",
    "cell_text",
    "parse_dates",
    "parse_mapping",
    "parse_number",
    "read_table",
]

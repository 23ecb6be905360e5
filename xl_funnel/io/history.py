"""A history of stage counts (``xl-funnel risk --history``): one row per past period.

An optional header row (stage names) is recognised by its first cell not being a number.
Counts are read with :func:`~xl_funnel.io.numbers.parse_number` (``1.200`` under
``--decimal ,``), any delimiter, encoding or .xlsx sheet of the table reader.
"""

from __future__ import annotations

from pathlib import Path

from xl_funnel.io.errors import TableError
from xl_funnel.io.numbers import parse_number
from xl_funnel.io.table import read_table

__all__ = ["read_history"]


def _is_number(value: object, decimal: str) -> bool:
    try:
        return parse_number(value, decimal=decimal) is not None
    except TableError:
        return False


def read_history(
    path: str | Path, stages: int, *, decimal: str = ".", sheet: str | None = None
) -> list[list[float]]:
    """Each period's counts, top stage first; every row must give ``stages`` numbers."""
    table = read_table(path, header=False, sheet=sheet, what="history")
    rows, lines = table.rows, table.lines
    if rows and not _is_number(rows[0][0], decimal):
        rows, lines = rows[1:], lines[1:]  # a header of stage names
    if not rows:
        raise TableError(f"{table.source}: no periods: give one row of stage counts per period")
    counts = []
    for row, line in zip(rows, lines, strict=True):
        cells = list(row)
        while cells and (cells[-1] is None or str(cells[-1]).strip() == ""):
            cells.pop()  # a trailing delimiter or empty cells right of the table
        where = f"{table.source} row {line}"
        if len(cells) != stages:
            raise TableError(f"{where} has {len(cells)} counts, the plan has {stages} stages")
        numbers = []
        for column, cell in enumerate(cells, start=1):
            number = parse_number(cell, decimal=decimal, where=where, label=f"column {column}")
            if number is None:
                raise TableError(f"{where}, column {column} is blank: give every stage's count")
            numbers.append(number)
        counts.append(numbers)
    return counts

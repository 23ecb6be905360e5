"""A scenario grid (``xl-funnel scenarios``): a header of defined names, one scenario a row.

Read with :func:`~xl_funnel.io.table.read_table` (any delimiter, encoding or .xlsx sheet;
duplicate columns refused). Numbers are normalised under ``--decimal`` so the grid cells reach
the plan as the same values whatever the locale wrote: ``0,08`` (``--decimal ,``) and
``$900,000`` become ``0.08`` and ``900000.0``; other texts (``TRUE``, ``12%``, names) pass as
typed. A range name's cell keeps its ``;``-separated values, each normalised.
"""

from __future__ import annotations

from pathlib import Path

from xl_funnel.io.errors import TableError
from xl_funnel.io.numbers import parse_number
from xl_funnel.io.table import cell_text, read_table

__all__ = ["normalised", "read_grid"]


def normalised(text: str, decimal: str = ".") -> str:
    """A grid cell with each ``;``-separated number written the one way the plan reads.

    >>> normalised("0,015;0,2", decimal=","), normalised("$900,000"), normalised("Q1;TRUE")
    ('0.015;0.2', '900000.0', 'Q1;TRUE')
    """
    parts = []
    for part in text.split(";"):
        try:
            number = parse_number(part, decimal=decimal)
        except TableError:
            number = None
        parts.append(part if number is None or part.strip().endswith("%") else repr(number))
    return ";".join(parts)


def read_grid(
    path: str | Path, *, sheet: str | None = None, decimal: str = "."
) -> tuple[list[str], list[list[str]]]:
    """The grid's column names and its rows as texts (blank rows dropped)."""
    table = read_table(path, sheet=sheet, what="scenario grid")
    named = [i for i, name in enumerate(table.header) if name]
    if not named:
        raise TableError(f"{table.source}: has no header row naming the inputs")
    columns = [table.header[i] for i in named]
    rows = []
    for i, row in enumerate(table.rows):
        extra = [cell for j, cell in enumerate(row) if j not in named and cell_text(cell).strip()]
        if extra:
            raise TableError(
                f"{table.where(i)}: a value {cell_text(extra[0])!r} under no column name"
            )
        if len(row) <= named[-1]:
            raise TableError(f"{table.where(i)} has {len(row)} fields for {len(columns)} columns")
        cells = [cell_text(row[j]) for j in named]
        rows.append([normalised(cell, decimal) for cell in cells])
    return columns, rows

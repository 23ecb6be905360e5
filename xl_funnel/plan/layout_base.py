"""The grid every layout is made of: sheet names, cell references and a row cursor."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter, quote_sheetname

__all__ = [
    "ASSUMPTIONS",
    "CHANNELS",
    "CHANNEL_KPIS",
    "DASHBOARD",
    "FIRST_BLOCK_ROW",
    "FUNNEL",
    "GUIDE",
    "LABEL_COL",
    "OBJECTIVES",
    "SHEETS",
    "SUBTITLE_ROW",
    "TITLE_ROW",
    "TRACKING",
    "VALUE_COL",
    "Ref",
    "Rows",
    "column_range",
    "nth",
    "row_range",
]

GUIDE = "Guide"
ASSUMPTIONS = "Assumptions"
FUNNEL = "Funnel"
CHANNELS = "Channels"
TRACKING = "Tracking"
DASHBOARD = "Dashboard"
CHANNEL_KPIS = "Channel KPIs"
OBJECTIVES = "Objectives"
#: Sheet order in the workbook.
SHEETS = (GUIDE, ASSUMPTIONS, FUNNEL, CHANNELS, TRACKING, DASHBOARD, CHANNEL_KPIS, OBJECTIVES)

#: Every sheet: labels in column B (A is a narrow margin), values from column C.
LABEL_COL = 2
VALUE_COL = 3
TITLE_ROW = 1
SUBTITLE_ROW = 2
FIRST_BLOCK_ROW = 4


@dataclass(frozen=True)
class Ref:
    """A cell or a rectangular range on one sheet (1-based rows and columns)."""

    sheet: str
    row: int
    col: int
    last_row: int | None = None
    last_col: int | None = None

    @property
    def rows(self) -> int:
        return (self.last_row or self.row) - self.row + 1

    @property
    def cols(self) -> int:
        return (self.last_col or self.col) - self.col + 1

    @property
    def ref(self) -> str:
        """Relative A1 address on its own sheet: ``C5`` or ``C5:C9``."""
        start = f"{get_column_letter(self.col)}{self.row}"
        if self.last_row is None and self.last_col is None:
            return start
        end = f"{get_column_letter(self.last_col or self.col)}{self.last_row or self.row}"
        return f"{start}:{end}"

    @property
    def abs(self) -> str:
        """Absolute address on its own sheet: ``$C$5`` or ``$C$5:$C$9``."""
        return _absolute(self)

    @property
    def qualified(self) -> str:
        """Absolute address with its sheet: ``Assumptions!$C$5``."""
        return f"{quote_sheetname(self.sheet)}!{self.abs}"

    def seen_from(self, sheet: str) -> str:
        """Relative address as a formula on ``sheet`` writes it: ``C5``, or ``Channels!C5``
        from another sheet. Per-row formulas point at their row's cells this way so that a
        block's formulas have one shape (see :func:`nth`)."""
        return self.ref if sheet == self.sheet else f"{quote_sheetname(self.sheet)}!{self.ref}"

    def cell(self, i: int = 0, j: int = 0) -> Ref:
        """The cell ``i`` rows down and ``j`` columns right of this range's top-left."""
        return Ref(self.sheet, self.row + i, self.col + j)

    def cells(self) -> list[Ref]:
        """Every cell of the range, row by row."""
        return [self.cell(i, j) for i in range(self.rows) for j in range(self.cols)]


def nth(name: str, first_row: int, row: int) -> str:
    """``INDEX(name,ROWS($A$first:$Arow))``: the item of ``name`` for the ``row``-th row of a
    block that starts at ``first_row``.

    A block's per-row formulas say "the k-th channel" this way rather than ``INDEX(name, k)``
    with k typed in, so every row's formula has one shape, as if filled down in Excel. Engines
    parse one shape once: the 10,000-channel plan computes several times faster
    (``docs/recalc.md``), and Excel's "inconsistent formula" check stays quiet.
    """
    return f"INDEX({name},ROWS($A${first_row}:$A{row}))"


def _absolute(ref: Ref) -> str:
    def one(row: int, col: int) -> str:
        return f"${get_column_letter(col)}${row}"

    start = one(ref.row, ref.col)
    if ref.last_row is None and ref.last_col is None:
        return start
    return f"{start}:{one(ref.last_row or ref.row, ref.last_col or ref.col)}"


def column_range(sheet: str, row: int, col: int, count: int) -> Ref:
    return Ref(sheet, row, col, row + count - 1, col)


def row_range(sheet: str, row: int, col: int, count: int) -> Ref:
    return Ref(sheet, row, col, row, col + count - 1)


class Rows:
    """A cursor that hands out rows top to bottom, leaving a blank row between blocks."""

    def __init__(self, start: int = FIRST_BLOCK_ROW) -> None:
        self.next = start

    def take(self, count: int = 1) -> int:
        row = self.next
        self.next += count
        return row

    def gap(self, count: int = 1) -> None:
        self.next += count

"""References as formualizer reads them: structured references (Excel Tables), external
links' cached values, whole columns and rows clipped to the used range, 3-D references,
intersections; with the workbook facts they need (:class:`BookForms`) and where a formula
sits (:class:`Position`). :mod:`~xl_funnel.recalc.engine_forms` applies them to formulas.

>>> from xl_funnel.recalc.package import Table
>>> rates = Table("Rates", "S", 1, 1, 4, 2, ("Stage", "Rate"), 1, 1)
>>> book = BookForms(["S"], [rates], lambda sheet: (5, 3))
>>> structured("Rates[Rate]", Position("S", 9, 9), book)
'$B$2:$B$3'
>>> structured("Rates[[#This Row],[Rate]]", Position("S", 3, 4), book)
'$B3'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from functools import cache
from typing import NamedTuple

from xl_funnel.recalc.a1 import column_letters, column_number, parse_a1
from xl_funnel.recalc.lazy_pattern import LazyPattern
from xl_funnel.recalc.package import Table

__all__ = [
    "BookForms",
    "Position",
    "bounds",
    "clip_whole",
    "external",
    "intersection",
    "multi_cell",
    "split_sheet",
    "structured",
    "three_d",
]

_MAX_ROW, _MAX_COL = 1_048_576, 16_384
_HUGE = 1_000_000  # cells: a range past this is clipped to the used part of its sheet

_EXTERNAL = LazyPattern(r"^'?\[([0-9]+)\](?:((?:[^']|'')+)'|([^'!]+))!(.+)$")
_EXTERNAL_BY_NAME = LazyPattern(r"^'?[^'!\[]*\[[^\]]+\][^!]*!")
_SHEET = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!\[\]]+))!(.+)$")
_AREA = re.compile(r"^(\$?[A-Za-z]{1,3}\$?[0-9]{1,7})(?::(\$?[A-Za-z]{1,3}\$?[0-9]{1,7}))?$")
_WHOLE_COLS = re.compile(r"^(\$?)([A-Za-z]{1,3}):(\$?)([A-Za-z]{1,3})$")
_WHOLE_ROWS = re.compile(r"^(\$?)([0-9]{1,7}):(\$?)([0-9]{1,7})$")
_STRUCTURED = re.compile(r"^([A-Za-z_\\][\w.\\]*)?\[(.*)\]$", re.S)
_SPECIALS = ("#all", "#data", "#headers", "#totals", "#this row")


class Position(NamedTuple):
    """Where a formula sits: its sheet, cell (``row`` 0 for a defined name) and, for an array
    formula, its range ``(top, left, bottom, right)``. (A named tuple: cheaper to define than a
    dataclass, at every start-up that rewrites a formula.)"""

    sheet: str
    row: int
    col: int
    array: tuple[int, int, int, int] | None = None


class BookForms:
    """What rewriting needs of a workbook: sheet order, tables, each sheet's used extent."""

    def __init__(
        self,
        sheets: Sequence[str],
        tables: Sequence[Table],
        extent: Callable[[str], tuple[int, int]],
        externals: Sequence[dict[str, dict[tuple[int, int], object]]] = (),
        range_names: frozenset[str] = frozenset(),
    ) -> None:
        self.externals = list(externals)
        #: Defined names (upper case) that stand for a range of several cells.
        self.range_names = range_names
        self.sheets = list(sheets)
        self._upper = {name.upper(): name for name in sheets}
        self.tables = {table.name.upper(): table for table in tables}
        self._extent = cache(extent)
        #: Formulas whose value the engine gets wrong, by label (found while rewriting).
        self.unsupported: Counter[str] = Counter()

    def sheet(self, name: str) -> str | None:
        return self._upper.get(name.upper())

    def extent(self, sheet: str) -> tuple[int, int]:
        rows, cols = self._extent(sheet)
        return max(rows, 1), max(cols, 1)


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'!"


def _area(sheet: str | None, top: int, left: int, bottom: int, right: int, fixed=True) -> str:
    dollar = "$" if fixed else ""
    first = f"{dollar}{column_letters(left)}{dollar}{top}"
    text = (
        first
        if (top, left) == (bottom, right)
        else (f"{first}:{dollar}{column_letters(right)}{dollar}{bottom}")
    )
    return (_quote(sheet) if sheet else "") + text


def _column_items(spec: str) -> list[str]:
    """``[#This Row],[A]:[B]`` → ``["#This Row", "A:B"]`` (brackets and escapes removed)."""
    items, depth, current = [], 0, ""
    index = 0
    while index < len(spec):
        char = spec[index]
        if char == "'" and index + 1 < len(spec):  # an escaped special character
            current += spec[index + 1]
            index += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
        index += 1
    items.append(current.strip())
    return [item for item in items if item != ""]


def structured(text: str, at: Position, book: BookForms) -> str | None:
    """A structured reference as an A1 range; ``None`` when it is not one of ours."""
    match = _STRUCTURED.match(text)
    if match is None or (match[1] is None and match[2][:1].isdigit()):
        return None  # not a structured reference, or an external workbook ([1]Sheet!A1)
    if match[1]:
        table = book.tables.get(match[1].upper())
    else:  # [@Col] inside the table itself
        table = next(
            (
                t
                for t in book.tables.values()
                if t.sheet == at.sheet
                and t.top <= at.row <= t.bottom
                and t.left <= at.col <= t.right
            ),
            None,
        )
    if table is None:
        # [@Col] with no table, outside every table: Excel cannot even hold it, and the
        # engine would refuse the whole workbook over it; the cell alone is an error.
        return "#NAME?" if not match[1] else None
    spec = match[2].strip()
    this_row = spec.startswith("@")
    if this_row:
        spec = spec[1:].strip()
        if spec and not spec.startswith("["):
            spec = f"[{spec}]"
    items = _column_items(spec) if spec.startswith("[") else ([spec] if spec else [])
    specials = {item.lower() for item in items if item.lower() in _SPECIALS}
    if this_row:
        specials.add("#this row")
    columns = [item for item in items if item.lower() not in _SPECIALS]
    first_data = table.top + table.header_rows
    last_data = table.bottom - table.totals_rows
    rows = {
        "#all": (table.top, table.bottom),
        "#data": (first_data, last_data),
        "#headers": (table.top, table.top) if table.header_rows else None,
        "#totals": (table.bottom, table.bottom) if table.totals_rows else None,
    }
    if "#this row" in specials:
        if not first_data <= at.row <= last_data:
            return "#VALUE!"
        top = bottom = at.row
    else:
        chosen = [rows[item] for item in specials or {"#data"}]
        if any(span is None for span in chosen):
            return "#REF!"
        top, bottom = min(s[0] for s in chosen), max(s[1] for s in chosen)
    left, right = table.left, table.right
    if columns:
        names = [name.lower() for name in table.columns]
        bounds = []
        for item in columns:
            first, _, last = item.partition(":")
            for name in (first, last or first):
                name = name.strip().strip("[]").strip()
                if name.lower() not in names:
                    return "#REF!"
                bounds.append(table.left + names.index(name.lower()))
        left, right = min(bounds), max(bounds)
    sheet = table.sheet if table.sheet != at.sheet else None
    if "#this row" in specials:  # relative row: stays right when the engine shifts it
        first = f"${column_letters(left)}{top}"
        text = first if left == right else f"{first}:${column_letters(right)}{top}"
        return (_quote(sheet) if sheet else "") + text
    return _area(sheet, top, left, bottom, right)


def _literal(value: object) -> str:
    if value is None:
        return "0"  # an empty cell of the cached copy reads 0, as Excel reads it
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    if isinstance(value, tuple):  # an error value
        return value[1]
    return '"' + str(value).replace('"', '""') + '"'


def external(text: str, book: BookForms) -> str | None:
    """``[1]Sheet1!A1`` → the value the file caches for it (an array constant for a range);
    ``#REF!`` when the file caches none. External workbooks are never opened."""
    match = _EXTERNAL.match(text)
    if match is None:  # [Book.xlsx]Sheet1!A1: a workbook by name, never cached by Excel
        return "#REF!" if _EXTERNAL_BY_NAME.match(text) else None
    index = int(match[1]) - 1
    sheet = (match[2] or match[3] or "").replace("''", "'").upper()
    cached = book.externals[index].get(sheet) if 0 <= index < len(book.externals) else None
    area = _AREA.match(match[4])
    if cached is None or area is None:
        return "#REF!"
    (top, left), (bottom, right) = parse_a1(area[1]), parse_a1(area[2] or area[1])
    if (bottom - top + 1) * (right - left + 1) > 10_000:
        return "#REF!"
    rows = [
        ",".join(_literal(cached.get((row, col))) for col in range(left, right + 1))
        for row in range(top, bottom + 1)
    ]
    if len(rows) == 1 and "," not in rows[0]:
        return rows[0]
    return "{" + ";".join(rows) + "}"


def split_sheet(text: str) -> tuple[str | None, str]:
    match = _SHEET.match(text)
    if match is None:
        return None, text
    sheet = match[1].replace("''", "'") if match[1] is not None else match[2]
    return sheet, match[3]


def clip_whole(text: str, at: Position, book: BookForms) -> str | None:
    """``A:A`` / ``1:1`` (with an optional sheet) clipped to the used part of its sheet."""
    sheet_name, ref = split_sheet(text)
    cols, rows = _WHOLE_COLS.match(ref), _WHOLE_ROWS.match(ref)
    if cols is None and rows is None:
        return _clip_huge(text, ref, sheet_name, at, book)
    sheet = book.sheet(sheet_name) if sheet_name else at.sheet
    if sheet is None:
        return None
    used_rows, used_cols = book.extent(sheet)
    if at.array is not None:  # cells past the used part read 0 in an array, as in Excel
        used_rows = max(used_rows, at.array[2] - at.array[0] + 1)
        used_cols = max(used_cols, at.array[3] - at.array[1] + 1)
    prefix = text[: len(text) - len(ref)]
    if cols is not None:
        left, right = column_number(cols[2].upper()), column_number(cols[4].upper())
        if right > _MAX_COL or left > right:
            return None
        right = min(right, max(left, used_cols))  # a whole sheet ($A:$XFD) is clipped too
        last = min(used_rows, _MAX_ROW)
        dollar = cols[3]
        return f"{prefix}{cols[1]}{cols[2]}$1:{dollar}{column_letters(right)}${last}"
    top, bottom = int(rows[2]), int(rows[4])
    if top > bottom or bottom > _MAX_ROW:
        return None
    bottom = min(bottom, max(top, used_rows))  # a whole sheet ($1:$1048576) is clipped too
    last = column_letters(min(used_cols, _MAX_COL))
    return f"{prefix}$A{rows[1]}{top}:${last}{rows[3]}{bottom}"


def _clip_huge(
    text: str, ref: str, sheet_name: str | None, at: Position, book: BookForms
) -> str | None:
    """An A1 range of over a million cells (``$A$1:$XFD$1048576``, as some tools write a whole
    sheet) clipped to the used part of its sheet, as a whole column is."""
    area = _AREA.match(ref)
    if area is None or area[2] is None:
        return None
    (top, left), (bottom, right) = parse_a1(area[1]), parse_a1(area[2])
    if (bottom - top + 1) * (right - left + 1) <= _HUGE:
        return None
    sheet = book.sheet(sheet_name) if sheet_name else at.sheet
    if sheet is None:
        return None
    used_rows, used_cols = book.extent(sheet)
    if at.array is not None:
        used_rows = max(used_rows, top + at.array[2] - at.array[0])
        used_cols = max(used_cols, left + at.array[3] - at.array[1])
    bottom, right = min(bottom, max(top, used_rows)), min(right, max(left, used_cols))
    first, last = area[1], area[2]
    last_letters = ("$" if last.startswith("$") else "") + column_letters(right)
    last_row = ("$" if "$" in last.lstrip("$") else "") + str(bottom)
    return f"{text[: len(text) - len(ref)]}{first}:{last_letters}{last_row}"


def three_d(text: str, book: BookForms) -> list[str] | None:
    """``Jan:Mar!B2`` → one reference per sheet from Jan to Mar, in the workbook's order."""
    sheet_span, ref = split_sheet(text)
    if sheet_span is None or ":" not in sheet_span:
        return None
    first, _, last = sheet_span.partition(":")
    start, end = book.sheet(first), book.sheet(last)
    if start is None or end is None:
        return None
    i, j = book.sheets.index(start), book.sheets.index(end)
    return [_quote(name) + ref for name in book.sheets[min(i, j) : max(i, j) + 1]]


def bounds(
    text: str, at: Position, book: BookForms
) -> tuple[str, tuple[int, int, int, int]] | None:
    """The sheet and ``(top, left, bottom, right)`` of a plain A1 reference."""
    sheet_name, ref = split_sheet(text)
    area = _AREA.match(ref)
    if area is None:
        return None
    sheet = book.sheet(sheet_name) if sheet_name else at.sheet
    if sheet is None:
        return None
    (top, left), (bottom, right) = parse_a1(area[1]), parse_a1(area[2] or area[1])
    return sheet, (min(top, bottom), min(left, right), max(top, bottom), max(left, right))


def intersection(a: str, b: str, at: Position, book: BookForms) -> str | None:
    first, second = bounds(a, at, book), bounds(b, at, book)
    if first is None or second is None:
        return None
    if first[0] != second[0]:
        return "#NULL!"
    (t1, l1, b1, r1), (t2, l2, b2, r2) = first[1], second[1]
    top, left, bottom, right = max(t1, t2), max(l1, l2), min(b1, b2), min(r1, r2)
    if top > bottom or left > right:
        return "#NULL!"
    sheet = first[0] if first[0] != at.sheet else None
    return _area(sheet, top, left, bottom, right, fixed=False)


def multi_cell(reference: str) -> bool:
    _, ref = split_sheet(reference)
    area = _AREA.match(ref)
    if area is None:
        return False
    return area[2] is not None and parse_a1(area[1]) != parse_a1(area[2])

"""Rewrite formulas, in the engine's copy of a workbook, into forms formualizer computes.

The user's file and the written output keep every formula as typed; only the copy the engine
loads changes. Each rewrite gives what Excel gives:

- **Structured references** (Excel Tables): ``Rates[Rate]``, ``[@Rate]``,
  ``Rates[[#This Row],[Rate]]``, ``T[#All]``, ``T[#Headers]``, ``T[#Totals]``, ``T[#Data]``,
  ``T[[Col1]:[Col2]]`` become A1 ranges, from the workbook's table parts.
- **Implicit intersection**: a range used where a plain (non-array) formula expects one value
  (``=P2:P16`` typed in row 5) gets formualizer's ``@`` operator, which takes the cell in the
  formula's own row or column, as Excel does.
- **Whole columns and rows** (``A:A``, ``1:1``, in formulas and defined names) are clipped to
  the used part of their sheet (for an array formula, at least to the array's own size, whose
  cells past the used range read 0 as in Excel), so a few-KB file never makes the engine or an
  xl-funnel function walk a million rows.
- **3-D references** (``SUM(Jan:Mar!B2)``) become one argument per sheet; a **union** passed as
  an argument (``RANK(A1,(B1,B2,B3))``) becomes the areas themselves (for SUM-like functions)
  or one column of their cells (``VSTACK``); an **intersection** of two ranges
  (``(C2:D3 D3:E4)``) becomes the common cells, or ``#NULL!``.
- ``ROW(range)`` and ``COLUMN(range)`` inside an array formula become the array of row or column
  numbers (formualizer returns only the first).

Formulas are read with formualizer's own tokenizer; :mod:`~xl_funnel.recalc.engine_copy`
applies this to the parts of a workbook.

>>> book = BookForms(["S"], [], lambda sheet: (5, 3))
>>> rewrite("A1:A5*2", Position("S", 3, 2), book)
'@A1:A5*2'
>>> rewrite("SUM(A:A)+ROWS(B1:B2)", Position("S", 1, 4), book)
'SUM(A$1:A$5)+ROWS(B1:B2)'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from xl_funnel.recalc.a1 import column_letters, column_number, parse_a1
from xl_funnel.recalc.package import Table
from xl_funnel.recalc.parameter_kinds import ARRAY_PARAMETERS, SCALAR_PARAMETERS, UNLIFTED

__all__ = ["BookForms", "Position", "rewrite"]

_MAX_ROW, _MAX_COL = 1_048_576, 16_384
_HUGE = 1_000_000  # cells: a range past this is clipped to the used part of its sheet

_EXTERNAL = re.compile(r"^'?\[([0-9]+)\](?:((?:[^']|'')+)'|([^'!]+))!(.+)$")
_EXTERNAL_BY_NAME = re.compile(r"^'?[^'!\[]*\[[^\]]+\][^!]*!")
_SHEET = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!\[\]]+))!(.+)$")
_AREA = re.compile(r"^(\$?[A-Za-z]{1,3}\$?[0-9]{1,7})(?::(\$?[A-Za-z]{1,3}\$?[0-9]{1,7}))?$")
_WHOLE_COLS = re.compile(r"^(\$?)([A-Za-z]{1,3}):(\$?)([A-Za-z]{1,3})$")
_WHOLE_ROWS = re.compile(r"^(\$?)([0-9]{1,7}):(\$?)([0-9]{1,7})$")
_STRUCTURED = re.compile(r"^([A-Za-z_\\][\w.\\]*)?\[(.*)\]$", re.S)
_SPECIALS = ("#all", "#data", "#headers", "#totals", "#this row")
# Functions whose arguments may each be a range: a union passed to them is its areas.
_FLATTEN = frozenset(
    {
        "SUM",
        "COUNT",
        "COUNTA",
        "AVERAGE",
        "AVERAGEA",
        "MAX",
        "MAXA",
        "MIN",
        "MINA",
        "PRODUCT",
        "SUMSQ",
        "STDEV",
        "STDEVA",
        "STDEVP",
        "STDEVPA",
        "VAR",
        "VARA",
        "VARP",
        "VARPA",
        "AND",
        "OR",
        "XOR",
        "CONCAT",
        "_XLFN.CONCAT",
        "_XLFN.STDEV.S",
        "_XLFN.STDEV.P",
        "_XLFN.VAR.S",
        "_XLFN.VAR.P",
        "MEDIAN",
        "_XLFN.MAXIFS",
        "COUNTBLANK",
    }
)


@dataclass(frozen=True)
class Position:
    """Where a formula sits: its sheet, cell (``row`` 0 for a defined name) and, for an array
    formula, its range ``(top, left, bottom, right)``."""

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


def _structured(text: str, at: Position, book: BookForms) -> str | None:
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
        return None
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


def _external(text: str, book: BookForms) -> str | None:
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


def _split_sheet(text: str) -> tuple[str | None, str]:
    match = _SHEET.match(text)
    if match is None:
        return None, text
    sheet = match[1].replace("''", "'") if match[1] is not None else match[2]
    return sheet, match[3]


def _clip_whole(text: str, at: Position, book: BookForms) -> str | None:
    """``A:A`` / ``1:1`` (with an optional sheet) clipped to the used part of its sheet."""
    sheet_name, ref = _split_sheet(text)
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


def _three_d(text: str, book: BookForms) -> list[str] | None:
    """``Jan:Mar!B2`` → one reference per sheet from Jan to Mar, in the workbook's order."""
    sheet_span, ref = _split_sheet(text)
    if sheet_span is None or ":" not in sheet_span:
        return None
    first, _, last = sheet_span.partition(":")
    start, end = book.sheet(first), book.sheet(last)
    if start is None or end is None:
        return None
    i, j = book.sheets.index(start), book.sheets.index(end)
    return [_quote(name) + ref for name in book.sheets[min(i, j) : max(i, j) + 1]]


def _bounds(
    text: str, at: Position, book: BookForms
) -> tuple[str, tuple[int, int, int, int]] | None:
    """The sheet and ``(top, left, bottom, right)`` of a plain A1 reference."""
    sheet_name, ref = _split_sheet(text)
    area = _AREA.match(ref)
    if area is None:
        return None
    sheet = book.sheet(sheet_name) if sheet_name else at.sheet
    if sheet is None:
        return None
    (top, left), (bottom, right) = parse_a1(area[1]), parse_a1(area[2] or area[1])
    return sheet, (min(top, bottom), min(left, right), max(top, bottom), max(left, right))


def _intersection(a: str, b: str, at: Position, book: BookForms) -> str | None:
    first, second = _bounds(a, at, book), _bounds(b, at, book)
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


class _Group:
    __slots__ = ("argument", "func", "open", "operands", "plain")

    def __init__(self, func: str | None, open_token) -> None:
        self.argument = 0  # which argument of a call is being read
        self.func = func  # the function name for a call, None for a parenthesis
        self.open = open_token
        self.operands: list = []  # a parenthesis' operands when it is a union
        self.plain = True  # only references separated by commas so far


def rewrite(formula: str, at: Position, book: BookForms) -> str:
    """``formula`` (without its ``=``) in a form formualizer computes as Excel would.

    A formula the tokenizer cannot read is returned unchanged (the engine reports it).
    """
    from xl_funnel.recalc.engine import load_formualizer

    fz = load_formualizer()
    text = "=" + formula
    try:
        tokens = fz.Tokenizer(text).tokens()
    except fz.TokenizerError:
        return formula
    kind, sub = fz.TokenType, fz.TokenSubType
    raw = text.encode()
    edits: list[tuple[int, int, str]] = []
    groups: list[_Group] = []
    significant = [t for t in tokens if t.token_type != kind.Whitespace]
    replaced: dict[int, str] = {}  # token start → its A1 form
    found: set[str] = set()  # functions the engine does not apply to each item, once each
    for index, token in enumerate(significant):
        token_type, subtype = token.token_type, token.subtype
        top = groups[-1] if groups else None
        if subtype == sub.Open:
            name = token.value[:-1].upper() if token_type == kind.Func else None
            if top is not None and name is None and top.func is None:
                top.plain = False
            groups.append(_Group(name, token))
            if name in ("ROW", "COLUMN") and at.array is not None:
                _row_column(significant, index, name, at, book, edits, sub.Close)
            continue
        if subtype == sub.Close:
            group = groups.pop() if groups else None
            parent = groups[-1] if groups else None
            if (
                group is not None
                and group.func is None
                and group.plain
                and len(group.operands) > 1
                and parent is not None
                and parent.func is not None
            ):
                _union(group, token, parent.func, edits, replaced)
            if top is not None and top.func is None and parent is not None and parent.func is None:
                parent.plain = False
            continue
        if token_type == kind.Operand and subtype == sub.Range:
            value = token.value
            new = _external(value, book) if "[" in value and "!" in value else None
            new = new if new is not None else _structured(value, at, book)
            if new is None and top is not None and top.func is not None:
                spread = _three_d(value, book)
                if spread is not None:
                    edits.append((token.start, token.end, ",".join(spread)))
                    continue
            if new is None:
                new = _clip_whole(value, at, book)
            if new is not None:
                replaced[token.start] = new
            current = new if new is not None else value
            if top is not None and top.func is None:
                top.operands.append(token)
            if (
                at.array is None
                and at.row
                and not _beside_reference_operator(significant, index, kind.OpInfix)
                and _intersected(groups, significant, index, kind)
                and (_multi_cell(current) or current.upper() in book.range_names)
            ):
                current = "@" + current
            if (at.array is not None or len(groups) > 1) and (
                _multi_cell(current) or current.upper() in book.range_names
            ):
                name = _unlifted(groups, at)
                if name is not None and name not in found:
                    found.add(name)
                    book.unsupported[f"{name} over a range in an array formula or SUMPRODUCT"] += 1
            if current != value:
                edits.append((token.start, token.end, current))
            continue
        if (
            token_type == kind.OpInfix
            and token.value.strip() == ""
            and 0 < index < len(significant) - 1
        ):
            before, after = significant[index - 1], significant[index + 1]
            if before.subtype == sub.Range and after.subtype == sub.Range:
                common = _intersection(
                    replaced.get(before.start, before.value), after.value, at, book
                )
                if common is not None:
                    edits = [e for e in edits if e[0] != before.start]
                    edits.append((before.start, after.end, common))
                    significant[index + 1] = _Skip(after)
            continue
        if token_type == kind.Sep and subtype == sub.Arg and top is not None:
            top.argument += 1
        elif (
            top is not None
            and top.func is None
            and not (token_type == kind.OpInfix and token.value == ",")
        ):
            top.plain = False
    if not edits:
        return formula
    edits.sort(key=lambda edit: (edit[0], edit[1]))
    out, position = [], 0
    for start, end, new in edits:
        if start < position:
            continue  # overlapping: the first edit wins
        out += [raw[position:start], new.encode()]
        position = end
    out.append(raw[position:])
    return b"".join(out).decode()[1:]


class _Skip:
    """A token already consumed by an intersection."""

    token_type = subtype = None

    def __init__(self, token) -> None:
        self.start, self.end, self.value = token.start, token.end, token.value


def _beside_reference_operator(tokens: list, index: int, infix) -> bool:
    """Whether the operand takes part in a range, intersection or union operator."""
    for neighbour in (index - 1, index + 1):
        if 0 <= neighbour < len(tokens):
            token = tokens[neighbour]
            if token.token_type == infix and token.value.strip() in ("", ":", ","):
                return True
    return False


def _intersected(groups: list[_Group], tokens: list, index: int, kind) -> bool:
    """Whether Excel intersects the range at ``tokens[index]`` with the formula's row or
    column in a plain (non-array) formula: outside any function call, or as an operand of an
    operator (``SUM(A1:A5*2)``, ``IF(A1:A5>2, …)``: the reason such formulas needed
    Ctrl+Shift+Enter) inside functions that do not take arrays (``SUMPRODUCT``, ``LOOKUP``,
    ``INDEX``, … evaluate their arguments as arrays)."""
    calls = [group for group in groups if group.func is not None]
    if not calls:
        return True
    for group in calls:
        if group.argument in ARRAY_PARAMETERS.get(group.func.removeprefix("_XLFN."), ()):
            return False
    operators = (kind.OpInfix, kind.OpPrefix, kind.OpPostfix)
    for neighbour in (index - 1, index + 1):
        if 0 <= neighbour < len(tokens) and tokens[neighbour].token_type in operators:
            return True
    innermost = groups[-1]
    return innermost.func is not None and innermost.argument in SCALAR_PARAMETERS.get(
        innermost.func.removeprefix("_XLFN."), ()
    )


def _unlifted(groups: list[_Group], at: Position) -> str | None:
    """The function that gets a range where it takes one value, inside an array context (an
    array formula, or SUMPRODUCT's arguments …): Excel applies it to each item, formualizer
    0.13 to the first only (``SUMPRODUCT(LEN(B1:B5))``) or gives ``#VALUE!``."""
    innermost = groups[-1] if groups else None
    if innermost is None or innermost.func is None:
        return None
    name = innermost.func.removeprefix("_XLFN.")
    if name not in UNLIFTED or innermost.argument not in SCALAR_PARAMETERS.get(name, ()):
        return None
    in_array = at.array is not None or any(
        group.func is not None
        and group.argument in ARRAY_PARAMETERS.get(group.func.removeprefix("_XLFN."), ())
        for group in groups[:-1]
    )
    return name if in_array else None


def _multi_cell(reference: str) -> bool:
    _, ref = _split_sheet(reference)
    area = _AREA.match(ref)
    if area is None:
        return False
    return area[2] is not None and parse_a1(area[1]) != parse_a1(area[2])


def _union(group: _Group, close, func: str, edits: list, replaced: dict[int, str]) -> None:
    """A union passed as an argument: its areas as arguments (SUM-like functions), else one
    column of its cells."""
    if func in _FLATTEN:
        edits.append((group.open.start, group.open.end, ""))
        edits.append((close.start, close.end, ""))
        return
    edits.append((group.open.start, group.open.end, "_xlfn.VSTACK("))
    for operand in group.operands:
        current = replaced.get(operand.start, operand.value)
        edits.append((operand.start, operand.end, f"_xlfn.TOCOL({current})"))


def _row_column(
    tokens: list, index: int, name: str, at: Position, book: BookForms, edits: list, close
) -> None:
    """``ROW(A1:A3)`` in an array formula → ``{1;2;3}`` (formualizer gives only the first)."""
    if index + 2 >= len(tokens) or tokens[index + 2].subtype != close:
        return
    argument = tokens[index + 1]
    bounds = _bounds(getattr(argument, "value", ""), at, book)
    if bounds is None:
        return
    top, left, bottom, right = bounds[1]
    if name == "ROW" and bottom > top:
        constant = "{" + ";".join(str(row) for row in range(top, bottom + 1)) + "}"
    elif name == "COLUMN" and right > left:
        constant = "{" + ",".join(str(col) for col in range(left, right + 1)) + "}"
    else:
        return
    edits.append((tokens[index].start, tokens[index + 2].end, constant))

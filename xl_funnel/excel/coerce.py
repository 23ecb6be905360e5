"""Reading worksheet-function arguments the way Excel users expect.

xlwings passes a single cell as a bare value and a range as a list of rows (the decorators in
:mod:`xl_funnel.udfs` ask for ``ndim=2``, so a range always arrives as rows, even a 1×1 one);
Python callers may also pass a flat list, read as one row. Cell values are ``float`` (Excel has
no integers), ``str``, ``bool``, ``None`` for a blank, or an error value as text (``"#N/A"``:
the decorators ask for ``err_to_str``).

The rules, in the order they apply:

1. **Errors propagate.** An input cell holding an error value (``#N/A``, ``#REF!``, …) makes
   the result that error, as Excel's own functions do; the first one in reading order wins.
2. **Blanks.** ``None`` and the empty text ``""`` (what ``=IF(x, "", …)`` leaves) are blank.
   An omitted or blank optional argument takes its default. A blank single-cell number is 0,
   as in ``=A1*2``; so is a blank cell of an element-wise range or of a channel table. In an
   *ordered list* (rates, counts, a revenue history, stage names) position is meaning, so a
   blank inside it is ``#VALUE!``; blanks after the last value are ignored, so a range may be
   drawn longer than the list.
3. **Reading order.** A row, a column or a 2-D block all give the same list, read row by row
   (left to right, then down).
4. **Numbers typed as text** are accepted when their meaning does not depend on the locale:
   ``"1500"``, ``" 0.2 "``, ``"1e6"``, ``"20%"`` (→ 0.2). Text with thousands separators or
   currency (``"1,500"``, ``"$1500"``) is ``#VALUE!``: ``"1,500"`` is 1.5 in a German Excel,
   and a silent misreading is worse than an error. Any other text is ``#VALUE!``.
5. **Booleans** are ``#VALUE!`` where a number is expected (TRUE in a rates range is a
   mistake, not 100 %); flags (``round_up``) accept TRUE/FALSE, numbers (0 is FALSE) and the
   texts "TRUE"/"FALSE".
6. **Non-finite numbers** (NaN, ±inf: never from Excel, possible from Python) are ``#NUM!``.
   Dates (``datetime``) and other types are ``#VALUE!``.
7. **numpy and pandas scalars** from Python callers read as their plain equivalents: numpy
   integers, floats (``float16`` included) and ``bool_`` as numbers and booleans; durations
   and dates (``timedelta64``, ``datetime64``, even though numpy counts ``timedelta64`` as an
   integer), complex numbers and pandas' ``NA``/``NaT`` are ``#VALUE!``, never an exception.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from xl_funnel.excel.errors import NUM, VALUE, CellError, is_excel_error

__all__ = [
    "cell_number",
    "choice",
    "flag",
    "grid",
    "is_blank",
    "labels",
    "number",
    "numbers_grid",
    "vector",
]

_NUMBER_TEXT = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_ROWS = (list, tuple, np.ndarray)


def is_blank(value: Any) -> bool:
    """A blank cell: ``None`` or the empty text."""
    return value is None or (isinstance(value, str) and value == "")


def grid(value: Any, name: str) -> list[list[Any]]:
    """Any argument as a list of rows: a bare value is 1×1, a flat list is one row.

    >>> grid(5.0, "x"), grid([1.0, 2.0], "x"), grid([[1.0], [2.0]], "x")
    ([[5.0]], [[1.0, 2.0]], [[1.0], [2.0]])
    """
    if not isinstance(value, _ROWS):
        return [[value]]
    rows = list(value)
    if not rows:
        raise CellError(VALUE, f"{name} is an empty range")
    if not any(isinstance(row, _ROWS) for row in rows):
        return [rows]
    if not all(isinstance(row, _ROWS) for row in rows):
        raise CellError(VALUE, f"{name} mixes cells and rows: give a range")
    block = [list(row) for row in rows]
    width = len(block[0])
    if width == 0 or any(len(row) != width for row in block):
        raise CellError(VALUE, f"{name} is not a rectangular range")
    for row in block:
        for cell in row:
            if isinstance(cell, _ROWS):
                raise CellError(VALUE, f"{name} has a range inside a cell")
    return block


def cell_number(value: Any, name: str) -> float:
    """One non-blank cell as a float, under rules 1 and 4-6 of the module docstring.

    >>> cell_number("20%", "rate"), cell_number(" 1e3 ", "x"), cell_number(7, "x")
    (0.2, 1000.0, 7.0)
    """
    if isinstance(value, bool | np.bool_):
        raise CellError(VALUE, f"{name} is {value}: a number is needed, not TRUE/FALSE")
    if isinstance(value, np.timedelta64 | np.datetime64):  # timedelta64 is an np.integer
        raise CellError(VALUE, f"{name} is a {type(value).__name__}: a number is needed")
    if isinstance(value, int | float | np.integer | np.floating):
        try:
            number = float(value)
        except OverflowError:
            raise CellError(NUM, f"{name} is too large for a number") from None
        if not math.isfinite(number):
            raise CellError(NUM, f"{name} is {number}: it must be a finite number")
        return number
    if isinstance(value, str):
        return _text_number(value, name)
    raise CellError(VALUE, f"{name} is a {type(value).__name__}: a number is needed")


def _text_number(text: str, name: str) -> float:
    if is_excel_error(text):
        raise CellError(text, f"{name} holds the error {text}")
    body = text.strip()
    percent = body.endswith("%")
    if percent:
        body = body[:-1].rstrip()
    if not _NUMBER_TEXT.match(body):
        hint = (
            ": write it without thousands separators or currency, e.g. 1500"
            if re.search(r"\d", body)
            else ""
        )
        raise CellError(VALUE, f"{name} is the text {text!r}, not a number{hint}")
    number = float(body) / 100 if percent else float(body)
    if not math.isfinite(number):
        raise CellError(NUM, f"{name} is {text!r}: too large for a number")
    return number


def _all_finite_floats(rows: list[list[Any]]) -> np.ndarray | None:
    """The block as a float array when every cell is a finite float (the common case, read in
    one numpy pass instead of cell by cell), else ``None``."""
    # xlwings passes floats; Pyodide turns whole JavaScript numbers into ints. `type() in`
    # (not isinstance) keeps bools, an int subclass, out.
    if not all(type(cell) in (float, int) for row in rows for cell in row):
        return None
    try:
        block = np.array(rows, dtype=float)
    except OverflowError:  # an int beyond a float: the cell-by-cell path names it
        return None
    return block if np.isfinite(block).all() else None


def _single(value: Any, name: str) -> Any:
    block = grid(value, name)
    if len(block) != 1 or len(block[0]) != 1:
        raise CellError(
            VALUE, f"{name} is a {len(block)}×{len(block[0])} range: give a single cell"
        )
    return block[0][0]


def number(value: Any, name: str, default: float = 0.0) -> float:
    """A single-cell number; blank (or omitted) gives ``default`` (0, as in ``=A1*2``).

    >>> number([[None]], "periods", default=1.0), number(None, "target"), number([[12.0]], "p")
    (1.0, 0.0, 12.0)
    """
    cell = _single(value, name)
    return default if is_blank(cell) else cell_number(cell, name)


def flag(value: Any, name: str, default: bool) -> bool:
    """A TRUE/FALSE argument: booleans, numbers (0 is FALSE) or the texts "TRUE"/"FALSE".

    >>> flag(None, "round_up", False), flag(1.0, "round_up", False), flag("true", "r", False)
    (False, True, True)
    """
    cell = _single(value, name)
    if is_blank(cell):
        return default
    if isinstance(cell, bool | np.bool_):
        return bool(cell)
    if isinstance(cell, str) and cell.strip().upper() in {"TRUE", "FALSE"}:
        return cell.strip().upper() == "TRUE"
    return cell_number(cell, name) != 0


def choice(value: Any, name: str, options: Sequence[str], default: str) -> str:
    """One of ``options`` given as text, case-insensitive; blank gives ``default``.

    >>> choice("CAGR", "method", ("mean", "cagr"), "mean")
    'cagr'
    """
    cell = _single(value, name)
    if is_blank(cell):
        return default
    if is_excel_error(cell):
        raise CellError(cell, f"{name} holds the error {cell}")
    text = cell.strip().lower() if isinstance(cell, str) else None
    if text not in options:
        raise CellError(VALUE, f"{name} is {cell!r}: use {' or '.join(map(repr, options))}")
    return text


def _ordered(value: Any, name: str) -> list[Any]:
    """The cells of an ordered list, row by row, without trailing blanks (rules 1-3)."""
    cells = [cell for row in grid(value, name) for cell in row]
    end = len(cells)
    while end and is_blank(cells[end - 1]):
        end -= 1
    cells = cells[:end]
    for cell in cells:
        if is_excel_error(cell):
            raise CellError(cell, f"{name} holds the error {cell}")
    for index, cell in enumerate(cells):
        if is_blank(cell):
            raise CellError(
                VALUE,
                f"{name}[{index}] is blank: a list cannot have gaps (blanks after the last "
                "value are fine)",
            )
    return cells


def vector(value: Any, name: str) -> np.ndarray:
    """An ordered list of numbers: a row, a column or a block read row by row.

    >>> vector([[0.015, 0.2], [0.2, None]], "rates").tolist()
    [0.015, 0.2, 0.2]
    """
    cells = _ordered(value, name)
    fast = _all_finite_floats([cells])
    if fast is not None:
        return fast[0]
    return np.array([cell_number(cell, f"{name}[{i}]") for i, cell in enumerate(cells)])


def labels(value: Any, name: str) -> list[str | float]:
    """An ordered list of labels (texts or numbers), e.g. stage names.

    >>> labels([["Visits"], ["Leads"], [None]], "stage_names")
    ['Visits', 'Leads']
    """
    cells = _ordered(value, name)
    out: list[str | float] = []
    for index, cell in enumerate(cells):
        out.append(cell if isinstance(cell, str) else cell_number(cell, f"{name}[{index}]"))
    return out


def numbers_grid(value: Any, name: str) -> tuple[np.ndarray, list[list[CellError | None]]]:
    """An element-wise argument: its numbers as a 2-D float array (blank is 0) and, per cell,
    the :class:`CellError` that cell gives (``None`` where it holds a usable number).

    >>> numbers, errors = numbers_grid([[1.0, None, "x"]], "leads")
    >>> numbers, [[error and error.value for error in row] for row in errors]
    (array([[1., 0., 0.]]), [[None, None, '#VALUE!']])
    """
    block = grid(value, name)
    fast = _all_finite_floats(block)
    if fast is not None:
        return fast, [[None] * len(block[0]) for _ in block]
    numbers = np.zeros((len(block), len(block[0])))
    errors: list[list[CellError | None]] = []
    for r, row in enumerate(block):
        row_errors: list[CellError | None] = []
        for c, cell in enumerate(row):
            error = None
            if not is_blank(cell):
                try:
                    numbers[r, c] = cell_number(cell, name)
                except CellError as problem:
                    error = problem
            row_errors.append(error)
        errors.append(row_errors)
    return numbers, errors

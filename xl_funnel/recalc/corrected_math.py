"""FLOOR.MATH, CEILING.MATH and MMULT, registered with the engine in Excel's documented form.

formualizer 0.13 gives ``#VALUE!`` for ``FLOOR.MATH`` and ``CEILING.MATH`` with a mode
argument and does not know ``MMULT`` (``#NAME?``). Microsoft's pages:

- "FLOOR.MATH function" / "CEILING.MATH function": ``(number, [significance], [mode])``;
  the number is rounded down (FLOOR.MATH) or up (CEILING.MATH) to a multiple of the
  significance (default 1, its sign ignored; 0 gives 0). For a negative number a mode other
  than 0 reverses the direction: FLOOR.MATH rounds toward zero, CEILING.MATH away from it.
- "MMULT function": the matrix product of two arrays; ``#VALUE!`` when the columns of
  array1 are not as many as the rows of array2 or when a cell is empty or holds text.

The examples of those pages:

>>> floor_math(24.3, 5), floor_math(6.7), floor_math(-8.1, 2), floor_math(-5.5, 2, -1)
(20.0, 6.0, -10.0, -4.0)
>>> ceiling_math(24.3, 5), ceiling_math(6.7), ceiling_math(-8.1, 2), ceiling_math(-5.5, 2, -1)
(25.0, 7.0, -8.0, -6.0)
>>> mmult([[1.0, 3.0], [7.0, 2.0]], [[2.0, 0.0], [0.0, 2.0]])
[[2.0, 6.0], [14.0, 4.0]]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from xl_funnel.recalc.corrected_value import value

__all__ = ["ceiling_math", "elementwise", "floor_math", "mmult", "multiple", "number_argument"]

_VALUE = {"type": "Error", "kind": "Value"}
_NA = {"type": "Error", "kind": "NA"}


def elementwise(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` of single values applied to each item of array arguments, as Excel does
    in an array formula or SUMPRODUCT (the engine hands a registered function a range as
    rows of values). Arrays of unlike sizes are stretched Excel's way: one row or column is
    repeated, and a position past a larger array's end is ``#N/A``.

    >>> elementwise(floor_math)([[-5.5], [3.5]], 2, [[-1, 0]])
    [[-4.0, -6.0], [2.0, 2.0]]
    >>> elementwise(floor_math)([[1.5, 2.5]], [[1], [1], [1]])
    [[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]
    >>> elementwise(floor_math)([[1.5, 2.5]], [[1, 1, 1]])
    [[1.0, 2.0, {'type': 'Error', 'kind': 'NA'}]]
    """

    def lifted(*arguments: Any) -> Any:
        arrays = [a for a in arguments if isinstance(a, list)]
        if not arrays:
            return function(*arguments)
        height = max(len(a) for a in arrays)
        width = max(len(a[0]) if a else 0 for a in arrays)

        def item(argument: Any, row: int, col: int) -> Any:
            if not isinstance(argument, list):
                return argument
            rows, cols = len(argument), len(argument[0]) if argument else 0
            if (rows != 1 and row >= rows) or (cols != 1 and col >= cols) or not cols:
                return _NA
            return argument[0 if rows == 1 else row][0 if cols == 1 else col]

        result = []
        for row in range(height):
            values = []
            for col in range(width):
                items = [item(a, row, col) for a in arguments]
                missing = next((i for i in items if i is _NA), None)
                values.append(dict(_NA) if missing else function(*items))
            result.append(values)
        return result

    lifted.__name__, lifted.__doc__ = function.__name__, function.__doc__
    return lifted


def number_argument(argument: Any) -> float | dict:
    """An argument as Excel coerces it for a number: blanks 0, booleans 1/0, and text as
    ``VALUE`` reads it ("$1,000" is 1000); an error passes through.

    >>> number_argument(None), number_argument(True), number_argument(" $1,000 ")
    (0.0, 1.0, 1000.0)
    """
    if isinstance(argument, bool):
        return float(argument)
    return value(argument)


def multiple(number: float, significance: float, step: Callable[[float], float]) -> float:
    """``step(number / significance) * significance`` at Excel's 15 significant digits.

    >>> multiple(1.5, 0.1, math.ceil)  # 1.5 / 0.1 is 14.999999999999998 in binary
    1.5
    """
    quotient = number / significance
    nearest = round(quotient)
    if abs(quotient - nearest) < 1e-9 * max(1.0, abs(quotient)):
        quotient = nearest
    return float(f"{step(quotient) * significance:.15g}")


def _rounded(number: Any, significance: Any, mode: Any, down: bool) -> Any:
    number, significance, mode = (number_argument(a) for a in (number, significance, mode))
    for argument in (number, significance, mode):
        if isinstance(argument, dict):
            return argument
    significance = abs(significance)
    if significance == 0:
        return 0.0
    if number < 0 and mode != 0:
        down = not down  # a mode reverses the direction for negative numbers
    return multiple(number, significance, math.floor if down else math.ceil)


def floor_math(number: Any, significance: Any = 1.0, mode: Any = 0.0) -> Any:
    """Excel's ``FLOOR.MATH``."""
    return _rounded(number, significance, mode, down=True)


def ceiling_math(number: Any, significance: Any = 1.0, mode: Any = 0.0) -> Any:
    """Excel's ``CEILING.MATH``."""
    return _rounded(number, significance, mode, down=False)


def _matrix(argument: Any) -> list[list[float]] | dict:
    rows = argument if isinstance(argument, list) else [[argument]]
    if not rows or not all(isinstance(row, list) and row for row in rows):
        return _VALUE
    if len({len(row) for row in rows}) != 1:
        return _VALUE
    for row in rows:
        for cell in row:
            if isinstance(cell, dict):
                return cell  # an error in a cell
            if isinstance(cell, bool) or not isinstance(cell, int | float):
                return _VALUE  # empty, text or a logical value
    return rows


def mmult(array1: Any, array2: Any) -> Any:
    """Excel's ``MMULT``: an array with the rows of ``array1`` and the columns of ``array2``.

    >>> mmult([[1.0, 2.0]], [[3.0], [4.0]]), mmult([[1.0, 2.0]], [[3.0, 4.0]])
    ([[11.0]], {'type': 'Error', 'kind': 'Value'})
    >>> mmult([[1.0, None]], [[3.0], [4.0]]), mmult([[1.0, "2"]], [[3.0], [4.0]])
    ({'type': 'Error', 'kind': 'Value'}, {'type': 'Error', 'kind': 'Value'})
    """
    left, right = _matrix(array1), _matrix(array2)
    for matrix in (left, right):
        if isinstance(matrix, dict):
            return matrix
    if len(left[0]) != len(right):
        return _VALUE
    columns = list(zip(*right, strict=True))
    return [
        [float(math.fsum(a * b for a, b in zip(row, column, strict=True))) for column in columns]
        for row in left
    ]

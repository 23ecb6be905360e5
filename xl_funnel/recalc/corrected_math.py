"""FLOOR, CEILING, FLOOR.MATH, CEILING.MATH and MMULT, registered with the engine in Excel's
documented form (:mod:`~xl_funnel.recalc.corrected`).

formualizer 0.13 rounds ``FLOOR(-2.5, -2)`` to -4 and accepts ``FLOOR(2.5, -2)`` (Excel: -2
and ``#NUM!``), gives ``CEILING(-2.5, -2)`` = -2 (Excel: -4), gives ``#VALUE!`` for
``FLOOR.MATH`` and ``CEILING.MATH`` with a mode argument and does not know ``MMULT``
(``#NAME?``). Microsoft's pages:

- "FLOOR function" / "CEILING function": ``(number, significance)``; the number is rounded
  to a multiple of the significance, down (FLOOR) or up (CEILING) in the direction of the
  significance's sign; a positive number with a negative significance is ``#NUM!``; a
  significance of 0 gives ``#DIV/0!`` (FLOOR) or 0 (CEILING).
- "FLOOR.MATH function" / "CEILING.MATH function": ``(number, [significance], [mode])``;
  the number is rounded down (FLOOR.MATH) or up (CEILING.MATH) to a multiple of the
  significance (default 1, its sign ignored; 0 gives 0). For a negative number a mode other
  than 0 reverses the direction: FLOOR.MATH rounds toward zero, CEILING.MATH away from it.
- "MMULT function": the matrix product of two arrays; ``#VALUE!`` when the columns of
  array1 are not as many as the rows of array2 or when a cell is empty or holds text.

The examples of those pages:

>>> floor(3.7, 2), floor(-2.5, -2), floor(2.5, -2), floor(1.58, 0.1), floor(0.234, 0.01)
(2.0, -2.0, {'type': 'Error', 'kind': 'Num'}, 1.5, 0.23)
>>> ceiling(2.5, 1), ceiling(-2.5, -2), ceiling(-2.5, 2), ceiling(1.5, 0.1), ceiling(0.234, 0.01)
(3.0, -4.0, -2.0, 1.5, 0.24)
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

from xl_funnel.recalc.cell_values import DIV_ERROR, NUM_ERROR, VALUE_ERROR
from xl_funnel.recalc.corrected_value import value

__all__ = [
    "ceiling",
    "ceiling_math",
    "floor",
    "floor_math",
    "mmult",
]

_VALUE, _NUM, _DIV = VALUE_ERROR, NUM_ERROR, DIV_ERROR


def _number_argument(argument: Any) -> float | dict:
    """An argument as Excel coerces it for a number: blanks 0, booleans 1/0, and text as
    ``VALUE`` reads it ("$1,000" is 1000); an error passes through.

    >>> _number_argument(None), _number_argument(True), _number_argument(" $1,000 ")
    (0.0, 1.0, 1000.0)
    """
    if isinstance(argument, bool):
        return float(argument)
    return value(argument)


def _multiple(number: float, significance: float, step: Callable[[float], float]) -> float:
    """``step(number / significance) * significance`` at Excel's 15 significant digits.

    >>> _multiple(1.5, 0.1, math.ceil)  # 1.5 / 0.1 is 14.999999999999998 in binary
    1.5
    """
    quotient = number / significance
    nearest = round(quotient)
    if abs(quotient - nearest) < 1e-9 * max(1.0, abs(quotient)):
        quotient = nearest
    return float(f"{step(quotient) * significance:.15g}")


def _rounded(number: Any, significance: Any, mode: Any, down: bool) -> Any:
    number, significance, mode = (_number_argument(a) for a in (number, significance, mode))
    for argument in (number, significance, mode):
        if isinstance(argument, dict):
            return argument
    significance = abs(significance)
    if significance == 0:
        return 0.0
    if number < 0 and mode != 0:
        down = not down  # a mode reverses the direction for negative numbers
    return _multiple(number, significance, math.floor if down else math.ceil)


def floor_math(number: Any, significance: Any = 1.0, mode: Any = 0.0) -> Any:
    """Excel's ``FLOOR.MATH``."""
    return _rounded(number, significance, mode, down=True)


def ceiling_math(number: Any, significance: Any = 1.0, mode: Any = 0.0) -> Any:
    """Excel's ``CEILING.MATH``."""
    return _rounded(number, significance, mode, down=False)


def floor(number: Any, significance: Any) -> Any:
    """Excel's ``FLOOR``."""
    return _to_multiple(number, significance, math.floor, zero=_DIV)


def ceiling(number: Any, significance: Any) -> Any:
    """Excel's ``CEILING``."""
    return _to_multiple(number, significance, math.ceil, zero=0.0)


def _to_multiple(number: Any, significance: Any, step: Any, zero: Any) -> Any:
    """The rules FLOOR and CEILING share; ``zero``: what a significance of 0 gives for a
    number other than 0."""
    number, significance = _number_argument(number), _number_argument(significance)
    for argument in (number, significance):
        if isinstance(argument, dict):
            return argument
    if number > 0 and significance < 0:
        return _NUM
    if significance == 0:
        return 0.0 if number == 0 else zero
    return _multiple(number, significance, step)


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

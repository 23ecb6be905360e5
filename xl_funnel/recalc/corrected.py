"""Excel built-ins formualizer computes differently from Excel, registered with the engine in
a corrected form (Excel's documented behaviour, tested on the examples of its documentation).

- ``FLOOR(number, significance)``: formualizer rounds ``FLOOR(-2.5, -2)`` to -4 and accepts
  ``FLOOR(2.5, -2)``; Excel gives -2 and ``#NUM!``.
- ``CEILING(number, significance)``: formualizer gives ``CEILING(-2.5, -2)`` = -2; Excel -4.

Both follow Microsoft's "FLOOR function" and "CEILING function" pages: the number is rounded
to a multiple of the significance, down (FLOOR) or up (CEILING) in the direction of the
significance's sign; a positive number with a negative significance is ``#NUM!``; a
significance of 0 gives ``#DIV/0!`` (FLOOR) or 0 (CEILING).

``TEXT(value, format)`` is Excel's number formatting, in :mod:`~xl_funnel.recalc.corrected_text`.

>>> floor(3.7, 2), floor(-2.5, -2), floor(2.5, -2), floor(1.58, 0.1), floor(0.234, 0.01)
(2.0, -2.0, {'type': 'Error', 'kind': 'Num'}, 1.5, 0.23)
>>> ceiling(2.5, 1), ceiling(-2.5, -2), ceiling(-2.5, 2), ceiling(1.5, 0.1), ceiling(0.234, 0.01)
(3.0, -4.0, -2.0, 1.5, 0.24)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from xl_funnel.recalc.corrected_text import text

__all__ = ["CORRECTED", "ceiling", "floor"]

_NUM = {"type": "Error", "kind": "Num"}
_DIV = {"type": "Error", "kind": "Div"}
_VALUE = {"type": "Error", "kind": "Value"}


def _number(value: Any) -> float | dict:
    """An argument as Excel coerces it for a number: blanks 0, booleans 1/0, numeric text."""
    if isinstance(value, dict):
        return value  # an error passes through
    if value is None:
        return 0.0
    if isinstance(value, bool | int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return _VALUE
    return _VALUE


def _multiple(number: float, significance: float, step: Callable[[float], float]) -> float:
    quotient = number / significance
    nearest = round(quotient)
    if abs(quotient - nearest) < 1e-9 * max(1.0, abs(quotient)):
        quotient = nearest  # 1.5 / 0.1 is 14.999999999999998 in binary
    result = step(quotient) * significance
    return float(f"{result:.15g}")  # Excel's 15 significant digits


def floor(number: Any, significance: Any) -> Any:
    """Excel's ``FLOOR``."""
    number, significance = _number(number), _number(significance)
    for value in (number, significance):
        if isinstance(value, dict):
            return value
    if number > 0 and significance < 0:
        return _NUM
    if significance == 0:
        return 0.0 if number == 0 else _DIV
    return _multiple(number, significance, math.floor)


def ceiling(number: Any, significance: Any) -> Any:
    """Excel's ``CEILING``."""
    number, significance = _number(number), _number(significance)
    for value in (number, significance):
        if isinstance(value, dict):
            return value
    if number > 0 and significance < 0:
        return _NUM
    if significance == 0:
        return 0.0
    return _multiple(number, significance, math.ceil)


#: Built-in name → (implementation, min_args, max_args).
CORRECTED: dict[str, tuple[Callable[..., Any], int, int]] = {
    "FLOOR": (floor, 2, 2),
    "CEILING": (ceiling, 2, 2),
    "TEXT": (text, 2, 2),  # corrected_text.py
}

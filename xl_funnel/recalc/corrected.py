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
FLOOR.MATH, CEILING.MATH and MMULT (:mod:`~xl_funnel.recalc.corrected_math`) and VALUE
(:mod:`~xl_funnel.recalc.corrected_value`) are registered the same way.

>>> floor(3.7, 2), floor(-2.5, -2), floor(2.5, -2), floor(1.58, 0.1), floor(0.234, 0.01)
(2.0, -2.0, {'type': 'Error', 'kind': 'Num'}, 1.5, 0.23)
>>> ceiling(2.5, 1), ceiling(-2.5, -2), ceiling(-2.5, 2), ceiling(1.5, 0.1), ceiling(0.234, 0.01)
(3.0, -4.0, -2.0, 1.5, 0.24)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from xl_funnel.recalc.corrected_math import ceiling_math, elementwise, floor_math, mmult
from xl_funnel.recalc.corrected_math import multiple as _multiple
from xl_funnel.recalc.corrected_math import number_argument as _number
from xl_funnel.recalc.corrected_names import CORRECTED_ARITY, JOIN
from xl_funnel.recalc.corrected_text import text
from xl_funnel.recalc.corrected_value import value, value_1904
from xl_funnel.recalc.joined_text import concat, concatenate, joined, textjoin

__all__ = ["CORRECTED", "CORRECTED_1904", "ceiling", "floor"]

_NUM = {"type": "Error", "kind": "Num"}
_DIV = {"type": "Error", "kind": "Div"}


def floor(number: Any, significance: Any) -> Any:
    """Excel's ``FLOOR``."""
    return _to_multiple(number, significance, math.floor, zero=_DIV)


def ceiling(number: Any, significance: Any) -> Any:
    """Excel's ``CEILING``."""
    return _to_multiple(number, significance, math.ceil, zero=0.0)


def _to_multiple(number: Any, significance: Any, step: Any, zero: Any) -> Any:
    """The rules FLOOR and CEILING share; ``zero``: what a significance of 0 gives for a
    number other than 0."""
    number, significance = _number(number), _number(significance)
    for argument in (number, significance):
        if isinstance(argument, dict):
            return argument
    if number > 0 and significance < 0:
        return _NUM
    if significance == 0:
        return 0.0 if number == 0 else zero
    return _multiple(number, significance, step)


#: Built-in name → its implementation. Each but MMULT, CONCAT and TEXTJOIN takes single values
#: and is applied item by item to arrays (SUMPRODUCT(VALUE(A1:A3)), array formulas).
_IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {
    "FLOOR": elementwise(floor),
    "CEILING": elementwise(ceiling),
    "_XLFN.FLOOR.MATH": elementwise(floor_math),
    "FLOOR.MATH": elementwise(floor_math),
    "_XLFN.CEILING.MATH": elementwise(ceiling_math),
    "CEILING.MATH": elementwise(ceiling_math),
    "MMULT": mmult,
    "VALUE": elementwise(value),
    "TEXT": elementwise(text),  # corrected_text.py
    JOIN: elementwise(joined),  # joined_text.py
    "CONCATENATE": elementwise(concatenate),
    "_XLFN.CONCAT": concat,  # ranges joined whole
    "CONCAT": concat,
    "_XLFN.TEXTJOIN": textjoin,
    "TEXTJOIN": textjoin,
}

#: Built-in name → (implementation, min_args, max_args); the counts from
#: :data:`~xl_funnel.recalc.corrected_names.CORRECTED_ARITY`.
CORRECTED: dict[str, tuple[Callable[..., Any], int, int]] = {
    name: (function, *CORRECTED_ARITY[name]) for name, function in _IMPLEMENTATIONS.items()
}

#: Replacements of :data:`CORRECTED` in a workbook counting dates from 1904.
CORRECTED_1904: dict[str, tuple[Callable[..., Any], int, int]] = {
    "VALUE": (elementwise(value_1904), *CORRECTED_ARITY["VALUE"])
}

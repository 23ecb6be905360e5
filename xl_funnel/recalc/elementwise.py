"""Excel's way of applying a function of single values to arrays, for the corrected built-ins
(:mod:`~xl_funnel.recalc.corrected`) that take one value per argument.

Apart from :mod:`~xl_funnel.recalc.corrected_math` so that the text functions registered
this way (``_XLFUNNEL_JOIN``, CONCATENATE) do not import the math and date modules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xl_funnel.recalc.cell_values import NA_ERROR

__all__ = ["elementwise"]

# #N/A past a shorter argument: its own object, told apart by identity from a value
_NA = dict(NA_ERROR)


def elementwise(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` of single values applied to each item of array arguments, as Excel does
    in an array formula or SUMPRODUCT (the engine hands a registered function a range as
    rows of values). Arrays of unlike sizes are stretched Excel's way: one row or column is
    repeated, and a position past a larger array's end is ``#N/A``.

    >>> from xl_funnel.recalc.corrected_math import floor_math
    >>> elementwise(floor_math)([[-5.5], [3.5]], 2, [[-1, 0]])
    [[-4.0, -6.0], [2.0, 2.0]]
    >>> elementwise(floor_math)([[1.5, 2.5]], [[1], [1], [1]])
    [[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]
    >>> elementwise(floor_math)([[1.5, 2.5]], [[1, 1, 1]])
    [[1.0, 2.0, {'type': 'Error', 'kind': 'Na'}]]
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

"""Turning what the core returns into what a cell can hold.

A cell holds a finite number, a text or an Excel error value; a spilled range holds a 2-D list
of those. NaN (the core's "undefined ratio") becomes ``#DIV/0!`` and ±inf (a result too large
for a float) becomes ``#NUM!``, so neither reaches a cell: classic xlwings would show NaN as an
empty cell, which reads as "no data" rather than "undefined".
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from xl_funnel.excel.errors import DIV0, NUM

__all__ = ["CellValue", "to_cell", "to_cells", "to_result"]

#: What a worksheet function returns: a number, a text (or error value), or a spilled range.
CellValue = float | str | list[list[float | str]]


def _number(value: float) -> float | str:
    if math.isfinite(value):
        return value + 0.0  # -0.0 + 0.0 is 0.0: Excel has no negative zero
    return DIV0 if math.isnan(value) else NUM


def to_cell(value: Any) -> float | str:
    """One cell's value.

    >>> to_cell(1.5), to_cell(float("nan")), to_cell(float("-inf")), to_cell(-0.0)
    (1.5, '#DIV/0!', '#NUM!', 0.0)
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TypeError("a worksheet function returns numbers, not booleans")
    return _number(float(value))


def to_cells(values: Any) -> list[list[float | str]]:
    """A 2-D block of cells from a 2-D array or list of rows (1-D input is one column).

    >>> to_cells(np.array([[1.0, np.nan], [np.inf, 2.0]]))
    [[1.0, '#DIV/0!'], ['#NUM!', 2.0]]
    >>> to_cells([6250.0, 0.75])
    [[6250.0], [0.75]]
    """
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        block = values.reshape(-1, 1) if values.ndim == 1 else values
        if np.isfinite(block).all():
            return (block + 0.0).tolist()
        return [[_number(float(cell)) for cell in row] for row in block.tolist()]
    rows = [[value] for value in values] if _is_flat(values) else values
    return [[to_cell(cell) for cell in row] for row in rows]


def _is_flat(values: Any) -> bool:
    if isinstance(values, np.ndarray):
        return values.ndim == 1
    return not values or not isinstance(values[0], list | tuple | np.ndarray)


def to_result(value: Any) -> CellValue:
    """Whatever an adapter computed, as a cell value: texts pass, arrays become 2-D lists.

    >>> to_result(np.float64(0.5)), to_result("#N/A"), to_result(np.array([np.nan]))
    (0.5, '#N/A', [['#DIV/0!']])
    """
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple) or (isinstance(value, np.ndarray) and value.ndim):
        return to_cells(value)
    return to_cell(value)

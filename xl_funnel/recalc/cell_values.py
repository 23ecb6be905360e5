"""Translate cell values between the engine (formualizer) and xl-funnel's Excel layer.

formualizer hands a Python function its arguments as numbers, text, booleans, ``None`` for a
blank, lists of rows for a range, and errors as ``{"type": "Error", "kind": "Div"}``; it takes
results in the same shapes. xl-funnel's adapters speak xlwings' dialect instead, where an error
is its text (``"#DIV/0!"``), and an omitted argument is ``None``. These functions convert at
the boundary, so an adapter written for xlwings runs unchanged in the headless engine.

formualizer passes an omitted argument in the middle of a call (``=F(1,,3)``) as ``0``, so the
engine's copy of a workbook carries :data:`OMITTED` in its place
(:mod:`~xl_funnel.recalc.omitted_args`), and :func:`to_adapter` turns it back into ``None``.

>>> to_adapter([[1.0, {"type": "Error", "kind": "Na"}]])
[[1.0, '#N/A']]
>>> to_adapter(OMITTED) is None
True
>>> to_engine("#NUM!"), to_engine(float("inf"))
({'type': 'Error', 'kind': 'Num'}, {'type': 'Error', 'kind': 'Num'})
>>> to_engine([[2.0, "#DIV/0!"]])
[[2.0, {'type': 'Error', 'kind': 'Div'}]]
"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "DIV_ERROR",
    "NA_ERROR",
    "NUM_ERROR",
    "OMITTED",
    "VALUE_ERROR",
    "error_reason",
    "error_text",
    "is_engine_error",
    "to_adapter",
    "to_engine",
]

#: Stands for an omitted argument in the engine's copy of a workbook: a one-character string
#: from Unicode's private-use area, which no keyboard types and no Excel function returns.
OMITTED = "\ue000"

#: Error values in the engine's shape, for the functions registered with it to return (the
#: engine copies what it is given: one shared value each is enough).
VALUE_ERROR = {"type": "Error", "kind": "Value"}
NUM_ERROR = {"type": "Error", "kind": "Num"}
DIV_ERROR = {"type": "Error", "kind": "Div"}
NA_ERROR = {"type": "Error", "kind": "Na"}

#: formualizer's error kinds and the text Excel shows for each.
_KIND_TEXT = {
    "Null": "#NULL!",
    "Div": "#DIV/0!",
    "Value": "#VALUE!",
    "Ref": "#REF!",
    "Name": "#NAME?",
    "Num": "#NUM!",
    "Na": "#N/A",
    "Spill": "#SPILL!",
    "Calc": "#CALC!",
}
#: Kinds Excel has no error value for: written to the file as the nearest one Excel knows.
_ENGINE_ONLY = {
    "Circ": ("#VALUE!", "circular reference"),
    "Error": ("#VALUE!", "the engine could not evaluate it"),
    "NImpl": ("#NAME?", "function not implemented by the engine"),
    "Cancelled": ("#VALUE!", "evaluation cancelled"),
}
_TEXT_KIND = {text: kind for kind, text in _KIND_TEXT.items()}
_EXCEL_ONLY_ERRORS = frozenset(
    {"#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#PYTHON!"}
)


def is_engine_error(value: Any) -> bool:
    """Whether ``value`` is an error as formualizer represents it."""
    return isinstance(value, dict) and value.get("type") == "Error"


def error_text(value: dict) -> str:
    """The Excel error value (``"#DIV/0!"``) of an engine error, always one Excel knows."""
    kind = value.get("kind", "Value")
    if kind in _ENGINE_ONLY:
        return _ENGINE_ONLY[kind][0]
    return _KIND_TEXT.get(kind, "#VALUE!")


def error_reason(value: dict) -> str | None:
    """Why an engine-only error happened (``"circular reference"``), ``None`` for Excel's own."""
    kind = value.get("kind")
    return _ENGINE_ONLY[kind][1] if kind in _ENGINE_ONLY else None


def _adapter_value(value: Any) -> Any:
    if isinstance(value, dict):
        return error_text(value) if is_engine_error(value) else "#VALUE!"
    return value


def to_adapter(value: Any) -> Any:
    """An engine argument as xlwings would pass it (errors as their text, an omitted argument
    as ``None``)."""
    if isinstance(value, list):
        return [[_adapter_value(item) for item in row] for row in value]
    if value == OMITTED:  # only ever a whole argument, never a cell of a range
        return None
    return _adapter_value(value)


def _engine_value(value: Any) -> Any:
    if isinstance(value, str):
        if value in _TEXT_KIND:
            return {"type": "Error", "kind": _TEXT_KIND[value]}
        if value in _EXCEL_ONLY_ERRORS:
            return {"type": "Error", "kind": "Value"}
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return {"type": "Error", "kind": "Num"}
    return value


def to_engine(value: Any) -> Any:
    """An adapter's result as the engine takes it: error texts become real Excel errors and a
    NaN or infinity becomes ``#NUM!`` (a cell never holds either)."""
    if isinstance(value, list):
        return [
            [_engine_value(item) for item in row] if isinstance(row, list) else _engine_value(row)
            for row in value
        ]
    return _engine_value(value)

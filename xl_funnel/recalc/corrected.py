"""Excel built-ins formualizer computes differently from Excel, registered with the engine in
a corrected form (Excel's documented behaviour, tested on the examples of its documentation).

- FLOOR, CEILING, FLOOR.MATH, CEILING.MATH and MMULT: :mod:`~xl_funnel.recalc.corrected_math`;
- VALUE: :mod:`~xl_funnel.recalc.corrected_value`;
- TEXT (Excel's number formatting): :mod:`~xl_funnel.recalc.corrected_text`;
- numbers joined to text (``&``, CONCATENATE, CONCAT, TEXTJOIN):
  :mod:`~xl_funnel.recalc.joined_text`.

The names, argument counts and modules are one table,
:data:`~xl_funnel.recalc.corrected_names.CORRECTED_SOURCES`. A module is imported when the
first of its functions is looked up, so a recalculation loads only what its workbook calls
(TEXT's module imports fractions, decimal and datetime; a workbook joining numbers to text
needs none of them).

>>> function, min_args, max_args = CORRECTED["FLOOR"]
>>> function(-2.5, -2), function([[3.7, -2.5]], 2), (min_args, max_args)
(-2.0, [[2.0, -4.0]], (2, 2))
>>> CORRECTED["VALUE"][0]("1/2/1904"), CORRECTED_1904["VALUE"][0]("1/2/1904")
(1463.0, 1.0)
>>> "VALUE" in CORRECTED_1904, "FLOOR" in CORRECTED_1904, len(CORRECTED)
(True, False, 15)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from xl_funnel.recalc.corrected_names import CORRECTED_1904_SOURCES, CORRECTED_SOURCES

__all__ = ["CORRECTED", "CORRECTED_1904", "corrected_function"]

#: (implementation, min_args, max_args), as the engine registers a function.
Corrected = tuple[Callable[..., Any], int, int]

# (module, function) → the function in the form registered (item by item where it takes
# single values): each is imported and wrapped once per process.
_LOADED: dict[tuple[str, str], Callable[..., Any]] = {}


def corrected_function(name: str, date1904: bool = False) -> Corrected:
    """The implementation registered for the built-in ``name`` and its argument counts, its
    module imported on first use; ``date1904``: the form for a workbook counting dates from
    1904. A name that is not corrected raises ``KeyError``."""
    sources = CORRECTED_1904_SOURCES if date1904 else CORRECTED_SOURCES
    module, attribute, min_args, max_args, item_by_item = sources.get(name, CORRECTED_SOURCES[name])
    function = _LOADED.get((module, attribute))
    if function is None:
        function = getattr(importlib.import_module(f"xl_funnel.recalc.{module}"), attribute)
        if item_by_item:
            from xl_funnel.recalc.elementwise import elementwise

            function = elementwise(function)
        _LOADED[module, attribute] = function
    return function, min_args, max_args


class _Corrected(Mapping[str, Corrected]):
    """Built-in name → :data:`Corrected`, each implementation imported when first read."""

    def __init__(self, names: Mapping[str, object], date1904: bool) -> None:
        self._names, self._date1904 = names, date1904

    def __getitem__(self, name: str) -> Corrected:
        if name not in self._names:
            raise KeyError(name)
        return corrected_function(name, self._date1904)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


#: Built-in name → (implementation, min_args, max_args).
CORRECTED: Mapping[str, Corrected] = _Corrected(CORRECTED_SOURCES, date1904=False)

#: Replacements of :data:`CORRECTED` in a workbook counting dates from 1904.
CORRECTED_1904: Mapping[str, Corrected] = _Corrected(CORRECTED_1904_SOURCES, date1904=True)

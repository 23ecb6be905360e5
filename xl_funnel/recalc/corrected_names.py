"""The built-ins xl-funnel registers in corrected form: each name, its argument counts and
where its implementation lives.

Only names and places, no imports: the loader looks for the names in a workbook's formulas
before anything is imported, and :mod:`~xl_funnel.recalc.corrected` imports an
implementation's module (TEXT's format codes with fractions and datetime, VALUE's date
reading, the math) only for a workbook that calls it. A workbook calling only
``_XLFUNNEL_JOIN`` or CONCATENATE loads :mod:`~xl_funnel.recalc.joined_text` (and the small
:mod:`~xl_funnel.recalc.elementwise`) only.
"""

from __future__ import annotations

__all__ = ["CORRECTED_1904_SOURCES", "CORRECTED_ARITY", "CORRECTED_SOURCES", "JOIN"]

#: The name the engine's copy calls on each number joined to text (an xl-funnel prefix:
#: nobody types it; :mod:`~xl_funnel.recalc.joined_text`).
JOIN = "_XLFUNNEL_JOIN"

#: Name → (module, function, min_args, max_args, item_by_item): the engine's built-in
#: ``name`` is replaced by ``function`` of ``xl_funnel.recalc.<module>``. ``item_by_item``:
#: the function takes single values and is applied to each item of an array argument
#: (SUMPRODUCT(VALUE(A1:A3)), array formulas; :mod:`~xl_funnel.recalc.elementwise`); MMULT,
#: CONCAT and TEXTJOIN take ranges whole. The engine keeps a file's ``_xlfn.`` prefix in the
#: function's name, and a formula typed without it calls the plain name: both are listed.
CORRECTED_SOURCES: dict[str, tuple[str, str, int, int, bool]] = {
    "FLOOR": ("corrected_math", "floor", 2, 2, True),
    "CEILING": ("corrected_math", "ceiling", 2, 2, True),
    "_XLFN.FLOOR.MATH": ("corrected_math", "floor_math", 1, 3, True),
    "FLOOR.MATH": ("corrected_math", "floor_math", 1, 3, True),
    "_XLFN.CEILING.MATH": ("corrected_math", "ceiling_math", 1, 3, True),
    "CEILING.MATH": ("corrected_math", "ceiling_math", 1, 3, True),
    "MMULT": ("corrected_math", "mmult", 2, 2, False),
    "VALUE": ("corrected_value", "value", 1, 1, True),
    "TEXT": ("corrected_text", "text", 2, 2, True),
    JOIN: ("joined_text", "joined", 1, 1, True),
    "CONCATENATE": ("joined_text", "concatenate", 1, 255, True),
    "_XLFN.CONCAT": ("joined_text", "concat", 1, 255, False),
    "CONCAT": ("joined_text", "concat", 1, 255, False),
    "_XLFN.TEXTJOIN": ("joined_text", "textjoin", 3, 255, False),
    "TEXTJOIN": ("joined_text", "textjoin", 3, 255, False),
}

#: The functions registered instead in a workbook counting dates from 1904 (same form).
CORRECTED_1904_SOURCES: dict[str, tuple[str, str, int, int, bool]] = {
    "VALUE": ("corrected_value", "value_1904", 1, 1, True),
    "TEXT": ("corrected_text", "text_1904", 2, 2, True),
}

#: Name → (min_args, max_args).
CORRECTED_ARITY: dict[str, tuple[int, int]] = {
    name: (low, high) for name, (_, _, low, high, _) in CORRECTED_SOURCES.items()
}

"""The built-ins xl-funnel registers in corrected form, by name, with their argument counts.

Only the names: the loader looks for them in a workbook's formulas before anything is
imported, and the implementations (:mod:`~xl_funnel.recalc.corrected`, with TEXT's format
codes, VALUE's date reading and their imports) load only for a workbook that calls one
(a test keeps this table equal to the implementations').
"""

from __future__ import annotations

__all__ = ["CORRECTED_ARITY", "JOIN"]

#: The name the engine's copy calls on each number joined to text (an xl-funnel prefix:
#: nobody types it; :mod:`~xl_funnel.recalc.joined_text`).
JOIN = "_XLFUNNEL_JOIN"

#: Name → (min_args, max_args). The engine keeps a file's ``_xlfn.`` prefix in the function's
#: name, and a formula typed without it calls the plain name: both are listed.
CORRECTED_ARITY: dict[str, tuple[int, int]] = {
    "FLOOR": (2, 2),
    "CEILING": (2, 2),
    "_XLFN.FLOOR.MATH": (1, 3),
    "FLOOR.MATH": (1, 3),
    "_XLFN.CEILING.MATH": (1, 3),
    "CEILING.MATH": (1, 3),
    "MMULT": (2, 2),
    "VALUE": (1, 1),
    "TEXT": (2, 2),
    JOIN: (1, 1),
    "CONCATENATE": (1, 255),
    "_XLFN.CONCAT": (1, 255),
    "CONCAT": (1, 255),
    "_XLFN.TEXTJOIN": (3, 255),
    "TEXTJOIN": (3, 255),
}

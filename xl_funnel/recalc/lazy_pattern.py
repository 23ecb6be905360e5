"""Regular expressions compiled on first use.

Compiling a pattern costs 0.1–0.5 ms, and a plain ``xl-funnel recalc`` of a plan uses about half
of the patterns the recalculation modules define (the others serve array formulas, data tables,
``--freeze``, external links …). A :class:`LazyPattern` stands in for the compiled pattern and
compiles it the first time one of its methods is asked for.

>>> word = LazyPattern(rb"[a-z]+")
>>> word.findall(b"two words"), word.pattern
([b'two', b'words'], b'[a-z]+')
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["LazyPattern"]


class LazyPattern:
    """``re.compile(pattern, flags)``, done when first used."""

    def __init__(self, pattern: str | bytes, flags: int = 0) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        # Reached only for what the instance does not hold yet: the compiled pattern's
        # attribute is kept on the instance, so later calls cost what a compiled one's do.
        compiled = self.__dict__.get("_compiled")
        if compiled is None:
            compiled = self.__dict__["_compiled"] = re.compile(*self._source)
        value = getattr(compiled, name)
        self.__dict__[name] = value
        return value

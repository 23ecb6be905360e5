"""Functions and arguments the engine does not support: named, never passed off as computed.

formualizer leaves some Excel functions out (their cells come back ``#NAME?``) and computes
some arguments differently from Excel. Each error cell whose formula calls one is counted under
a label the summary prints ("REGEXTEST, …: not supported, 12 cells") and ``--check`` fails on.
Built-ins with a registered correction (:mod:`~xl_funnel.recalc.corrected`) are not listed:
they are right.

>>> unsupported_label("=_xlfn.REGEXTEST(A1, B1)")
'REGEXTEST, REGEXEXTRACT, REGEXREPLACE'
>>> unsupported_label("=NUMBERVALUE(A1, B1)"), unsupported_label("=NUMBERVALUE(A1)")
('NUMBERVALUE with separators', None)
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["gaps", "unsupported_label"]

_NAME = r"(?<![\w.])(?:_xlfn\.|_xlws\.)?"
#: Label → pattern over a formula's text. Checked on formualizer 0.13
#: (tests/test_recalc_cli_many.py).
_GAP_PATTERNS: dict[str, str] = {
    "REGEXTEST, REGEXEXTRACT, REGEXREPLACE": _NAME + r"REGEX(?:TEST|EXTRACT|REPLACE)\(",
    "COUPDAYBS, COUPDAYS, COUPDAYSNC, COUPNCD, COUPNUM, COUPPCD": _NAME
    + r"COUP(?:DAYBS|DAYS|DAYSNC|NCD|NUM|PCD)\(",
    "LAMBDA, BYROW, BYCOL, MAP, REDUCE, SCAN, MAKEARRAY": _NAME
    + r"(?:LAMBDA|BYROW|BYCOL|MAP|REDUCE|SCAN|MAKEARRAY)\(",
    # NUMBERVALUE("1,5", ",") is 1.5 in Excel; formualizer gives #VALUE!
    "NUMBERVALUE with separators": _NAME + r"NUMBERVALUE\([^(),]*+(?:\([^()]*+\)[^(),]*+)*+,",
    # CONVERT(1, "kHz", "Hz") is 1000 in Excel; formualizer knows no prefixed, binary-prefixed
    # or squared units (#N/A)
    "CONVERT with prefixed or squared units (k, M, µ, ki, ft2, …)": _NAME + r"CONVERT\(",
    # INDIRECT("R2C2", FALSE) is B2 in Excel; formualizer reads only A1 references (#REF!)
    "INDIRECT with an R1C1 reference": _NAME
    + r"INDIRECT\([^(),]*+(?:\([^()]*+\)[^(),]*+)*+,\s*(?:FALSE|0)\s*\)",
}


@cache
def gaps() -> dict[str, re.Pattern[str]]:
    """Label → compiled pattern (compiled on first use: only a workbook with errors needs
    them, and compiling costs every start-up a millisecond)."""
    return {label: re.compile(pattern, re.I) for label, pattern in _GAP_PATTERNS.items()}


def unsupported_label(formula: str) -> str | None:
    """The label of the first unsupported function or argument ``formula`` uses, if any.

    The engine gives each of them an error value (``#NAME?``, ``#VALUE!``), so only the
    formulas of error cells are checked: no pass over a large sheet.
    """
    for label, pattern in gaps().items():
        if pattern.search(formula):
            return label
    return None

"""Which parameters of Excel's functions take arrays and which take one value: in a plain
(non-array) formula, Excel intersects a range with the formula's row or column where one value
is expected, and never inside a parameter that takes arrays (or a call nested there).

>>> 0 in ARRAY_PARAMETERS["SUMPRODUCT"], 0 in SCALAR_PARAMETERS["ABS"]
(True, True)
"""

from __future__ import annotations

__all__ = ["ARRAY_PARAMETERS", "SCALAR_PARAMETERS", "UNLIFTED", "first_scalar_functions"]

# Parameters that take arrays (0-based; ALL_PARAMETERS for every one): an expression over
# ranges there,
# and in any call nested there, is computed over the whole ranges even in a plain formula
# (the SUMPRODUCT idiom), so it is never intersected with the formula's row. Elsewhere it is
# (INDEX(A:A, MATCH(1, (B:B=x)*1, 0)) needed Ctrl+Shift+Enter: MATCH's arrays do not count).
ALL_PARAMETERS = frozenset(range(255))
ARRAY_PARAMETERS: dict[str, frozenset[int]] = {
    **dict.fromkeys(
        (
            "SUMPRODUCT",
            "MMULT",
            "MDETERM",
            "MINVERSE",
            "TRANSPOSE",
            "FREQUENCY",
            "TREND",
            "GROWTH",
            "LINEST",
            "LOGEST",
            "SUMX2MY2",
            "SUMX2PY2",
            "SUMXMY2",
            "CORREL",
            "COVAR",
            "COVARIANCE.P",
            "COVARIANCE.S",
            "PEARSON",
            "RSQ",
            "SLOPE",
            "INTERCEPT",
            "STEYX",
            "PROB",
            "TTEST",
            "T.TEST",
            "CHITEST",
            "CHISQ.TEST",
            "FTEST",
            "F.TEST",
        ),
        ALL_PARAMETERS,
    ),
    "INDEX": frozenset({0}),
    "LOOKUP": frozenset({1, 2}),
    "AGGREGATE": frozenset({2}),
    "IRR": frozenset({0}),
    "MIRR": frozenset({0}),
    "XIRR": frozenset({0, 1}),
    "XNPV": frozenset({1, 2}),
    "FORECAST": frozenset({1, 2}),
    "FORECAST.LINEAR": frozenset({1, 2}),
    "LARGE": frozenset({0}),
    "SMALL": frozenset({0}),
    "PERCENTILE": frozenset({0}),
    "QUARTILE": frozenset({0}),
    "PERCENTRANK": frozenset({0}),
}
# Parameters that take one value: a range passed there bare (``=ABS(A1:A5)``,
# ``=VLOOKUP(A:A, …)``) is intersected with the formula's row in a plain formula.
SCALAR_PARAMETERS: dict[str, frozenset[int]] = {
    **dict.fromkeys(
        (
            "ABS",
            "INT",
            "SQRT",
            "EXP",
            "LN",
            "LOG10",
            "SIGN",
            "LEN",
            "TRIM",
            "UPPER",
            "LOWER",
            "PROPER",
            "VALUE",
            "YEAR",
            "MONTH",
            "DAY",
            "WEEKDAY",
            "HOUR",
            "MINUTE",
            "SECOND",
            "ISBLANK",
            "ISNUMBER",
            "ISTEXT",
            "ISERROR",
            "ISERR",
            "ISNA",
            "ISLOGICAL",
            "N",
            "T",
            "NOT",
            "IFERROR",
            "IFNA",
            "CHOOSE",
            "EVEN",
            "ODD",
            "FACT",
            "CHAR",
            "CODE",
            "CLEAN",
        ),
        frozenset({0}),
    ),
    **dict.fromkeys(
        (
            "ROUND",
            "ROUNDUP",
            "ROUNDDOWN",
            "MOD",
            "POWER",
            "LOG",
            "TRUNC",
            "LEFT",
            "RIGHT",
            "TEXT",
            "REPT",
            "EXACT",
            "EDATE",
            "EOMONTH",
            "MROUND",
            "QUOTIENT",
        ),
        frozenset({0, 1}),
    ),
    **dict.fromkeys(("MID", "DATE", "TIME", "FIND", "SEARCH", "DATEDIF"), frozenset({0, 1, 2})),
    "SUBSTITUTE": frozenset({0, 1, 2, 3}),
    "IF": frozenset({0}),
    "VLOOKUP": frozenset({0, 2, 3}),
    "HLOOKUP": frozenset({0, 2, 3}),
    "MATCH": frozenset({0, 2}),
    "INDEX": frozenset({1, 2, 3}),
    "OFFSET": frozenset({1, 2, 3, 4}),
    # criteria
    **dict.fromkeys(("COUNTIF", "SUMIF", "AVERAGEIF"), frozenset({1})),
    "COUNTIFS": frozenset(range(1, 255, 2)),
    **dict.fromkeys(("SUMIFS", "AVERAGEIFS", "MAXIFS", "MINIFS"), frozenset(range(2, 255, 2))),
}

#: Functions formualizer 0.13 does not apply to each item of an array where Excel does
#: (``SUMPRODUCT(LEN(B1:B5))`` gives the length of B1 alone; ``SUMPRODUCT(ABS(A1:A5))`` gives
#: #VALUE!). Checked one by one (tests/test_recalc_fidelity.py); IF is lifted.
UNLIFTED = frozenset(SCALAR_PARAMETERS) - {
    "IF",
    "IFERROR",
    "IFNA",
    "CHOOSE",
    "VLOOKUP",
    "HLOOKUP",
    "MATCH",
    "INDEX",
    "OFFSET",
    "COUNTIF",
    "SUMIF",
    "AVERAGEIF",
    "COUNTIFS",
    "SUMIFS",
    "AVERAGEIFS",
    "MAXIFS",
    "MINIFS",
}


def first_scalar_functions() -> list[str]:
    """The functions whose first parameter takes one value."""
    return sorted(name for name, kinds in SCALAR_PARAMETERS.items() if 0 in kinds)

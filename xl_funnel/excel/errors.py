"""Excel error values and how xl-funnel's exceptions map onto them.

A worksheet function never raises: the cell gets one of Excel's error values instead.

=========================  =========  ==========================================================
cause                      value      example
=========================  =========  ==========================================================
wrong type or shape        #VALUE!    text where a number belongs, ranges that do not line up,
                                      a word that is not one of the choices (method "median")
impossible number          #NUM!      a rate ≤ 0 or > 1, a negative cost, a result too large
undefined ratio            #DIV/0!    value per lead with 0 leads (the core's NaN)
error in an input cell     that one   ``#N/A`` in the rates range gives ``#N/A``, as in Excel
=========================  =========  ==========================================================

:class:`~xl_funnel.errors.InvalidRateError` and :class:`~xl_funnel.errors.InvalidAmountError`
are ``#NUM!``; :class:`~xl_funnel.errors.ShapeMismatchError` and
:class:`~xl_funnel.errors.InvalidChoiceError` are ``#VALUE!``.
"""

from __future__ import annotations

from xl_funnel.errors import FunnelError, InvalidChoiceError, ShapeMismatchError

__all__ = [
    "DIV0",
    "EXCEL_ERRORS",
    "NA",
    "NUM",
    "VALUE",
    "CellError",
    "error_for",
    "is_excel_error",
]

VALUE = "#VALUE!"
NUM = "#NUM!"
DIV0 = "#DIV/0!"
NA = "#N/A"

#: Every error value Excel can show in a cell; an input holding one of them is passed through.
EXCEL_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#PYTHON!",
    }
)


class CellError(Exception):
    """Input an Excel function cannot use: carries the error value for the cell and why.

    Not a :class:`ValueError` on purpose: it never leaves the Excel layer, which turns it
    into :attr:`value`.
    """

    def __init__(self, value: str, message: str) -> None:
        super().__init__(message)
        self.value = value


def is_excel_error(value: object) -> bool:
    """True for a string that is one of Excel's error values (``"#N/A"``, ``"#REF!"``, …)."""
    return isinstance(value, str) and value in EXCEL_ERRORS


def error_for(error: Exception) -> str:
    """The Excel error value for an exception raised by the core or by argument coercion.

    >>> from xl_funnel.errors import InvalidChoiceError, InvalidRateError, ShapeMismatchError
    >>> error_for(InvalidRateError("rates[0] is 0")), error_for(ShapeMismatchError("no rates"))
    ('#NUM!', '#VALUE!')
    >>> error_for(InvalidChoiceError("method is 'median': use 'mean' or 'cagr'"))
    '#VALUE!'
    """
    if isinstance(error, CellError):
        return error.value
    if isinstance(error, ShapeMismatchError | InvalidChoiceError):
        return VALUE
    if isinstance(error, FunnelError):
        return NUM
    raise TypeError(f"no Excel error value for {type(error).__name__}") from error

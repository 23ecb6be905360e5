"""How an Excel function is described: its arguments, help, examples and adapter.

A description is data, so the xlwings decorators, the headless engine's registration,
``xl-funnel functions`` and ``docs/functions.md`` are all generated from the same object.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from xl_funnel.errors import FunnelError
from xl_funnel.excel.errors import DIV0, NUM, CellError, error_for
from xl_funnel.excel.results import CellValue, to_result

__all__ = ["Arg", "Example", "ExcelFunction"]

#: Why a computed (not rejected) result is an error value.
_UNDEFINED = {
    DIV0: "the result is undefined: its denominator is 0",
    NUM: "the result is too large for a number",
}
_EXCEL_NAME = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
_ARG_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Arg:
    """One argument: its Python name, the help Excel's Function Wizard shows, and whether it
    may be omitted (an omitted or blank optional argument takes its documented default)."""

    name: str
    help: str
    optional: bool = False

    def __post_init__(self) -> None:
        if not _ARG_NAME.match(self.name):
            raise ValueError(f"argument name {self.name!r} must be snake_case")
        if not self.help or len(self.help) > 255:
            raise ValueError(f"argument {self.name}: help must be 1-255 characters (Excel's cap)")


@dataclass(frozen=True)
class Example:
    """A worked example: arguments as Excel passes them (numbers, text, ``None`` for a blank,
    lists of rows for ranges) and one sentence saying what it shows."""

    args: tuple[Any, ...]
    description: str


@dataclass(frozen=True)
class ExcelFunction:
    """One Excel worksheet function.

    Parameters
    ----------
    name : str
        Excel name, UPPER_SNAKE (``FUNNEL_BACKSOLVE``); also the attribute of
        :mod:`xl_funnel.udfs`.
    summary : str
        One sentence for the Function Wizard (at most 255 characters, Excel's cap).
    args : tuple of Arg
        Arguments in order; optional ones last.
    compute : callable
        The adapter's body: takes the arguments as Excel passes them, calls the core, returns
        a number, a text or a 2-D list. It may raise :class:`~xl_funnel.excel.errors.CellError`
        or :class:`~xl_funnel.errors.FunnelError`; calling the :class:`ExcelFunction` turns
        those into Excel error values.
    returns : str
        What the function returns and its shape (for the documentation).
    examples : tuple of Example
        Worked examples; the documentation shows each with the result the adapter computes.
    errors : tuple of (str, str)
        ``(error value, when)`` pairs documenting this function's answers to bad input.
    bad_examples : tuple of Example
        Bad input shown in the documentation with the error value it gets and why (the
        :meth:`explain` message); a test checks each gives an error value.
    core : str
        The core function it wraps, e.g. ``"xl_funnel.backsolve"``.
    category : str
        Function Wizard category.
    """

    name: str
    summary: str
    args: tuple[Arg, ...]
    compute: Callable[..., Any]
    returns: str
    examples: tuple[Example, ...] = ()
    errors: tuple[tuple[str, str], ...] = ()
    bad_examples: tuple[Example, ...] = ()
    core: str = ""
    category: str = "xl-funnel"

    def __post_init__(self) -> None:
        if not _EXCEL_NAME.match(self.name):
            raise ValueError(f"Excel name {self.name!r} must be UPPER_SNAKE")
        if len(self.summary) > 255:
            raise ValueError(f"{self.name}: the summary exceeds Excel's 255 characters")
        flags = [arg.optional for arg in self.args]
        if flags != sorted(flags):
            raise ValueError(f"{self.name}: optional arguments must come after required ones")
        for example in self.examples + self.bad_examples:
            if not self.min_args <= len(example.args) <= self.max_args:
                raise ValueError(f"{self.name}: an example has {len(example.args)} arguments")

    @property
    def min_args(self) -> int:
        """Number of required arguments."""
        return sum(not arg.optional for arg in self.args)

    @property
    def max_args(self) -> int:
        """Number of arguments, optional ones included."""
        return len(self.args)

    @property
    def adapter(self) -> Callable[..., CellValue]:
        """The worksheet function: Excel-shaped arguments in, a cell value out, never raises
        for bad input (same as calling this object)."""
        return self.__call__

    def __call__(self, *args: Any) -> CellValue:
        """Compute the cell value; bad input gives an Excel error value, never an exception."""
        self._check_arity(args)
        try:
            # Overflow to inf and 0/0 are answered in the cell (#NUM!, #DIV/0!), not warned.
            with np.errstate(all="ignore"):
                return to_result(self.compute(*args))
        except (CellError, FunnelError) as error:
            return error_for(error)

    def explain(self, *args: Any) -> str | None:
        """Why these arguments give an error value, in words; ``None`` when they are fine.

        >>> from xl_funnel.excel.registry import get
        >>> get("FUNNEL_BACKSOLVE").explain(9, [[0.2], [0]])
        'rates[1] is 0: a stage with a 0 % conversion rate can never reach the target'
        """
        self._check_arity(args)
        try:
            with np.errstate(all="ignore"):
                result = to_result(self.compute(*args))
        except (CellError, FunnelError) as error:
            return str(error)
        return _UNDEFINED.get(result) if isinstance(result, str) else None

    def signature(self) -> str:
        """The call as Excel's formula bar hints it: ``NAME(a, b, [c])``."""
        parts = [f"[{arg.name}]" if arg.optional else arg.name for arg in self.args]
        return f"{self.name}({', '.join(parts)})"

    def _check_arity(self, args: tuple[Any, ...]) -> None:
        if not self.min_args <= len(args) <= self.max_args:
            raise TypeError(
                f"{self.signature()} takes {self.min_args} to {self.max_args} arguments, "
                f"got {len(args)}"
            )

"""What a recalculation reports: :class:`RecalcResult`, with a :class:`CellErrorReport` for each
cell that holds an error or was not computed.

Neither is a dataclass: importing :mod:`dataclasses` (and :mod:`inspect` with it) would cost
every ``xl-funnel recalc`` several milliseconds of start-up.

>>> report = CellErrorReport("Funnel!C5", "#DIV/0!")
>>> report._replace(reason="rates[0] is 0")
CellErrorReport(address='Funnel!C5', error='#DIV/0!', reason='rates[0] is 0')
>>> RecalcResult(Path("out.xlsx"), 3, 0.5, errors=[report]) == RecalcResult(
...     Path("out.xlsx"), 3, 0.5, [report]
... )
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["CellErrorReport", "RecalcResult"]


class CellErrorReport(NamedTuple):
    """A cell whose computed value is an error (``report._replace(reason=…)`` gives a copy with
    another reason)."""

    address: str
    error: str
    reason: str | None = None


class RecalcResult:
    """What :func:`~xl_funnel.recalc.workflow.recalculate` did.

    Its attributes are the constructor's arguments; two results are equal when all of them
    are (as a dataclass would be; it is not one, see the module's docstring).
    """

    # the constructor's order (repr, pattern matching)
    __match_args__ = (
        "output",
        "formula_cells",
        "seconds",
        "errors",
        "missing",
        "unsupported",
        "headline",
        "macros_kept",
        "frozen",
    )
    __slots__ = (
        "errors",
        "formula_cells",
        "frozen",
        "headline",
        "macros_kept",
        "missing",
        "output",
        "seconds",
        "unsupported",
    )

    def __init__(
        self,
        output: Path,
        formula_cells: int,
        seconds: float,
        errors: list[CellErrorReport] | None = None,
        missing: list[CellErrorReport] | None = None,
        unsupported: dict[str, int] | None = None,
        headline: dict[str, Any] | None = None,
        macros_kept: bool = False,
        frozen: int = 0,
    ) -> None:
        self.output = output
        self.formula_cells = formula_cells
        self.seconds = seconds
        self.errors: list[CellErrorReport] = [] if errors is None else errors
        #: Formula cells the engine did not compute (their old cached value is removed).
        self.missing: list[CellErrorReport] = [] if missing is None else missing
        #: Cells calling a function or argument the engine does not support, by label.
        self.unsupported: dict[str, int] = {} if unsupported is None else unsupported
        self.headline: dict[str, Any] = {} if headline is None else headline
        self.macros_kept = macros_kept
        #: Cells whose xl-funnel formula was replaced by its value (``freeze``).
        self.frozen = frozen

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__match_args__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass would be

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__match_args__)
        return f"{type(self).__name__}({fields})"

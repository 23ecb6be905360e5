"""The embedded calculation engine: formualizer with xl-funnel's functions registered.

formualizer (Rust, MIT) evaluates Excel's own functions; each xl-funnel function a workbook
calls is registered with it by name, with its argument counts, so ``=FUNNEL_BACKSOLVE(…)``
computes exactly what the xlwings add-in computes in Excel: both call the same adapter from
:data:`xl_funnel.excel.registry.FUNCTIONS`. The registry (and numpy with it) is imported on the
first call, so a workbook of Excel formulas alone never pays for it. Why formualizer:
``docs/recalc.md``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from types import ModuleType
from typing import Any, NamedTuple

from xl_funnel.recalc.a1 import a1, parse_a1
from xl_funnel.recalc.cell_values import VALUE_ERROR, to_adapter, to_engine
from xl_funnel.recalc.corrected_names import CORRECTED_ARITY
from xl_funnel.recalc.errors import WorkbookError
from xl_funnel.recalc.function_names import ARITY
from xl_funnel.recalc.limits import DEFAULT_LIMITS, Limits, name_too_large

__all__ = ["Engine", "EngineUnavailableError", "NamedRange", "load_formualizer"]

# Empty cells a block read may include beyond twice the cells wanted (a few MB at most).
_BLOCK_SLACK = 65_536


class EngineUnavailableError(WorkbookError):
    """formualizer is not installed (it is the optional ``recalc`` extra)."""


class NamedRange(NamedTuple):
    """A workbook-level defined name that points at cells (1-based, inclusive)."""

    name: str
    sheet: str
    first_row: int
    first_col: int
    last_row: int
    last_col: int

    @property
    def size(self) -> int:
        return (self.last_row - self.first_row + 1) * (self.last_col - self.first_col + 1)

    def cells(self) -> list[tuple[int, int]]:
        """Its cells, row by row."""
        return [
            (row, col)
            for row in range(self.first_row, self.last_row + 1)
            for col in range(self.first_col, self.last_col + 1)
        ]


def load_formualizer() -> ModuleType:
    """The ``formualizer`` module, or :class:`EngineUnavailableError` saying how to install it."""
    try:
        import formualizer
    except ImportError:
        raise EngineUnavailableError(
            "needs the recalculation engine: pip install 'xl-funnel[recalc]'"
        ) from None
    return formualizer


def _bridge(name: str, reasons: dict[str, set[str]]) -> Callable[..., Any]:
    """The function the engine calls for the xl-funnel function ``name``: it imports the
    registry on its first call, and takes and returns values in formualizer's dialect. Why an
    error value came out (the function's ``explain``) is added to ``reasons[name]``: the
    engine keeps only the error's kind."""
    spec: Any = None

    def call(*args: Any) -> Any:
        nonlocal spec
        try:
            if spec is None:
                from xl_funnel.excel.registry import get

                spec = get(name)
            values = [to_adapter(arg) for arg in args]
            result = spec.adapter(*values)
            if isinstance(result, str) and result.startswith("#"):
                reason = spec.explain(*values)
                if reason:
                    reasons.setdefault(name, set()).add(reason)
            return to_engine(result)
        except Exception:  # an adapter never raises by contract; a bug still must not crash a book
            return VALUE_ERROR

    return call


class Engine:
    """A workbook loaded into formualizer, ready to evaluate.

    Parameters
    ----------
    workbook : bytes
        The .xlsx file, already checked by :func:`~xl_funnel.recalc.package.read_package`.
    limits : Limits
        Size caps handed to the engine's own loader too.
    parallel : bool
        Let the engine spread one evaluation over threads. Off by default: for plan-sized
        workbooks the thread hand-off costs more than it saves (0.29 ms against 0.79 ms per
        scenario, ``docs/recalc.md``), and ``--jobs`` parallelises scenarios by process. A
        single recalculation of a workbook of a million formulas or more turns it on
        (:mod:`~xl_funnel.recalc.engine_load`).
    functions : iterable of str
        The xl-funnel functions to register (Excel names); default all of them. A workbook's
        other calls to xl-funnel functions give ``#NAME?``.
    repeated : bool
        The workbook will be evaluated again and again (scenarios): build the dependency graph
        at load (formualizer's ``Ephemeral`` mode), which makes each re-evaluation cheap. For a
        single evaluation the default ``Interactive`` mode is faster in total (10k-channel
        plan: 0.1 s load + 1.1 s evaluation against 1.4 s + 0.3 s, ``docs/recalc.md``).
    date1904 : bool
        The workbook counts dates from 1904 (``<workbookPr date1904="1"/>``, old Mac files).
    corrected : iterable of str
        Built-ins to replace with Excel's documented behaviour (:mod:`~xl_funnel.recalc.corrected`;
        default all of them). Each one registered slows the evaluation a little (about 1 ms on
        the built-in plan), so the loader passes only those a workbook calls.
    """

    def __init__(
        self,
        workbook: bytes,
        limits: Limits = DEFAULT_LIMITS,
        parallel: bool = False,
        functions: Iterable[str] = tuple(ARITY),
        repeated: bool = False,
        date1904: bool = False,
        corrected: Iterable[str] = tuple(CORRECTED_ARITY),
    ) -> None:
        fz = load_formualizer()
        config = fz.EvaluationConfig()
        config.enable_parallel = parallel
        if date1904:  # workbookPr date1904="1": day 0 is 1 January 1904
            config.date_system = "1904"
        mode = fz.WorkbookMode.Ephemeral if repeated else fz.WorkbookMode.Interactive
        options = fz.WorkbookConfig(mode=mode, eval_config=config)
        try:
            self.book = fz.Workbook.from_bytes(
                workbook, config=options, load_limits=limits.engine_load_limits()
            )
        except Exception as error:  # the loader raises several types; each means "cannot load"
            raise WorkbookError(f"cannot be loaded by the engine: {error}") from None
        self.book.set_temporal_egress("serial")
        self.limits = limits
        self._range_address = fz.RangeAddress
        #: Why calls to xl-funnel functions gave error values, by function name.
        self.reasons: dict[str, set[str]] = {}
        #: Formulas it computes wrongly, by label (set by the loader that rewrote them).
        self.unsupported: dict[str, int] = {}
        for name in functions:
            min_args, max_args = ARITY[name]
            self.book.register_function(
                name, _bridge(name, self.reasons), min_args=min_args, max_args=max_args
            )
        self._date1904 = date1904
        self._corrected: set[str] = set()
        for name in corrected:
            self.use_corrected(name)

    def use_corrected(self, name: str) -> None:
        """Register the corrected form of built-in ``name`` (one of
        :data:`~xl_funnel.recalc.corrected_names.CORRECTED_ARITY`); the next :meth:`evaluate`
        computes with it (once registered, it stays)."""
        if name in self._corrected:
            return
        self._corrected.add(name)
        # imported here: a workbook pays only for the modules of the built-ins it calls
        from xl_funnel.recalc.corrected import corrected_function

        function, min_args, max_args = corrected_function(name, self._date1904)
        self.book.register_function(
            name, function, min_args=min_args, max_args=max_args, allow_override_builtin=True
        )

    @property
    def sheet_names(self) -> list[str]:
        """Sheets the engine loaded (it omits sheets that hold no cells it can compute)."""
        return self.book.sheet_names

    def evaluate(self, during: Callable[[], object] | None = None) -> None:
        """Compute every formula (after a change of inputs, only what depends on them).

        ``during`` is called in this thread while the engine computes in another: the engine
        holds no Python lock while it computes, so work that needs no computed value costs no
        time on a machine with a second core. Its error, if any, is raised once the engine
        is done.
        """
        if during is None:
            self._evaluate()
            return
        failed: list[BaseException] = []

        def compute() -> None:
            try:
                self._evaluate()
            except BaseException as error:  # raised in the calling thread below
                failed.append(error)

        # A daemon thread: an interrupted recalculation exits without waiting for the engine.
        engine = threading.Thread(target=compute, name="xl-funnel engine", daemon=True)
        engine.start()
        try:
            during()
        except (KeyboardInterrupt, SystemExit):
            raise  # Ctrl-C or SIGTERM: not waiting for the engine to finish
        except BaseException:
            engine.join()  # the engine is not left computing behind the error
            raise
        engine.join()
        if failed:
            raise failed[0]

    def _evaluate(self) -> None:
        try:
            self.book.evaluate_all()
        except Exception as error:  # formualizer raises RuntimeError and its own types
            raise WorkbookError(f"could not be computed: {error}") from None

    def value(self, sheet: str, row: int, col: int) -> Any:
        """The value of one cell (errors as ``{"type": "Error", "kind": …}``)."""
        return self.book.get_value(sheet, row, col)

    def values(self, sheet: str, rows: Sequence[int], cols: Sequence[int]) -> list[Any]:
        """Values of the cells ``zip(rows, cols)`` of one sheet, in that order.

        The block around them is read in one call, cheaper than one call per cell (10k-channel
        plan: 79–81 ms against 88–89 ms), unless the cells are so scattered that the block
        would be mostly empty cells.
        """
        if not rows:
            return []
        top, left, bottom, right = min(rows), min(cols), max(rows), max(cols)
        if (bottom - top + 1) * (right - left + 1) > 2 * len(rows) + _BLOCK_SLACK:
            get = self.book.get_value
            return [get(sheet, row, col) for row, col in zip(rows, cols, strict=True)]
        area = self._range_address(sheet, top, left, bottom, right)
        block = self.book.sheet(sheet).get_values(area)
        return [block[row - top][col - left] for row, col in zip(rows, cols, strict=True)]

    def formula(self, sheet: str, row: int, col: int) -> str | None:
        """The formula the engine holds at the cell (its own spelling), if any."""
        quoted = sheet.replace("'", "''")
        return self.book.inspect_cell(f"'{quoted}'!{a1(row, col)}").to_dict()["cell"].get("formula")

    def reasons_of(self, sheet: str, row: int, col: int) -> set[str]:
        """Why the xl-funnel calls of one cell gave error values: its formula is computed
        again alone, and what the functions' ``explain`` said is collected. The cell keeps
        its value; a cell spilling a result (an array's anchor) is not computed again."""
        formula = self.formula(sheet, row, col)
        if formula is None or self.spill_shape(sheet, row, col) is not None:
            return set()
        kept = {name: set(found) for name, found in self.reasons.items()}
        self.reasons.clear()
        try:
            self.book.set_formula(sheet, row, col, formula)  # marks it to be computed
            self.book.evaluate_cell(sheet, row, col)
            return set().union(*self.reasons.values())
        except Exception:  # a reason is a courtesy: never a failure of the recalculation
            return set()
        finally:
            self.reasons.clear()
            self.reasons.update(kept)

    def has_formula(self, sheet: str, row: int, col: int) -> bool:
        """Whether the engine holds a formula at the cell (or a value spilled into it)."""
        quoted = sheet.replace("'", "''")
        cell = self.book.inspect_cell(f"'{quoted}'!{a1(row, col)}").to_dict()["cell"]
        return cell.get("formula") is not None or cell.get("spill") is not None

    def spill_shape(self, sheet: str, row: int, col: int) -> tuple[int, int] | None:
        """Rows and columns the formula at ``(row, col)`` spilled into; ``None`` for a scalar."""
        quoted = sheet.replace("'", "''")
        report = self.book.inspect_cell(f"'{quoted}'!{a1(row, col)}")
        spill = report.to_dict()["cell"].get("spill") or {}
        extent = spill.get("extent") if spill.get("kind") == "Anchor" else None
        if not extent:
            return None
        first, _, last = extent.rpartition("!")[2].partition(":")
        (top, left), (bottom, right) = parse_a1(first), parse_a1(last or first)
        return bottom - top + 1, right - left + 1

    def set_formula(self, sheet: str, row: int, col: int, formula: str) -> None:
        """Replace the formula at a cell (``"=…"``); the next :meth:`evaluate` computes it."""
        self.book.set_formula(sheet, row, col, formula)

    def set_value(self, sheet: str, row: int, col: int, value: Any) -> None:
        """Change an input cell; the next :meth:`evaluate` recomputes what depends on it."""
        self.book.set_value(sheet, row, col, value)

    def set_rows(self, sheet: str, top: int, left: int, rows: list[list[Any]]) -> None:
        """Set a rectangle of cells from ``rows`` in one call. Each call costs the engine a
        walk over the dependents of what it changed, so one call for several inputs is much
        cheaper than one per input (and than one :meth:`set_value` per cell)."""
        self.book.set_values_batch(sheet, top, left, rows)

    def constants(self, sheet: str, cells: list[tuple[int, int]]) -> list[Any] | None:
        """The values of ``cells`` if each is blank or holds a number, text or boolean typed
        in (no formula, no part of an array or a spill, no date, no error); else ``None``.

        Such a cell can be written back with its own value without changing what any formula
        computes: the engine would keep a date written back as its serial number as a plain
        number, and a value written into an array or spill range would block it.
        """
        quoted = sheet.replace("'", "''")
        for row, col in cells:
            cell = self.book.inspect_cell(f"'{quoted}'!{a1(row, col)}").to_dict()["cell"]
            if cell.get("formula") is not None or cell.get("spill") is not None:
                return None
        self.book.set_temporal_egress("native")  # dates come back as dates: recognisable
        try:
            values = [self.book.get_value(sheet, row, col) for row, col in cells]
        finally:
            self.book.set_temporal_egress("serial")
        typed_in = (type(None), float, int, str, bool)
        return values if all(type(value) in typed_in for value in values) else None

    def named_ranges(self) -> dict[str, NamedRange]:
        """Workbook-level defined names that point at cells, by name."""
        names = {}
        for entry in self.book.get_named_ranges():
            if entry.get("scope") != "workbook" or entry.get("kind") not in ("cell", "range"):
                continue
            names[entry["name"]] = NamedRange(
                entry["name"],
                entry["sheet"],
                entry["start_row"],
                entry["start_col"],
                entry["end_row"],
                entry["end_col"],
            )
        return names

    def read_name(self, named: NamedRange) -> Any:
        """A defined name's value: a scalar for one cell, a flat list for a range."""
        if named.size > self.limits.max_name_cells:  # checked before a list is allocated
            raise WorkbookError(name_too_large(named.name, named.size, self.limits))
        values = [self.value(named.sheet, row, col) for row, col in named.cells()]
        return values[0] if named.size == 1 else values

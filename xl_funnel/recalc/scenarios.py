"""Scenario sweeps: set a plan's defined names, recompute, read its outputs; many times over.

The plan is loaded into the engine once per process; each scenario changes only the input
cells, so the engine recomputes just what depends on them. A grid is a table whose columns are
defined names: a one-cell name takes one value, a range name a ``;``-separated list with one
value per cell (``StageRates`` = ``0.02;0.25;0.3;0.5;0.25``). Values are numbers (``12%`` is
0.12), ``TRUE``/``FALSE``, text, or empty for a blank cell.

>>> parse_value("12%"), parse_value("1e6"), parse_value("TRUE"), parse_value("Q1")
(0.12, 1000000.0, True, 'Q1')
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from xl_funnel.recalc.cell_values import error_text, is_engine_error
from xl_funnel.recalc.engine import Engine, NamedRange
from xl_funnel.recalc.errors import WorkbookError
from xl_funnel.recalc.limits import DEFAULT_LIMITS, Limits, name_too_large
from xl_funnel.recalc.package import read_package
from xl_funnel.recalc.validation import validation_rules, violation
from xl_funnel.recalc.workflow import HEADLINE_NAMES, evaluated

__all__ = [
    "GridError",
    "Scenario",
    "ScenarioRunner",
    "parse_scenarios",
    "parse_value",
    "run_scenarios",
]

Scenario = dict[str, list[Any]]


class GridError(ValueError):
    """A grid value or column that does not fit the plan (the message names row and column)."""


def parse_value(text: str) -> Any:
    """A grid cell's text as the value the workbook cell gets."""
    text = text.strip()
    if not text:
        return None
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE"
    number_text = text[:-1] if text.endswith("%") else text
    try:
        number = float(number_text.replace("_", ""))
    except ValueError:
        return text
    if not math.isfinite(number):
        return text
    return number / 100 if text.endswith("%") else number


def _plain(value: Any) -> Any:
    return error_text(value) if is_engine_error(value) else value


# Stands for "not written yet" in a block, so a scenario's first values are always written.
_UNSET = object()
# Cells between the inputs of one sheet that a block may write back unchanged: checking each
# costs the engine an inspection, once per grid.
_MAX_GAPS = 64


def _same(old: Any, new: Any) -> bool:
    """Equal and of one type: TRUE == 1 in Python, but a cell holding TRUE is not one holding 1."""
    return type(old) is type(new) and old == new


class _Block:
    """A rectangle of one sheet written with one engine call: a scenario's inputs on that sheet
    and the constants between them (written back as they are)."""

    __slots__ = ("inputs", "left", "rows", "sheet", "top")

    def __init__(
        self, sheet: str, top: int, left: int, rows: list[list[Any]], inputs: list[NamedRange]
    ) -> None:
        self.sheet, self.top, self.left, self.rows, self.inputs = sheet, top, left, rows, inputs

    @classmethod
    def of(cls, named: NamedRange) -> _Block:
        """The block of one input alone."""
        width = named.last_col - named.first_col + 1
        rows = [[_UNSET] * width for _ in range(named.size // width)]
        return cls(named.sheet, named.first_row, named.first_col, rows, [named])

    def fill(self, scenario: Scenario) -> bool:
        """Put the scenario's values in; whether any input changed since the last write. An
        input whose values are all unchanged keeps its cells as they were."""
        changed = False
        for named in self.inputs:
            cells = [
                (row - self.top, col - self.left)
                for row in range(named.first_row, named.last_row + 1)
                for col in range(named.first_col, named.last_col + 1)
            ]
            values = scenario[named.name]
            if all(
                _same(self.rows[r][c], value) for (r, c), value in zip(cells, values, strict=True)
            ):
                continue
            for (r, c), value in zip(cells, values, strict=True):
                self.rows[r][c] = value
            changed = True
        return changed


class ScenarioRunner:
    """A plan loaded once, ready to compute scenario after scenario.

    Parameters
    ----------
    plan : path-like
        The plan workbook.
    outputs : sequence of str, optional
        Defined names to read after each scenario; default: the plan's headline outputs
        (:data:`~xl_funnel.recalc.workflow.HEADLINE_NAMES`) that the workbook defines.
    """

    def __init__(
        self,
        plan: str | Path,
        outputs: Sequence[str] | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        package = read_package(plan, limits)
        self.engine: Engine = evaluated(package, limits, repeated=True)[0]
        self.names = self.engine.named_ranges()
        self.rules = validation_rules(package, limits)
        self.limits = limits
        chosen = list(outputs) if outputs else [n for n in HEADLINE_NAMES if self._readable(n)]
        if not chosen:
            raise WorkbookError(
                "defines none of the plan's output names; choose outputs with --outputs"
            )
        self.outputs = [self.name(name) for name in chosen]
        self._inputs: tuple[str, ...] = ()
        self._blocks: list[_Block] = []

    def _readable(self, name: str) -> bool:
        return name in self.names and self.names[name].size <= self.limits.max_name_cells

    def name(self, name: str) -> NamedRange:
        """The defined name ``name`` (Excel ignores case), or a :class:`GridError` (also for
        a name past the size cap: its cells would be listed one by one)."""
        found = self.names.get(name) or next(
            (named for key, named in self.names.items() if key.lower() == name.lower()), None
        )
        if found is None:
            import difflib

            lowered = {key.lower(): key for key in self.names}
            near = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.8)
            if near:  # one name, not the plan's eighty
                raise GridError(
                    f"{name!r} is not a defined name of the workbook: did you mean "
                    f"{lowered[near[0]]!r}?"
                )
            known = ", ".join(sorted(self.names)) or "none"
            raise GridError(f"{name!r} is not a defined name of the workbook (it has: {known})")
        if found.size > self.limits.max_name_cells:
            raise GridError(name_too_large(found.name, found.size, self.limits))
        return found

    def output_columns(self) -> list[str]:
        """Column titles of the outputs: a range name gives ``Name[1]``, ``Name[2]``, …"""
        columns = []
        for named in self.outputs:
            if named.size == 1:
                columns.append(named.name)
            else:
                columns.extend(f"{named.name}[{i}]" for i in range(1, named.size + 1))
        return columns

    def _layout(self, inputs: list[NamedRange]) -> list[_Block]:
        """How to write ``inputs``: one block per sheet when the cells between them are
        constants, else one block per input."""
        by_sheet: dict[str, list[NamedRange]] = {}
        for named in inputs:
            by_sheet.setdefault(named.sheet, []).append(named)
        blocks = []
        for sheet, group in by_sheet.items():
            merged = self._merged(sheet, group) if len(group) > 1 else None
            blocks.extend([merged] if merged else [_Block.of(named) for named in group])
        return blocks

    def _merged(self, sheet: str, group: list[NamedRange]) -> _Block | None:
        covered = [cell for named in group for cell in named.cells()]
        if len(set(covered)) != len(covered):
            return None  # overlapping inputs: written one after the other, in grid order
        top, bottom = min(n.first_row for n in group), max(n.last_row for n in group)
        left, right = min(n.first_col for n in group), max(n.last_col for n in group)
        taken = set(covered)
        gaps = [
            (row, col)
            for row in range(top, bottom + 1)
            for col in range(left, right + 1)
            if (row, col) not in taken
        ]
        if len(gaps) > _MAX_GAPS:
            return None
        constants = self.engine.constants(sheet, gaps)
        if constants is None:
            return None
        rows = [[_UNSET] * (right - left + 1) for _ in range(bottom - top + 1)]
        for (row, col), value in zip(gaps, constants, strict=True):
            rows[row - top][col - left] = value
        return _Block(sheet, top, left, rows, group)

    def run(self, scenario: Scenario) -> list[Any]:
        """Set the inputs of ``scenario`` (name → values, one per cell), recompute and return
        the outputs in :meth:`output_columns` order (errors as their Excel text)."""
        if tuple(scenario) != self._inputs:
            self._inputs = tuple(scenario)
            self._blocks = self._layout([self.names[name] for name in scenario])
        for block in self._blocks:
            if block.fill(scenario):  # else unchanged since the previous scenario: skipped
                self.engine.set_rows(block.sheet, block.top, block.left, block.rows)
        self.engine.evaluate()
        get = self.engine.value
        return [
            _plain(get(named.sheet, row, col))
            for named in self.outputs
            for row, col in named.cells()
        ]


def parse_scenarios(
    runner: ScenarioRunner, columns: Sequence[str], rows: Iterable[Sequence[str]], origin: str
) -> list[Scenario]:
    """Check a grid against the plan and turn each row into a :data:`Scenario`.

    ``origin`` names the grid in messages (``"grid.csv"``); rows count from 2, after the header
    line, as a spreadsheet shows them.
    """
    if not columns:
        raise GridError(f"{origin}: has no header row naming the inputs")
    inputs: list[NamedRange] = []
    for number, column in enumerate(columns, start=1):
        try:
            named = runner.name(column.strip())
        except GridError as error:
            raise GridError(f"{origin}: column {column!r}: {error}") from None
        earlier = next((i for i, other in enumerate(inputs, start=1) if other == named), None)
        if earlier is not None:  # else the later value would silently win
            what = "set twice" if origin == "--set" else f"in columns {earlier} and {number}"
            raise GridError(f"{origin}: the input {named.name} is {what}: give it once")
        inputs.append(named)
    scenarios = []
    width = sum(named.size for named in runner.outputs)
    cap = runner.limits.max_result_cells
    for number, row in enumerate(rows, start=2):
        if not any(field.strip() for field in row):
            continue
        if (len(scenarios) + 1) * width > cap:  # checked before the results are computed
            raise GridError(
                f"{origin}: over {cap // max(width, 1):,} scenarios of {width:,} output cells "
                f"each: xl-funnel computes sweeps of up to {cap:,} output cells; split the grid"
            )
        if len(row) != len(columns):
            raise GridError(
                f"{origin}: row {number} has {len(row)} fields for {len(columns)} columns"
            )
        scenario: Scenario = {}
        for named, text in zip(inputs, row, strict=True):
            # --set has no rows: name the assignment; a grid: its row and column.
            where = (
                f"--set {named.name}"
                if origin == "--set"
                else f"{origin}: row {number}, column {named.name}"
            )
            control = next((c for c in text if ord(c) < 32 and c not in "\t\n\r"), None)
            if control is not None:  # no cell can hold it (XML 1.0), nor can Excel type it
                raise GridError(f"{where}: {text!r} holds the control character {control!r}")
            parts = text.split(";") if named.size > 1 else [text]
            if len(parts) != named.size:
                count = "1 value" if len(parts) == 1 else f"{len(parts)} values"
                raise GridError(
                    f"{where}: {count} for a range of {named.size} cells (separate them with ';')"
                )
            values = [parse_value(part) for part in parts]
            refused = violation(runner.rules, named.sheet, named.cells(), values)
            if refused:
                raise GridError(f"{where}: {refused}")
            scenario[named.name] = values
        scenarios.append(scenario)
    return scenarios


# One runner per worker process, built by _start_worker.
_WORKER: ScenarioRunner | None = None


@contextlib.contextmanager
def _deferred_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM inside; deliver them on the way out (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    kept = {
        signum: signal.signal(signum, lambda signum, _frame: received.append(signum))
        for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for signum, handler in kept.items():
            signal.signal(signum, handler)
        for signum in received:
            signal.raise_signal(signum)


def _quiet_cancelled_futures() -> None:
    """Drop the InvalidStateError a pool thread raises failing an already cancelled future."""
    from concurrent.futures import InvalidStateError

    previous = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        if not isinstance(args.exc_value, InvalidStateError):
            previous(args)

    threading.excepthook = hook


def _die_with_parent(parent: int) -> None:
    """Have the kernel end this worker when the process that started it ends, however it
    ends (even ``SIGKILL``): Linux's ``PR_SET_PDEATHSIG``. Elsewhere the parent's clean-up
    (:func:`run_scenarios`) is what ends the workers."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != parent:  # the parent ended before the request took effect
        os._exit(1)


def _start_worker(plan: str, outputs: list[str], parent: int) -> None:
    global _WORKER
    _die_with_parent(parent)
    _WORKER = ScenarioRunner(plan, outputs)


def _run_chunk(chunk: list[Scenario]) -> list[list[Any]]:
    assert _WORKER is not None
    return [_WORKER.run(scenario) for scenario in chunk]


def _chunks(items: list[Scenario], size: int) -> Iterator[list[Scenario]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def run_scenarios(
    runner: ScenarioRunner,
    plan: str | Path,
    scenarios: list[Scenario],
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> list[list[Any]]:
    """Outputs of every scenario, in order; ``jobs`` > 1 spreads them over processes.

    ``progress(n)`` is called as each batch of ``n`` scenarios finishes.
    """
    if jobs <= 1 or len(scenarios) < 2 * jobs:
        results = []
        for chunk in _chunks(scenarios, 64):
            results.extend(runner.run(scenario) for scenario in chunk)
            if progress:
                progress(len(chunk))
        return results
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = max(16, min(1024, len(scenarios) // (jobs * 8)))
    outputs = [named.name for named in runner.outputs]
    # "spawn": a forked child would inherit the parent engine's thread pool without its threads.
    context = multiprocessing.get_context("spawn")
    results = []
    pool = ProcessPoolExecutor(
        jobs,
        mp_context=context,
        initializer=_start_worker,
        initargs=(str(plan), outputs, os.getpid()),
    )
    try:
        # map submits every chunk at once, which starts the workers: a Ctrl-C or SIGTERM half-way
        # through starting one would leave it reading start-up data that never comes.
        with _deferred_signals():
            chunks = pool.map(_run_chunk, _chunks(scenarios, size))
        for chunk_results in chunks:
            results.extend(chunk_results)
            if progress:
                progress(len(chunk_results))
    except BaseException:
        # Interrupted (Ctrl-C, SIGTERM, an error): end the workers now rather than wait for
        # their chunks, as ``with pool`` would.
        # Every worker this process started, also one still starting that the pool has not
        # registered yet (it would hold the task queue and keep the pool's exit waiting).
        workers = {*getattr(pool, "_processes", {}).values(), *multiprocessing.active_children()}
        for process in workers:
            process.terminate()
        # Python 3.11's pool can then hang at exit: the call queue's feeder thread may block
        # writing a chunk into a full pipe nobody reads any more, and the pool joins that
        # thread. Do not join it: it is a daemon thread, which ends with the process.
        call_queue = getattr(pool, "_call_queue", None)
        if call_queue is not None:
            call_queue.cancel_join_thread()
        # Executor.map has cancelled the pending futures; Python 3.11's pool then tries to fail
        # them as broken and its thread prints an InvalidStateError traceback (3.12 checks
        # first). That one exception of that thread is expected here: keep it off the screen.
        _quiet_cancelled_futures()
        pool.shutdown(wait=False)
        raise
    pool.shutdown()
    return results

"""``recalculate``: read a workbook, compute every formula, write the values back.

>>> import pathlib, tempfile, openpyxl
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> book = openpyxl.Workbook()
>>> book.active["A1"], book.active["A2"] = 9, "=FUNNEL_BACKSOLVE(A1, 0.5)"
>>> book.save(folder / "plan.xlsx")
>>> result = recalculate(folder / "plan.xlsx", folder / "out.xlsx")
>>> result.formula_cells, result.errors
(1, [])
>>> openpyxl.load_workbook(folder / "out.xlsx", data_only=True).active["A2"].value
18
"""

from __future__ import annotations

import posixpath
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from xl_funnel.plan_names import OUTPUT_NAMES
from xl_funnel.recalc.a1 import a1, parse_a1
from xl_funnel.recalc.cell_values import NA_ERROR, error_reason, error_text, is_engine_error
from xl_funnel.recalc.engine import Engine
from xl_funnel.recalc.engine_load import evaluated
from xl_funnel.recalc.errors import WorkbookError
from xl_funnel.recalc.lazy_pattern import LazyPattern
from xl_funnel.recalc.limits import DEFAULT_LIMITS, Limits
from xl_funnel.recalc.omitted_args import (
    called_functions,
)
from xl_funnel.recalc.package import Package, read_package
from xl_funnel.recalc.results import CellErrorReport, RecalcResult
from xl_funnel.recalc.sheet_xml import SheetXml
from xl_funnel.recalc.writer import write_package

__all__ = [
    "HEADLINE_NAMES",
    "CellErrorReport",
    "RecalcResult",
    "evaluated",
    "named_values",
    "recalculate",
]

#: The plan workbook's output names, shown in the summary when a workbook defines them.
HEADLINE_NAMES = OUTPUT_NAMES


def _sheet_ref(name: str) -> str:
    if name.replace("_", "").isalnum() and not name[0].isdigit():
        return name
    return "'" + name.replace("'", "''") + "'"


def _plain(value: Any) -> Any:
    if is_engine_error(value):
        return error_text(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


_NA = NA_ERROR
_NOT_COMPUTED = "not computed"
_SKIPPED = "the engine did not load this sheet"
_LOST = "the engine lost this formula while loading the sheet"
_DATA_TABLE = "a What-If data table: not recomputed, the value Excel cached is kept"


def _array_values(engine: Engine, sheet: str, xml: SheetXml) -> dict[tuple[int, int], Any]:
    """Values of the cells of multi-cell array formulas, filled the way Excel fills them: a
    single value repeats over the range, a single row or column repeats along the other axis,
    and cells beyond a larger result get ``#N/A``."""
    values: dict[tuple[int, int], Any] = {}
    for cell in xml.arrays:
        top, left, bottom, right = cell.array_range
        anchor = engine.value(sheet, top, left)
        shape = engine.spill_shape(sheet, top, left)
        for row in range(top, bottom + 1):
            for col in range(left, right + 1):
                if (row, col) == (top, left):
                    continue
                if shape is None:
                    values[row, col] = anchor
                    continue
                rows, cols = shape
                down = row if row - top < rows else top if rows == 1 else None
                across = col if col - left < cols else left if cols == 1 else None
                fits = down is not None and across is not None
                values[row, col] = engine.value(sheet, down, across) if fits else _NA
    return values


_EXPLAINED = 10_000  # error cells whose formula is looked at (one engine query each)
_RECOMPUTED = 1_000  # error cells computed again to tell their reasons apart


def _explained(
    engine: Engine, errors: list[CellErrorReport], loaded: dict[str, str]
) -> tuple[list[CellErrorReport], dict[str, int]]:
    """``errors`` with reasons added, and the count of error cells per unsupported function.

    An error from a function or argument the engine does not support gets that as its
    reason ("REGEXTEST, …: not supported by the engine"). An error from an xl-funnel function gets
    what the function's ``explain`` said. The engine keeps only an error's kind, so where the
    functions a cell calls gave several reasons across the workbook, the cell is computed
    again alone to collect its own (up to 1,000 cells; reasons of one cell are joined by "; ").
    """
    if not errors:
        return errors, {}
    from xl_funnel.recalc.engine_gaps import unsupported_label

    out, unsupported, recomputed = [], Counter(), 0
    for index, report in enumerate(errors):
        if index < _EXPLAINED:
            sheet, _, cell = report.address.rpartition("!")
            name = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
            name = loaded.get(name.lower(), name)
            row, col = parse_a1(cell)
            formula = engine.formula(name, row, col) or ""
            label = unsupported_label(formula)
            if label is not None:
                unsupported[label] += 1
                report = report._replace(reason=f"{label}: not supported by the engine")
            elif engine.reasons and report.reason is None:
                found = set().union(
                    *(engine.reasons.get(f, set()) for f in called_functions([formula.encode()]))
                )
                if len(found) > 1 and recomputed < _RECOMPUTED:
                    # Several reasons among the calls of these functions: the cell's own
                    # are found by computing it again alone.
                    recomputed += 1
                    found = engine.reasons_of(name, row, col)
                if found:
                    report = report._replace(reason="; ".join(sorted(found)))
        out.append(report)
    return out, dict(unsupported)


def _calls_ours(formula: bytes) -> bool:
    return bool(called_functions([formula]))


_CALC_CHAIN_REL = LazyPattern(rb"<Relationship\b[^>]*?calcChain[^>]*/>")
_CALC_CHAIN_TYPE = LazyPattern(rb"<Override\b[^>]*?calcChain[^>]*/>")


def _calc_chain(package: Package, replaced: dict[str, bytes]) -> tuple[str, ...]:
    """Leave out ``calcChain.xml`` (it lists formula cells, some of which are now values):
    the parts to drop, with its relationship and content type removed in ``replaced``."""
    chain = [name for name in package.parts if name.endswith("calcChain.xml")]
    if not chain:
        return ()
    rels = posixpath.join(
        posixpath.dirname(package.workbook), "_rels", posixpath.basename(package.workbook) + ".rels"
    )
    if rels in package.parts:
        replaced[rels] = _CALC_CHAIN_REL.sub(b"", package.parts[rels])
    types = "[Content_Types].xml"
    if types in package.parts:
        replaced[types] = _CALC_CHAIN_TYPE.sub(b"", package.parts[types])
    return tuple(chain)


def named_values(
    source: str | Path, names: Sequence[str], limits: Limits = DEFAULT_LIMITS
) -> dict[str, list[Any] | None]:
    """Compute ``source`` in memory and read defined names, writing nothing.

    Each name gives its values row by row (errors as their Excel text), or ``None`` when the
    workbook does not define it.
    """
    engine, _ = evaluated(read_package(source, limits), limits)
    defined = engine.named_ranges()
    values: dict[str, list[Any] | None] = {}
    for name in names:
        if name not in defined:
            values[name] = None
            continue
        value = _plain(engine.read_name(defined[name]))
        values[name] = value if isinstance(value, list) else [value]
    return values


class _Read:
    """The sheets' rewritten parts and what the summary lists, from one read of the engine
    (not a dataclass: see :mod:`~xl_funnel.recalc.results`)."""

    __slots__ = ("count", "errors", "frozen", "missing", "replaced", "spilled")

    def __init__(self) -> None:
        self.replaced: dict[str, bytes | Iterable[bytes]] = {}  # pieces made when written
        self.errors: list[CellErrorReport] = []
        self.missing: list[CellErrorReport] = []
        self.count = 0
        self.frozen = 0
        #: Plain formulas the engine spilled into a blocked range, as (sheet, row, column).
        self.spilled: list[tuple[str, int, int]] = []


def _read_sheets(
    engine: Engine,
    package: Package,
    sheets: dict[str, SheetXml],
    loaded: dict[str, str],
    freeze: bool,
) -> _Read:
    read = _Read()
    replaced, errors, missing = read.replaced, read.errors, read.missing
    for sheet in package.sheets:
        xml = sheets[sheet.name]
        if not xml.rows:
            continue
        prefix = _sheet_ref(sheet.name)
        name = loaded.get(sheet.name.lower())
        if name is None:  # the engine skipped the sheet: every formula is a gap
            missing.extend(
                CellErrorReport(f"{prefix}!{a1(row, col)}", _NOT_COMPUTED, _SKIPPED)
                for row, col in zip(xml.rows, xml.columns, strict=True)
            )
            continue
        values = engine.values(name, xml.rows, xml.columns)
        calls = freeze and called_functions(xml.formula_shapes)  # not the whole part, lowered
        frozen = xml.calling(_calls_ours) if calls else None
        read.frozen += len(frozen or ())
        # Made while the writer compresses the part before it (recalc/writer.py).
        replaced[sheet.part] = xml.rewritten(values, _array_values(engine, name, xml), frozen)
        read.count += len(values)
        # Which types came back (one pass in C): the per-cell searches below run only on a
        # sheet holding an error (a dict) or an empty value, which a computed plan has none of.
        kinds = set(map(type, values))
        if dict in kinds:
            errors.extend(
                CellErrorReport(f"{prefix}!{a1(row, col)}", error_text(value), error_reason(value))
                for row, col, value in zip(xml.rows, xml.columns, values, strict=True)
                if type(value) is dict and is_engine_error(value)
            )
        if errors and any(e.error == "#SPILL!" for e in errors):
            anchors = {(cell.row, cell.col) for cell in xml.arrays}
            read.spilled.extend(
                (name, row, col)
                for row, col, value in zip(xml.rows, xml.columns, values, strict=True)
                if type(value) is dict
                and value.get("kind") == "Spill"
                and (row, col) not in anchors
            )
        for top, left, bottom, right in xml.data_tables:
            missing.extend(
                CellErrorReport(f"{prefix}!{a1(row, col)}", _NOT_COMPUTED, _DATA_TABLE)
                for row in range(top, bottom + 1)
                for col in range(left, right + 1)
            )
        # formualizer can load a sheet twice under names differing in case ("sheet1" and
        # "Sheet1"), and then looks cells up in the other one: an empty value there is a gap.
        twin = sum(other.lower() == sheet.name.lower() for other in engine.sheet_names) > 1
        if type(None) in kinds:
            missing.extend(
                CellErrorReport(f"{prefix}!{a1(row, col)}", _NOT_COMPUTED, _LOST)
                for row, col, value in zip(xml.rows, xml.columns, values, strict=True)
                if value is None and (twin or not engine.has_formula(name, row, col))
            )
    return read


def _keep_one_value(engine: Engine, cells: list[tuple[str, int, int]]) -> bool:
    """Plain formulas whose result the engine spilled into occupied cells (``#SPILL!``): Excel
    keeps their first value (a plain formula is a one-cell formula), so each is wrapped in
    ``@( … )`` in the engine and the workbook evaluated again. Whether any changed."""
    changed = False
    for sheet, row, col in cells:
        formula = engine.formula(sheet, row, col)
        if formula and not formula.startswith("=@("):
            engine.set_formula(sheet, row, col, f"=@({formula.removeprefix('=')})")
            changed = True
    if changed:
        engine.evaluate()
    return changed


def recalculate(
    source: str | Path,
    target: str | Path,
    limits: Limits = DEFAULT_LIMITS,
    freeze: bool = False,
) -> RecalcResult:
    """Compute every formula of ``source`` and write it, with the values cached, to ``target``.

    ``target`` may be ``source`` (in place); it is replaced atomically, only after everything
    was computed. With ``freeze``, each cell whose formula calls an xl-funnel function holds
    its value instead (other formulas are kept), so the file computes in an Excel without the
    add-in; the calculation chain, which lists formula cells, is then left out (Excel rebuilds
    it).

    Raises
    ------
    WorkbookError
        ``source`` cannot be read or computed safely.
    OSError
        ``target`` cannot be written (``source`` is untouched either way).
    """
    started = time.perf_counter()
    package = read_package(source, limits)
    if not package.sheets:
        raise WorkbookError("has no worksheets")
    engine, sheets = evaluated(package, limits)
    # Sheet names are case-insensitive; the engine's copy may spell one differently.
    loaded = {name.lower(): name for name in engine.sheet_names}
    read = _read_sheets(engine, package, sheets, loaded, freeze)
    if read.spilled and _keep_one_value(engine, read.spilled):
        read = _read_sheets(engine, package, sheets, loaded, freeze)
    replaced, errors, missing = read.replaced, read.errors, read.missing
    names = engine.named_ranges()
    headline = {  # a name past the cap is not shown (it cannot be the plan's output)
        name: _plain(engine.read_name(names[name]))
        for name in HEADLINE_NAMES
        if name in names and names[name].size <= limits.max_name_cells
    }
    # Last: explaining an error may compute a cell again (the values are all read by now).
    errors, unsupported = _explained(engine, errors, loaded)
    for label, cells in engine.unsupported.items():
        unsupported[label] = unsupported.get(label, 0) + cells
    removed = _calc_chain(package, replaced) if read.frozen else ()
    write_package(package, replaced, target, removed)
    return RecalcResult(
        Path(target),
        read.count,
        time.perf_counter() - started,
        errors,
        missing,
        unsupported,
        headline,
        package.has_macros,
        read.frozen,
    )

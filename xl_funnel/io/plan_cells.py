"""The plan's Tracking inputs found by their defined names, and typed in place.

The file is the contract: stages, channels, the fiscal year and the input blocks come from the
workbook's own defined names (``StageNames``, ``ChannelNames``, ``FiscalYearStart``,
``LeadStage``, ``ChannelEntryStages`` when present, and the ``Actual…`` blocks of contract B),
never from a config. Only the input cells change: the worksheet XML is edited cell by cell
(:meth:`~xl_funnel.recalc.sheet_xml.SheetXml.with_constants`) and every other part is copied
as it was (:func:`~xl_funnel.recalc.writer.write_package`, atomic).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from xl_funnel.io.crm import PlanShape
from xl_funnel.io.errors import TableError
from xl_funnel.plan_names import TRACKING_INPUT_NAMES
from xl_funnel.recalc.a1 import a1, parse_a1
from xl_funnel.recalc.package import Package

__all__ = ["ACTUAL_BLOCKS", "Block", "blocks_of", "plan_shape", "write_cells"]

#: The Tracking inputs (contract B): stages × 12 or channels × 12 fiscal months.
ACTUAL_BLOCKS = TRACKING_INPUT_NAMES
_RANGE = re.compile(r"^'?(?P<sheet>(?:[^']|'')+?)'?!\$?([A-Z]+\$?\d+)(?::\$?([A-Z]+\$?\d+))?$")


class Block(tuple):
    """(sheet, first row, first column, last row, last column) of a defined name."""

    @property
    def sheet(self) -> str:
        return self[0]

    def cell(self, row: int, col: int) -> tuple[int, int]:
        return self[1] + row, self[2] + col


def _names(package: Package) -> dict[str, Block]:
    from defusedxml import ElementTree

    root = ElementTree.fromstring(package.parts[package.workbook])
    found = {}
    for element in root.iter():
        if not element.tag.endswith("}definedName") or element.get("localSheetId") is not None:
            continue
        match = _RANGE.match((element.text or "").strip())
        if match:
            top, left = parse_a1(match[2])
            bottom, right = parse_a1(match[3]) if match[3] else (top, left)
            found[element.get("name", "")] = Block(
                (match["sheet"].replace("''", "'"), top, left, bottom, right)
            )
    return found


def blocks_of(package: Package, source: str, *, tracking: bool = True) -> dict[str, Block]:
    """Every defined name pointing at cells; an error naming the missing plan names.

    ``tracking``: the monthly Tracking inputs are needed too (``actuals``; ``update`` also
    reads an older plan without them).
    """
    names = _names(package)
    needed = ("StageNames", "ChannelNames") + (("ActualVolumes",) if tracking else ())
    missing = [name for name in needed if name not in names]
    if missing:
        raise TableError(
            f"{source}: defines no {', '.join(missing)}: not a plan with monthly Tracking inputs "
            "(made before them? rebuild it with xl-funnel update PLAN --config CONFIG)"
        )
    return names


def _values(book: Any, block: Block) -> list[Any]:
    sheet = book[block.sheet]
    rows = sheet.iter_rows(
        min_row=block[1], max_row=block[3], min_col=block[2], max_col=block[4], values_only=True
    )
    return [value for row in rows for value in row]


def plan_shape(package: Package, names: Mapping[str, Block], source: str) -> PlanShape:
    """Stages, channels, fiscal start and entry stages as the workbook holds them."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(package.raw), read_only=True, data_only=True)
    try:
        texts = {}
        for name in ("StageNames", "ChannelNames", "LeadStage", "ChannelEntryStages"):
            values = _values(book, names[name]) if name in names else []
            texts[name] = tuple(str(v).strip() for v in values if v is not None and str(v).strip())
        start = _values(book, names["FiscalYearStart"])[0] if "FiscalYearStart" in names else None
    finally:
        book.close()
    if not texts["StageNames"] or not texts["ChannelNames"]:
        raise TableError(f"{source}: StageNames or ChannelNames holds no names")
    if not isinstance(start, dt.date):
        raise TableError(f"{source}: FiscalYearStart holds no date")
    entries = texts["ChannelEntryStages"]
    return PlanShape(
        stages=texts["StageNames"],
        channels=texts["ChannelNames"],
        fiscal_start=start.date() if isinstance(start, dt.datetime) else start,
        lead_stage=(texts["LeadStage"] or texts["StageNames"][1:2] or texts["StageNames"])[0],
        entry_stages=entries if len(entries) == len(texts["ChannelNames"]) else (),
    )


def write_cells(
    package: Package,
    names: Mapping[str, Block],
    cells: Mapping[str, Mapping[tuple[int, int], float]],
    target: str | Path,
    source: str,
) -> int:
    """Type ``cells`` (block → (row, month) → value) into the plan; return the cells written.

    Refuses (before writing anything) a block the plan does not define or a target cell that
    holds a formula.
    """
    from xl_funnel.recalc.sheet_xml import SheetXml
    from xl_funnel.recalc.writer import write_package

    parts = {sheet.name: sheet.part for sheet in package.sheets}
    by_part: dict[str, dict[tuple[int, int], float]] = {}
    for block, values in cells.items():
        if block not in names:
            raise TableError(f"{source}: defines no {block}: cannot write those actuals")
        where = names[block]
        if where.sheet not in parts:
            raise TableError(f"{source}: {block} points at a missing sheet {where.sheet!r}")
        for (row, month), value in values.items():
            by_part.setdefault(parts[where.sheet], {})[where.cell(row, month)] = value
    replaced = {}
    for part, values in by_part.items():
        sheet = SheetXml(package.parts[part])
        formulas = set(zip(sheet.rows, sheet.columns, strict=True)) & set(values)
        if formulas:
            row, col = min(formulas)
            raise TableError(f"{source}: {a1(row, col)} holds a formula, not an input: unchanged")
        replaced[part] = sheet.with_constants(values)
    write_package(package, replaced, target)
    return sum(len(v) for v in by_part.values())

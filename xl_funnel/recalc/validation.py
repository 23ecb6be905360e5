"""The workbook's own data validation, applied to values a scenario grid types into it.

Excel refuses a typed value that breaks a cell's validation ("Enter a positive amount of
money."); ``xl-funnel scenarios`` writes values through the engine, which knows nothing of
validation, so without this check a grid could set a negative deal size and get a confident,
meaningless plan. Rules whose limits are formulas or references (not constants) are not
checked: the engine would have to compute them first.

Both spellings Excel writes are read: ``<dataValidations>`` in the worksheet and Excel 2010's
``<x14:dataValidations>`` inside ``<extLst>`` (used for lists from other sheets; its
``sqref`` and formulas are child elements). A rule covers rectangles, never a set of cells,
so ``sqref="Z:Z"`` or a whole-sheet rule costs four numbers, not a billion cells; the number
of rules and rectangles is capped (:class:`~xl_funnel.recalc.limits.Limits`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import defusedxml.ElementTree as SafeET

from xl_funnel.recalc.a1 import a1, column_number
from xl_funnel.recalc.errors import WorkbookError
from xl_funnel.recalc.limits import DEFAULT_LIMITS, MAX_COLUMNS, MAX_ROWS, Limits
from xl_funnel.recalc.package import Package

__all__ = ["Rule", "Rules", "validation_rules", "violation"]

# The opening tag of a <dataValidations> block (any prefix: x14: in Excel 2010's extension).
# Each block is cut out with bytes.find and parsed on its own, since worksheets are never
# parsed whole (docs/recalc.md); the package check has already refused any DTD.
_OPENING = re.compile(rb"<(\w{1,32}:)?dataValidations\b")
# Namespace prefixes a cut-out block uses; they are declared again around it.
_PREFIXES = re.compile(rb"[<\s/](\w{1,32}):\w")
# One sqref range, $ signs removed: A1, A1:B2, whole columns A:C, whole rows 3:5.
_AREA = re.compile(r"([A-Z]{1,3})?([0-9]{1,7})?(?::([A-Z]{1,3})?([0-9]{1,7})?)?")
_CHECKED_TYPES = frozenset({"whole", "decimal", "date", "time", "list"})

#: (first row, first column, last row, last column), 1-based and inclusive.
Area = tuple[int, int, int, int]


@dataclass(frozen=True)
class Rule:
    """One data validation: which cells, what it allows, and what Excel would say."""

    sheet: str
    areas: tuple[Area, ...]
    kind: str
    operator: str
    low: float | None
    high: float | None
    choices: tuple[str, ...]
    allow_blank: bool
    message: str

    def covers(self, row: int, col: int) -> bool:
        """Whether the cell is one of the rule's."""
        return any(
            top <= row <= bottom and left <= col <= right for top, left, bottom, right in self.areas
        )

    def allows(self, value: Any) -> bool:
        """Whether Excel would accept ``value`` typed into one of the rule's cells."""
        if value is None or value == "":
            return self.allow_blank
        if self.kind == "list":
            return str(value).strip().lower() in self.choices
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            return False
        if self.kind == "whole" and value != int(value):
            return False
        return _compare(self.operator, float(value), self.low, self.high)


def _compare(operator: str, value: float, low: float | None, high: float | None) -> bool:
    if low is None:
        return True
    checks = {
        "between": lambda: high is not None and low <= value <= high,
        "notBetween": lambda: high is not None and not low <= value <= high,
        "equal": lambda: value == low,
        "notEqual": lambda: value != low,
        "greaterThan": lambda: value > low,
        "lessThan": lambda: value < low,
        "greaterThanOrEqual": lambda: value >= low,
        "lessThanOrEqual": lambda: value <= low,
    }
    return checks.get(operator, lambda: True)()


def _constant(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None  # a formula or a reference: not checked


def _area(text: str) -> Area | None:
    """One sqref range as a rectangle; ``None`` when it is not one."""
    match = _AREA.fullmatch(text.replace("$", "").upper())
    if match is None or not text:
        return None
    col1, row1, col2, row2 = match.groups()
    if ":" not in text:
        col2, row2 = col1, row1
    if (col1 is None) != (col2 is None) or (row1 is None) != (row2 is None):
        return None  # "A:3" and the like
    if col1 is None and row1 is None:
        return None
    top, bottom = (int(row1), int(row2)) if row1 is not None else (1, MAX_ROWS)
    left, right = (
        (column_number(col1), column_number(col2)) if col1 is not None else (1, MAX_COLUMNS)
    )
    top, bottom, left, right = (
        min(top, bottom),
        max(top, bottom),
        min(left, right),
        max(left, right),
    )
    if top < 1 or bottom > MAX_ROWS or left < 1 or right > MAX_COLUMNS:
        return None
    return top, left, bottom, right


def _areas(sheet: str, sqref: str) -> tuple[Area, ...]:
    areas = []
    for part in sqref.split():
        area = _area(part)
        if area is None:
            raise WorkbookError(
                f"sheet {sheet!r}: a data validation applies to {part[:40]!r}, which is not a "
                "cell range"
            )
        areas.append(area)
    return tuple(areas)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: Any, name: str) -> Any:
    return next((child for child in element if _local(child.tag) == name), None)


def _formula(element: Any, name: str) -> str | None:
    """``<formula1>0</formula1>``, or Excel 2010's ``<x14:formula1><xm:f>0</xm:f>``."""
    child = _child(element, name)
    if child is None:
        return None
    inner = _child(child, "f")
    return (inner if inner is not None else child).text


def _sqref(element: Any) -> str:
    if element.get("sqref") is not None:
        return element.get("sqref")
    child = _child(element, "sqref")
    return (child.text or "") if child is not None else ""


def _rules(sheet: str, block: bytes) -> Iterator[Rule]:
    # The cut-out block lost the worksheet's namespace declarations: declare every prefix it
    # uses again (any URI: elements are matched by local name).
    prefixes = sorted(set(_PREFIXES.findall(block)) - {b"xmlns", b"xml"})
    declared = b"".join(b' xmlns:%s="urn:xl-funnel:%s"' % (p, p) for p in prefixes)
    try:
        root = SafeET.fromstring(b"<block" + declared + b">" + block + b"</block>")
    except SafeET.ParseError as error:
        raise WorkbookError(
            f"sheet {sheet!r}: its data validation is not well-formed XML ({error})"
        ) from None
    for element in root[0]:
        if _local(element.tag) != "dataValidation":
            continue
        kind = element.get("type", "none")
        if kind not in _CHECKED_TYPES:
            continue
        first, second = _formula(element, "formula1"), _formula(element, "formula2")
        choices: tuple[str, ...] = ()
        low = high = None
        if kind == "list":
            if not (first and first.startswith('"')):
                continue  # a list from a range: not checked
            choices = tuple(item.strip().lower() for item in first.strip('"').split(","))
        else:
            low, high = _constant(first), _constant(second)
            if low is None:
                continue
        yield Rule(
            sheet=sheet,
            areas=_areas(sheet, _sqref(element)),
            kind=kind,
            operator=element.get("operator", "between"),
            low=low,
            high=high,
            choices=choices,
            allow_blank=element.get("allowBlank") in ("1", "true"),
            message=element.get("error") or "",
        )


def _blocks(data: bytes) -> Iterator[bytes]:
    """Each ``<dataValidations>`` block of a worksheet part, in order. Linear: every search
    starts after the previous block's end."""
    at = 0
    while (opening := _OPENING.search(data, at)) is not None:
        closing = b"</" + (opening[1] or b"") + b"dataValidations>"
        end = data.find(closing, opening.end())
        if end < 0:
            return
        yield data[opening.start() : end + len(closing)]
        at = end + len(closing)


class Rules(dict[str, list[Rule]]):
    """Rules by sheet, in document order; the rule of a cell is looked up once (a grid of a
    million rows checks the same input cells a million times)."""

    def __init__(self) -> None:
        super().__init__()
        self._at: dict[tuple[str, int, int], Rule | None] = {}

    def at(self, sheet: str, row: int, col: int) -> Rule | None:
        """The rule Excel applies to the cell (the first that covers it), or ``None``."""
        key = (sheet, row, col)
        if key not in self._at:
            self._at[key] = _first(self.get(sheet, []), row, col)
        return self._at[key]


def _first(rules: list[Rule], row: int, col: int) -> Rule | None:
    return next((rule for rule in rules if rule.covers(row, col)), None)


def validation_rules(package: Package, limits: Limits = DEFAULT_LIMITS) -> Rules:
    """Every checkable data validation of the workbook, by sheet, in document order.

    Raises
    ------
    WorkbookError
        A validation is malformed, or the workbook has more rules or ranges than the caps.
    """
    rules = Rules()
    count = areas = 0
    for sheet in package.sheets:
        for block in _blocks(package.parts[sheet.part]):
            for rule in _rules(sheet.name, block):
                count += 1
                areas += len(rule.areas)
                if count > limits.max_validations or areas > limits.max_validation_ranges:
                    raise WorkbookError(
                        f"has over {limits.max_validations:,} data validations or "
                        f"{limits.max_validation_ranges:,} validated ranges"
                    )
                rules.setdefault(sheet.name, []).append(rule)
    return rules


def violation(
    rules: dict[str, list[Rule]],
    sheet: str,
    cells: Sequence[tuple[int, int]],
    values: Sequence[Any],
) -> str | None:
    """What Excel would say of the first value its cell's validation refuses, else ``None``.

    A cell under several rules follows the first (Excel keeps one rule per cell)."""
    for (row, col), value in zip(cells, values, strict=True):
        if isinstance(rules, Rules):
            rule = rules.at(sheet, row, col)
        else:
            rule = _first(rules.get(sheet, []), row, col)
        if rule is not None and not rule.allows(value):
            from xl_funnel.io.rates import percent_hint  # the one percent rule

            hint = percent_hint(value, rule.allows)
            said = f": {rule.message.rstrip('.') if hint else rule.message}" if rule.message else ""
            shown = f"{value:g}" if isinstance(value, float) else repr(value)
            return f"{shown} is refused by the validation of {sheet}!{a1(row, col)}{said}{hint}"
    return None

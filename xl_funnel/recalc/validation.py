"""The workbook's own data validation, applied to values a scenario grid types into it.

Excel refuses a typed value that breaks a cell's validation ("Enter a positive amount of
money."); ``xl-funnel scenarios`` writes values through the engine, which knows nothing of
validation, so without this check a grid could set a negative deal size and get a confident,
meaningless plan. Rules whose limits are formulas or references (not constants) are not
checked: the engine would have to compute them first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import defusedxml.ElementTree as SafeET

from xl_funnel.recalc.a1 import a1, parse_a1
from xl_funnel.recalc.package import Package

__all__ = ["Rule", "validation_rules", "violation"]

# The <dataValidations> block of a worksheet: cut out and parsed on its own, since worksheets
# are never parsed whole (docs/recalc.md); the package check has already refused any DTD.
_BLOCK = re.compile(rb"<(?:\w+:)?dataValidations\b.*?</(?:\w+:)?dataValidations>", re.S)
_CHECKED_TYPES = frozenset({"whole", "decimal", "date", "time", "list"})


@dataclass(frozen=True)
class Rule:
    """One data validation: which cells, what it allows, and what Excel would say."""

    sheet: str
    cells: frozenset[tuple[int, int]]
    kind: str
    operator: str
    low: float | None
    high: float | None
    choices: tuple[str, ...]
    allow_blank: bool
    message: str

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


def _cells(sqref: str) -> frozenset[tuple[int, int]]:
    cells = set()
    for part in sqref.split():
        first, _, last = part.partition(":")
        (top, left), (bottom, right) = parse_a1(first), parse_a1(last or first)
        cells.update((row, col) for row in range(top, bottom + 1) for col in range(left, right + 1))
    return frozenset(cells)


def _child_text(element: Any, name: str) -> str | None:
    # By local name: the cut-out block has lost the worksheet's namespace declarations.
    for child in element:
        if child.tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1] == name:
            return child.text
    return None


def _rules(sheet: str, block: bytes) -> Iterable[Rule]:
    for element in SafeET.fromstring(block):
        kind = element.get("type", "none")
        if kind not in _CHECKED_TYPES:
            continue
        first, second = _child_text(element, "formula1"), _child_text(element, "formula2")
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
            cells=_cells(element.get("sqref", "")),
            kind=kind,
            operator=element.get("operator", "between"),
            low=low,
            high=high,
            choices=choices,
            allow_blank=element.get("allowBlank") in ("1", "true"),
            message=element.get("error") or "",
        )


def validation_rules(package: Package) -> dict[tuple[str, int, int], Rule]:
    """Every checkable data validation of the workbook, by ``(sheet, row, column)``."""
    rules: dict[tuple[str, int, int], Rule] = {}
    for sheet in package.sheets:
        match = _BLOCK.search(package.parts[sheet.part])
        if match is None:
            continue
        for rule in _rules(sheet.name, match.group()):
            for row, col in rule.cells:
                rules.setdefault((sheet.name, row, col), rule)
    return rules


def violation(
    rules: dict[tuple[str, int, int], Rule],
    sheet: str,
    cells: Sequence[tuple[int, int]],
    values: Sequence[Any],
) -> str | None:
    """What Excel would say of the first value its cell's validation refuses, else ``None``."""
    for (row, col), value in zip(cells, values, strict=True):
        rule = rules.get((sheet, row, col))
        if rule is not None and not rule.allows(value):
            from xl_funnel.io.rates import percent_hint  # the one percent rule

            hint = percent_hint(value, rule.allows)
            said = f": {rule.message.rstrip('.') if hint else rule.message}" if rule.message else ""
            shown = f"{value:g}" if isinstance(value, float) else repr(value)
            return f"{shown} is refused by the validation of {sheet}!{a1(row, col)}{said}{hint}"
    return None

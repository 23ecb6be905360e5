"""A scenario table for a report: named scenarios, titled columns, figures as the plan shows them.

The scenario's name is the grid's first column when that column is not a defined name and
holds text (``Scenario``: ``Base``, ``Stretch``), else its row number.

A range output gets one column per cell named by the plan's own labels: its row by stage
(``StageNames``) or channel (``ChannelNames``, for names holding "Channel"), its column by
period (``Q1``…``Q4`` for four columns, ``MonthLabels`` for twelve). So ``QuarterlyVolumes``
gives ``Visits Q1``, ``RequiredVolumes`` gives ``Visits``; a title met twice is prefixed with its
output's name. Each figure is rounded to the precision its cell's number format shows in the
plan (``#,##0`` → whole, ``0.0%`` → three decimals of the fraction); a cell formatted
``General`` keeps 12 significant digits, which drops binary noise (92.99999999999999 → 93).

>>> decimals('"$"#,##0'), decimals("0.0%"), decimals("#,##0.00"), decimals("General")
(0, 3, 2, None)
>>> displayed(92.99999999999999, "General"), displayed(0.12345, "0.0%"), displayed("x", "0")
(93.0, 0.123, 'x')
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "OutputColumns",
    "check_inputs",
    "decimals",
    "describe",
    "displayed",
    "report",
    "scenario_names",
    "shown",
]

_QUARTERS = ("Q1", "Q2", "Q3", "Q4")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def decimals(number_format: str | None) -> int | None:
    """Decimal places of a fraction a number format shows; ``None`` for General/scientific."""
    if not number_format or number_format.strip().lower() == "general":
        return None
    section = number_format.split(";")[0]
    section = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", section)
    if not re.search(r"[0#?]", section) or re.search(r"[eE][+-]", section):
        return None
    after = re.search(r"\.([0#?]+)", section)
    places = len(after.group(1)) if after else 0
    return places + 2 * section.count("%")


def displayed(value: Any, number_format: str | None) -> Any:
    """``value`` rounded as its number format shows it (numbers only)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return value
    places = decimals(number_format)
    if places is None:
        return float(f"{value:.12g}")
    return round(float(value), places) + 0.0  # + 0.0: no "-0.0" in a report


@dataclass(frozen=True)
class OutputColumns:
    """The output columns: titles and the plan's number format of each cell."""

    titles: list[str]
    formats: list[str | None]


def _labels(engine: Any, names: dict, name: str) -> list[str] | None:
    named = names.get(name)
    if named is None:
        return None
    labels = []
    for row, col in named.cells():
        value = engine.value(named.sheet, row, col)
        if isinstance(value, float) and name == "MonthLabels":
            value = (_EXCEL_EPOCH + dt.timedelta(days=value)).strftime("%b %Y")
        labels.append("" if value is None else str(value))
    return labels


def _axis(count: int, by_stage: list[str] | None, by_channel: list[str] | None, channel: bool):
    if channel and by_channel and len(by_channel) == count:
        return by_channel
    if by_stage and len(by_stage) == count:
        return by_stage
    if by_channel and len(by_channel) == count:
        return by_channel
    return None


def _titles(named: Any, engine: Any, names: dict) -> list[str]:
    if named.size == 1:
        return [named.name]
    rows = named.last_row - named.first_row + 1
    cols = named.last_col - named.first_col + 1
    stages, channels = _labels(engine, names, "StageNames"), _labels(engine, names, "ChannelNames")
    months = _labels(engine, names, "MonthLabels")
    channel = "channel" in named.name.lower()
    down = _axis(rows, stages, channels, channel) if rows > 1 else [""]
    if cols == 1:
        across = [""]
    elif cols == 4:
        across = list(_QUARTERS)
    elif cols == 12 and months and len(months) == 12:
        across = months
    elif rows == 1:
        across = _axis(cols, stages, channels, channel)
    else:
        across = None
    if down is None or across is None:
        return [f"{named.name} {i}" for i in range(1, named.size + 1)]
    return [f"{r} {c}".strip() for r in down for c in across]


def describe(plan: str | Path, runner: Any, taken: Sequence[str] = ()) -> OutputColumns:
    """Titles and number formats of ``runner``'s output cells.

    ``taken`` are titles already used (the input columns); a title met twice is prefixed
    with its output's name so every column is unique.
    """
    from openpyxl import load_workbook

    titles = []
    for named in runner.outputs:
        titles.append(_titles(named, runner.engine, runner.names))
    counts: dict[str, int] = {}
    for title in [*taken, *(t for group in titles for t in group)]:
        counts[title.lower()] = counts.get(title.lower(), 0) + 1
    unique = [
        t if counts[t.lower()] == 1 or t == named.name else f"{named.name} {t}"
        for named, group in zip(runner.outputs, titles, strict=True)
        for t in group
    ]
    book = load_workbook(plan, read_only=True)
    try:
        formats = [f for named in runner.outputs for f in _formats(book, named)]
    finally:
        book.close()
    return OutputColumns(unique, formats)


def input_formats(plan: str | Path, runner: Any, columns: Sequence[str]) -> list[str | None]:
    """The plan's number format of each single-cell input column (``None`` for ranges)."""
    from openpyxl import load_workbook

    book = load_workbook(plan, read_only=True)
    try:
        result = []
        for column in columns:
            named = runner.name(column)
            result.append(_formats(book, named)[0] if named.size == 1 else None)
        return result
    finally:
        book.close()


def _formats(book: Any, named: Any) -> list[str | None]:
    """The number format of each cell of ``named``, row by row (one pass over its block)."""
    try:
        sheet = book[named.sheet]
    except KeyError:
        return [None] * named.size
    rows = sheet.iter_rows(
        min_row=named.first_row,
        max_row=named.last_row,
        min_col=named.first_col,
        max_col=named.last_col,
    )
    found = [getattr(cell, "number_format", None) for row in rows for cell in row]
    return found + [None] * (named.size - len(found))


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "").rstrip("%"))
    except ValueError:
        return False
    return True


def scenario_names(
    columns: Sequence[str], rows: Sequence[Sequence[str]], is_input: Any
) -> tuple[str, list[str], list[str], list[list[str]]]:
    """Split off the grid's name column: (its title, the names, the other columns, rows).

    >>> scenario_names(["Scenario", "A"], [["Base", "1"]], lambda name: name == "A")
    ('Scenario', ['Base'], ['A'], [['1']])
    >>> scenario_names(["A"], [["1"], ["2"]], lambda name: True)
    ('Scenario', ['1', '2'], ['A'], [['1'], ['2']])
    """
    first = columns[0].strip() if columns else ""
    texts = [row[0].strip() for row in rows if row]
    if (
        first
        and not is_input(first)
        and texts
        and all(text and not _is_number(text) for text in texts)
    ):
        return first, texts, list(columns[1:]), [list(row[1:]) for row in rows]
    return (
        "Scenario",
        [str(i) for i in range(1, len(rows) + 1)],
        list(columns),
        [list(r) for r in rows],
    )


def report(
    plan: str | Path,
    runner: Any,
    name_title: str,
    names: Sequence[str],
    inputs: Sequence[str],
    values: Sequence[Sequence[Any]],
    results: Sequence[Sequence[Any]],
    *,
    exact: bool = False,
) -> tuple[list[str], list[list[Any]], list[str | None]]:
    """Header, rows and number formats of the results table.

    ``values`` are each scenario's input cells as shown (a range's values joined by ``;``),
    ``results`` its outputs; with ``exact`` the figures keep every digit the engine computed.
    """
    outputs = describe(plan, runner, [name_title, *inputs])
    formats = [None, *input_formats(plan, runner, inputs), *outputs.formats]
    rows = []
    for name, shown, result in zip(names, values, results, strict=True):
        figures = [
            value if exact else displayed(value, number_format)
            for value, number_format in zip(result, outputs.formats, strict=True)
        ]
        rows.append([name, *shown, *figures])
    return [name_title, *inputs, *outputs.titles], rows, formats


def check_inputs(runner: Any, columns: Sequence[str], origin: str) -> None:
    """Refuse a column naming an output (setting it would overwrite its formula) or given twice.

    Raises :class:`~xl_funnel.recalc.scenarios.GridError`.
    """
    from xl_funnel.recalc.scenarios import GridError

    outputs = {named.name.lower() for named in runner.outputs}
    seen: set[str] = set()
    for column in columns:
        key = column.strip().lower()
        if key in outputs:
            raise GridError(
                f"{origin}: column {column.strip()!r} is an output the scenarios collect: "
                "setting it would overwrite its formula; give inputs only"
            )
        if key in seen:
            raise GridError(f"{origin}: {column.strip()!r} is given twice")
        seen.add(key)


def shown(values: Sequence[Any]) -> Any:
    """A scenario's input as its column shows it: a range's values joined by ``;``."""
    if len(values) == 1:
        return values[0]
    return ";".join("" if v is None else str(v) for v in values)

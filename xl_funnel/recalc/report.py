"""What ``xl-funnel recalc`` prints about a recalculated workbook: the human summary, its
one-line form for many books, and the JSON record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["as_record", "one_line", "summary"]

_SHOWN_ERRORS = 20
_SHOWN_REASONS = 5

# How the plan's headline outputs read (their meaning is fixed by the plan's defined names).
_PERCENT_NAMES = frozenset({"PlanROI"})
_MONEY_NAMES = frozenset({"TargetRevenue", "NewRevenueGoal", "TotalBudget"})


def _number(value: Any, name: str = "") -> str:
    """A headline value as a planner reads it: 20,000,000 · 856.5 % · 83,333.33 · 10."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if name in _PERCENT_NAMES:
        return f"{value * 100:,.1f} %"
    if name in _MONEY_NAMES:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def summary(book: Path, result: Any, freeze: bool = False) -> str:
    """The summary for people: counts, the first error cells (the first few with their reason),
    cells left uncomputed, the cells frozen (``freeze``: ``--freeze`` was asked for), and the
    plan's headline outputs."""
    lines = [
        f"{book} → {result.output}",
        f"  formula cells computed  {result.formula_cells:,}",
        f"  time                    {result.seconds:.2f} s",
        f"  cells with errors       {len(result.errors):,}",
    ]
    for index, report in enumerate(result.errors[:_SHOWN_ERRORS]):
        reason = f"  ({report.reason})" if report.reason and index < _SHOWN_REASONS else ""
        lines.append(f"    {report.address:<24}{report.error}{reason}")
    if len(result.errors) > _SHOWN_ERRORS:
        lines.append(f"    … and {len(result.errors) - _SHOWN_ERRORS:,} more (--json lists all)")
    if result.missing:
        lines.append(f"  cells not computed      {len(result.missing):,}")
        for report in result.missing[:_SHOWN_ERRORS]:
            lines.append(f"    {report.address:<24}{report.reason}")
    for label, count in result.unsupported.items():
        lines.append(f"  {label}: not supported, {count:,} cells")
    if result.frozen:
        frozen = f"{result.frozen:,} cells calling xl-funnel functions"
        lines.append(f"  frozen to values        {frozen}")
    elif freeze:
        lines.append("  frozen to values        none: no xl-funnel functions, no add-in needed")
    if result.macros_kept:
        lines.append("  VBA project             kept unchanged (never run)")
    if result.headline:
        lines.append("  plan outputs")
        for name, value in result.headline.items():
            values = value if isinstance(value, list) else [value]
            shown = ", ".join(_number(item, name) for item in values)
            lines.append(f"    {name:<22}{shown}")
    return "\n".join(lines)


def one_line(book: Path, result: Any, freeze: bool = False) -> str:
    """One book of many: ``plan.xlsx → out/plan.xlsx: 633 cells, 0 errors, 0.05 s`` (with
    the cells not computed, and with ``--freeze`` the cells frozen to values)."""
    extra = f", {len(result.missing):,} not computed" if result.missing else ""
    if result.frozen or freeze:
        extra += f", {result.frozen:,} frozen"
    return (
        f"{book} → {result.output}: {result.formula_cells:,} cells, "
        f"{len(result.errors):,} errors{extra}, {result.seconds:.2f} s"
    )


def as_record(book: Path, result: Any) -> dict[str, Any]:
    """The JSON record of one book."""
    return {
        "input": str(book),
        "output": str(result.output),
        "formula_cells": result.formula_cells,
        "seconds": round(result.seconds, 4),
        "errors": [
            {"cell": r.address, "error": r.error, "reason": r.reason} for r in result.errors
        ],
        "not_computed": [{"cell": r.address, "reason": r.reason} for r in result.missing],
        "unsupported": result.unsupported,
        "frozen": result.frozen,
        "headline": result.headline,
        "macros_kept": result.macros_kept,
    }

"""``xl-funnel recalc``: compute a workbook without Excel and write the values back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from xl_funnel.atomic import FileBusyError, OutputIsInputError, check_not_input, locked
from xl_funnel.cli.errors import ComputedWithErrors, InputError

_SHOWN_ERRORS = 20


def default_output(book: Path) -> Path:
    """``plan.xlsx`` → ``plan.recalc.xlsx`` (the suffix kept, so .xlsm stays .xlsm)."""
    return book.with_name(f"{book.stem}.recalc{book.suffix}")


def _target(book: Path, output: Path | None, in_place: bool) -> Path:
    if in_place and output is not None:
        raise InputError("--in-place and -o/--output exclude each other: give one")
    if in_place:
        return book
    target = output or default_output(book)
    if target.suffix.lower() != book.suffix.lower():
        # The output is the same package as the input: an .xlsm renamed .xlsx (or a .csv)
        # is a file Excel refuses to open.
        raise InputError(
            f"{target}: must end in {book.suffix} like {book.name}: recalc writes the same kind "
            "of workbook it reads"
        )
    try:
        check_not_input(target, [book])  # any spelling, a hard link or a symlink of BOOK
    except OutputIsInputError:
        raise InputError(
            f"{target}: is the input workbook; pass --in-place to overwrite it"
        ) from None
    if not target.parent.is_dir():
        raise InputError(f"{target}: folder {target.parent} does not exist")
    return target


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


def _summary(book: Path, result: Any) -> str:
    lines = [
        f"{book} → {result.output}",
        f"  formula cells computed  {result.formula_cells:,}",
        f"  time                    {result.seconds:.2f} s",
        f"  cells with errors       {len(result.errors):,}",
    ]
    for report in result.errors[:_SHOWN_ERRORS]:
        reason = f"  ({report.reason})" if report.reason else ""
        lines.append(f"    {report.address:<24}{report.error}{reason}")
    if len(result.errors) > _SHOWN_ERRORS:
        lines.append(f"    … and {len(result.errors) - _SHOWN_ERRORS:,} more (--json lists all)")
    if result.macros_kept:
        lines.append("  VBA project             kept unchanged (never run)")
    if result.headline:
        lines.append("  plan outputs")
        for name, value in result.headline.items():
            values = value if isinstance(value, list) else [value]
            shown = ", ".join(_number(item, name) for item in values)
            lines.append(f"    {name:<22}{shown}")
    return "\n".join(lines)


def _as_json(book: Path, result: Any) -> str:
    import json  # only for --json: start-up stays lean without it

    return json.dumps(
        {
            "input": str(book),
            "output": str(result.output),
            "formula_cells": result.formula_cells,
            "seconds": round(result.seconds, 4),
            "errors": [
                {"cell": r.address, "error": r.error, "reason": r.reason} for r in result.errors
            ],
            "headline": result.headline,
            "macros_kept": result.macros_kept,
        },
        indent=2,
    )


@click.command(
    epilog="\b\nExamples:\n"
    "  xl-funnel recalc plan.xlsx                       # writes plan.recalc.xlsx\n"
    "  xl-funnel recalc plan.xlsx --in-place --check    # CI: exit 1 if any cell errs\n"
    "  xl-funnel recalc plan.xlsx -o out.xlsx --json    # the summary for programs"
)
@click.argument("book", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the result, with BOOK's suffix [default: BOOK.recalc.xlsx].",
)
@click.option("--in-place", is_flag=True, help="Replace BOOK itself (atomically).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--check", is_flag=True, help="Exit 1 when any formula cell holds an error.")
def recalc(book: Path, output: Path | None, in_place: bool, as_json: bool, check: bool) -> None:
    """Compute every formula in BOOK (Excel's functions and xl-funnel's) and save the values.

    Formulas, styles, number formats, names, validation, conditional formats, charts,
    comments, widths and VBA are kept as they are; only the cached values of formula cells
    change, so pandas, openpyxl (data_only=True) and viewers see the numbers. No Excel or
    LibreOffice needed.
    """
    from xl_funnel.recalc.errors import WorkbookError
    from xl_funnel.recalc.workflow import recalculate

    target = _target(book, output, in_place)
    try:
        # Locked from before BOOK is read until the result is renamed into place, so a second
        # xl-funnel command editing the same file waits instead of undoing this one.
        with locked(target):
            result = recalculate(book, target)
    except WorkbookError as error:
        raise InputError(f"{book}: {error}") from None
    except FileBusyError as error:
        raise InputError(f"{target}: {error.strerror}") from None
    except OSError as error:
        raise InputError(f"{target}: cannot be written: {error.strerror or error}") from None
    click.echo(_as_json(book, result) if as_json else _summary(book, result))
    if check and result.errors:
        raise ComputedWithErrors(
            f"{book}: {len(result.errors):,} cells hold error values (first: "
            f"{result.errors[0].address} {result.errors[0].error})"
        )

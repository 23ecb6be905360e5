"""``xl-funnel risk``: how likely a plan workbook is to hit its customer target.

Reads the plan's defined names (StageRates, CustomersNeeded, FunnelCustomersNeeded,
RequiredVolumes, …): their cached values, or, in a plan never computed (straight from
``xl-funnel new``), the values xl-funnel's engine computes in memory, as ``xl-funnel recalc``
would. It simulates the funnel (:func:`xl_funnel.simulate`) and prints the probability that
the planned top-of-funnel volume reaches the customers the funnel must bring (after
referrals, with the flywheel on), with the P50/P80/P90 volumes. ``--write`` adds or refreshes
a Risk sheet in the workbook (values, a histogram chart, the seed and date) without touching
anything else (:mod:`xl_funnel.cli.risk_sheet`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import zipfile
from pathlib import Path
from typing import Any

import click

from xl_funnel.cli.errors import InputError
from xl_funnel.cli.rate_option import Rate

#: The probabilities a planner asks for: P50, P80, P90.
LEVELS = (0.5, 0.8, 0.9)
#: Seed when none is given, so two runs on the same plan print the same numbers.
DEFAULT_SEED = 0


# --- reading the plan ----------------------------------------------------------------------


def _load(plan: Path):  # -> openpyxl.Workbook
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    from xl_funnel.recalc.errors import WorkbookError
    from xl_funnel.recalc.package import read_package

    # The size and zip-bomb checks xl-funnel recalc applies, before openpyxl inflates anything.
    try:
        read_package(plan)
    except WorkbookError as error:
        raise InputError(f"{plan}: {error}") from None
    try:
        # Read-only: cells stream from the XML, and merged ranges are not expanded into a
        # cell object each (a merge over the whole sheet would be 17 billion of them).
        return load_workbook(plan, data_only=True, read_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise InputError(f"{plan}: cannot read it as an .xlsx workbook ({error})") from None


#: The names risk reads. FunnelCustomersNeeded is what the funnel must bring after referrals
#: (the flywheel); plans written before it existed, or by hand, give CustomersNeeded only.
_NAMES = ("StageRates", "StageNames", "CustomersNeeded", "FunnelCustomersNeeded", "RequiredVolumes")
#: Outputs that are formulas: without cached values (a file never opened in Excel nor
#: recalculated, e.g. straight from xl-funnel new) they are computed in memory.
_OUTPUTS = ("CustomersNeeded", "FunnelCustomersNeeded", "RequiredVolumes")
COMPUTED = "computed in memory: no cached values; xl-funnel recalc saves them"


def _name_cells(ref: str) -> int:
    """Cells of a reference, whole rows and columns included (``A:XFD`` is the whole sheet)."""
    from openpyxl.utils.cell import range_boundaries

    from xl_funnel.recalc.limits import MAX_COLUMNS, MAX_ROWS

    left, top, right, bottom = range_boundaries(ref.replace("$", ""))
    rows = (bottom or MAX_ROWS) - (top or 1) + 1
    return rows * ((right or MAX_COLUMNS) - (left or 1) + 1)


def _named(book: Any, name: str, plan: Path) -> list[Any] | None:
    """The cached values of a defined name, row by row; None when the name is not defined."""
    from xl_funnel.recalc.limits import DEFAULT_LIMITS, name_too_large

    defined = book.defined_names.get(name)
    if defined is None:
        return None
    values: list[Any] = []
    size = 0
    for title, ref in defined.destinations:
        if title not in book.sheetnames:
            return None
        # openpyxl makes a cell object for every cell of a range: check the size first.
        try:
            size += _name_cells(ref)
        except ValueError:
            return None
        if size > DEFAULT_LIMITS.max_name_cells:
            raise InputError(f"{plan}: {name_too_large(name, size, DEFAULT_LIMITS)}")
        cells = book[title][ref.replace("$", "")]
        if not isinstance(cells, tuple):
            cells = ((cells,),)
        for row in cells:
            values.extend(cell.value for cell in (row if isinstance(row, tuple) else (row,)))
    return values


def _computed(plan: Path) -> dict[str, list[Any] | None]:
    """The names' values as xl-funnel recalc computes them, without writing anything."""
    from xl_funnel.recalc.engine import EngineUnavailableError
    from xl_funnel.recalc.errors import WorkbookError
    from xl_funnel.recalc.workflow import named_values

    try:
        return named_values(plan, _NAMES)
    except EngineUnavailableError:
        raise InputError(
            f"{plan}: has no cached values (never computed), and computing them needs "
            "pip install 'xl-funnel[recalc]'; or open and save the plan in Excel first"
        ) from None
    except WorkbookError as error:
        raise InputError(f"{plan}: {error}") from None


def _numbers(plan: Path, name: str, values: list[Any] | None) -> list[float] | None:
    """Numbers of a name; None when it is missing or not computed yet (no cached values)."""
    if values is None or any(value is None for value in values):
        return None
    bad = [v for v in values if isinstance(v, bool) or not isinstance(v, int | float)]
    if bad:
        raise InputError(f"{plan}: defined name {name} holds {bad[0]!r}, not a number")
    return [float(v) for v in values]


def _plan_inputs(plan: Path, book: Any) -> dict[str, Any]:
    """Rates, customer targets and planned top volume: cached values, else computed."""
    import xl_funnel as xf

    values = {name: _named(book, name, plan) for name in _NAMES}
    source = "cached values"
    if any(values[name] is not None and None in values[name] for name in _OUTPUTS):
        values, source = _computed(plan), COMPUTED
    rates = _numbers(plan, "StageRates", values["StageRates"])
    if not rates:
        raise InputError(
            f"{plan}: defined name StageRates is missing or empty: is this an xl-funnel plan "
            "(xl-funnel new)?"
        )
    names = values["StageNames"]
    stages = (
        [str(v) for v in names]
        if names and len(names) == len(rates) + 1 and all(v is not None for v in names)
        else None
    )
    needed = _single(plan, "CustomersNeeded", values)
    if needed is None:
        raise InputError(
            f"{plan}: defined name CustomersNeeded is missing or holds no number: is this an "
            "xl-funnel plan (xl-funnel new)?"
        )
    funnel = _single(plan, "FunnelCustomersNeeded", values)
    # With the flywheel on, referrals bring part of the customers: the funnel's volumes
    # (RequiredVolumes) are planned for the rest, so that rest is the target to reach.
    target = needed if funnel is None else funnel
    volumes = _numbers(plan, "RequiredVolumes", values["RequiredVolumes"])
    try:
        top = volumes[0] if volumes else float(xf.backsolve(target, rates)[0])
    except xf.FunnelError as error:
        raise InputError(f"{plan}: {error}") from None
    return {
        "rates": rates,
        "stages": stages,
        "needed": needed,
        "target": target,
        "top": top,
        "source": source,
    }


def _single(plan: Path, name: str, values: dict[str, list[Any] | None]) -> float | None:
    """The number of a one-cell name; None when it is missing or has no value."""
    numbers = _numbers(plan, name, values[name])
    if numbers is None:
        return None
    if len(numbers) != 1:
        raise InputError(f"{plan}: defined name {name} spans {len(numbers)} cells, not one")
    return numbers[0]


def _history(path: Path, stages: int, decimal: str) -> list[list[float]]:
    """Stage counts per period (:func:`xl_funnel.io.history.read_history`)."""
    from xl_funnel.io import TableError
    from xl_funnel.io.history import read_history

    try:
        return read_history(path, stages, decimal=decimal)
    except TableError as error:
        raise InputError(str(error)) from None


# --- the command ---------------------------------------------------------------------------


@click.command(
    epilog="\b\nExamples:\n"
    "  xl-funnel risk plan.xlsx                                 # rates taken as certain\n"
    "  xl-funnel risk plan.xlsx --spread 0.2                    # each rate ±20 %\n"
    "  xl-funnel risk plan.xlsx --history history.csv --write   # adds a Risk sheet\n"
    "\n"
    "history.csv has one row per past period (month or quarter) with the count of every "
    "stage, top to bottom, and an optional header row. Without it the plan's rates are taken "
    "as certain (only the chance of each stage remains) unless --spread widens them. "
    "See docs/risk.md."
)
@click.argument("plan", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--history",
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV of past stage counts: each rate drawn from its beta posterior.",
)
@click.option(
    "--spread",
    type=Rate(below_high=True),
    default=0.0,
    show_default=True,
    help="Without history: each rate drawn uniformly within ± this share (0.2 or 20% = ±20 %).",
)
@click.option(
    "--trials",
    type=click.IntRange(1, 5_000_000),
    default=100_000,
    show_default=True,
    help="Simulated years.",
)
@click.option(
    "--seed",
    type=click.IntRange(0),
    default=DEFAULT_SEED,
    show_default=True,
    help="Random seed: the same seed gives the same numbers.",
)
@click.option(
    "--decimal",
    type=click.Choice([".", ","]),
    default=".",
    show_default=True,
    help="Decimal mark of the history's numbers.",
)
@click.option("--write", is_flag=True, help="Add or refresh a Risk sheet in PLAN.")
@click.option(
    "--sheet",
    "sheet_name",
    default="Risk",
    show_default=True,
    help="Name of the sheet --write adds; an existing sheet of that name is replaced only if "
    "xl-funnel wrote it.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def risk(
    plan: Path,
    history: Path | None,
    spread: float,
    trials: int,
    seed: int,
    decimal: str,
    write: bool,
    sheet_name: str,
    as_json: bool,
) -> None:
    """Chance that PLAN's top-of-funnel volume reaches its customer target; P50/P80/P90."""
    if not write:
        _risk(plan, history, spread, trials, seed, decimal, None, as_json)
        return
    from xl_funnel.atomic import FileBusyError, locked

    _check_sheet_name(sheet_name)
    try:
        # Locked from the read to the write: a recalc --in-place of PLAN meanwhile would
        # otherwise be undone by this write (or undo it).
        with locked(plan):
            _risk(plan, history, spread, trials, seed, decimal, sheet_name, as_json)
    except FileBusyError as error:
        raise InputError(f"{plan}: {error.strerror}") from None


def _risk(
    plan: Path,
    history: Path | None,
    spread: float,
    trials: int,
    seed: int,
    decimal: str,
    write: str | None,
    as_json: bool,
) -> None:
    from xl_funnel.errors import FunnelError
    from xl_funnel.simulation import simulate

    book = _load(plan)
    try:
        inputs = _plan_inputs(plan, book)
    finally:
        book.close()
    rates = inputs["rates"]
    if history is not None:
        source = {"history": _history(history, len(rates) + 1, decimal)}
        uncertainty = f"beta posterior from {history.name} ({len(source['history'])} periods)"
    elif spread > 0:
        source = {"rate_ranges": [[r * (1 - spread), min(1.0, r * (1 + spread))] for r in rates]}
        uncertainty = f"each rate uniform within ±{spread:.0%}"
    else:
        source = {"rates": rates}
        uncertainty = "none: rates as planned, only each stage's chance"
    try:
        result = simulate(inputs["top"], inputs["target"], trials=trials, seed=seed, **source)
    except FunnelError as error:
        where = history if history is not None else plan
        raise InputError(f"{where}: {error}") from None
    volumes = [float(v) for v in result.volume_for(list(LEVELS))]
    report = {
        "plan": str(plan),
        "customers_needed": inputs["needed"],
        "funnel_customers_needed": result.target,
        "planned_volume": result.top_volume,
        "probability": result.probability,
        "volumes": {
            f"P{round(level * 100)}": _finite(v) for level, v in zip(LEVELS, volumes, strict=True)
        },
        "mean_customers": result.mean,
        "uncertainty": uncertainty,
        "values": inputs["source"],
        "trials": trials,
        "seed": seed,
    }
    if write is not None:
        _write_sheet(plan, report, result, {**inputs, "history": history, "spread": spread}, write)
    if as_json:
        click.echo(json.dumps(report))
        return
    top = (inputs["stages"] or ["top-of-funnel volume"])[0]
    click.echo(f"Plan: {plan} ({inputs['source']})")
    needed = f"Customers needed: {inputs['needed']:,.0f}"
    if inputs["target"] != inputs["needed"]:
        needed += f", {result.target:,.0f} of them from the funnel (referrals bring the rest)"
    click.echo(f"{needed}; planned {top}: {result.top_volume:,.0f}")
    click.echo(f"Rate uncertainty: {uncertainty}")
    click.echo(f"Probability of reaching the target: {result.probability:.1%}")
    for name, volume in report["volumes"].items():
        shown = "out of reach" if volume is None else f"{volume:,.0f}"
        click.echo(f"{name} {top}: {shown}")
    click.echo(f"Trials: {trials:,}; seed: {seed}")


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


_FORBIDDEN_IN_SHEET_NAMES = frozenset("[]:*?/\\")


def _check_sheet_name(name: str) -> None:
    """Excel's rules for a sheet name: 1 to 31 characters, none of []:*?/\\, no control
    characters, not starting or ending with an apostrophe."""
    bad = sorted({c for c in name if c in _FORBIDDEN_IN_SHEET_NAMES or ord(c) < 32})
    if not name.strip() or len(name) > 31 or bad or name.startswith("'") or name.endswith("'"):
        shown = f" (it holds {', '.join(map(repr, bad))})" if bad else ""
        raise InputError(
            f"--sheet {name!r}: not a sheet name Excel accepts{shown}: 1 to 31 characters, "
            "none of [ ] : * ? / \\, not starting or ending with '"
        )


def _write_sheet(
    plan: Path, report: dict[str, Any], result: Any, inputs: dict[str, Any], name: str
) -> None:
    from xl_funnel.cli.risk_sheet import (
        SheetInTheWayError,
        WorkbookEditError,
        risk_sheet,
        write_risk_sheet,
    )

    sheet = risk_sheet(report, result.histogram(), inputs, dt.datetime.now(dt.UTC))
    try:
        write_risk_sheet(plan, sheet, name)
    except SheetInTheWayError as error:
        raise InputError(
            f"{plan}: the sheet {error.name!r} is in the way: xl-funnel did not write it, so it "
            "is not replaced; name another sheet with --sheet NAME (the file is unchanged)"
        ) from None
    except (WorkbookEditError, OSError) as error:
        raise InputError(
            f"{plan}: cannot add the Risk sheet ({error}); the file is unchanged"
        ) from None
    click.echo(f"wrote the {name} sheet to {plan}", err=True)

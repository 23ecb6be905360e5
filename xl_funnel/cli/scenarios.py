"""``xl-funnel scenarios``: recompute a plan for every row of a grid of inputs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from xl_funnel.atomic import (
    FileBusyError,
    OutputIsInputError,
    check_not_input,
    locked,
    terminate_as_exit,
)
from xl_funnel.cli.errors import InputError


def _refuse_input_as_output(output: Path, plan: Path, grid: Path | None) -> None:
    try:
        check_not_input(output, [plan, grid])
    except OutputIsInputError as error:
        raise InputError(f"-o {error}") from None


def _assignments(pairs: tuple[str, ...]) -> tuple[list[str], list[list[str]]]:
    columns, values = [], []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--set {pair!r}: write NAME=VALUE, e.g. --set GrowthUplift=0.08")
        columns.append(name.strip())
        values.append(value)
    return columns, [values]


@click.command(
    epilog="\b\nExamples:\n"
    "  xl-funnel scenarios plan.xlsx grid.csv -o results.xlsx --jobs 2\n"
    "  xl-funnel scenarios plan.xlsx --set GrowthUplift=10% --set AvgDealSize=5e5\n"
    "\n\b\ngrid.csv (or .xlsx): a header of defined names, then one scenario per line,\n"
    "optionally named in a first text column; a range name takes ';'-separated values:\n"
    "  Scenario,GrowthUplift,AvgDealSize,StageRates\n"
    '  Stretch,8%,900000,"0.015;0.2;0.2;0.4;0.5"\n'
    "\nEvery value must pass the plan's own data validation, as if typed into Excel. "
    "Results name their columns by stage and period (Visits Q1) and round each figure as "
    "the plan displays it (--exact keeps every digit). See docs/recalc.md and docs/data.md."
)
@click.argument("plan", type=click.Path(path_type=Path))
@click.argument("grid", type=click.Path(path_type=Path), required=False)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="RESULTS.csv or RESULTS.xlsx (styled) [default: CSV to stdout].",
)
@click.option("--outputs", help="Comma-separated defined names to collect [default: headline].")
@click.option("--set", "assignments", multiple=True, help="NAME=VALUE: one what-if, no grid.")
@click.option(
    "--jobs", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes."
)
@click.option("--sheet", help="GRID.xlsx: the worksheet holding the grid.")
@click.option(
    "--decimal",
    type=click.Choice([".", ","]),
    default=".",
    show_default=True,
    help="Decimal mark of the grid's numbers (0,08 needs --decimal ,).",
)
@click.option("--exact", is_flag=True, help="Keep every digit instead of the plan's precision.")
def scenarios(
    plan: Path,
    grid: Path | None,
    output: Path | None,
    outputs: str | None,
    assignments: tuple[str, ...],
    jobs: int,
    sheet: str | None,
    decimal: str,
    exact: bool,
) -> None:
    """Recompute PLAN for every row of GRID (columns are defined names) and collect outputs."""
    from xl_funnel.io import TableError
    from xl_funnel.io.grid import read_grid
    from xl_funnel.recalc.errors import WorkbookError
    from xl_funnel.recalc.scenario_output import csv_text, write_results
    from xl_funnel.recalc.scenario_report import check_inputs, report, scenario_names, shown
    from xl_funnel.recalc.scenarios import GridError, ScenarioRunner, parse_scenarios, run_scenarios

    if (grid is None) == (not assignments):
        raise InputError("give a GRID file or --set NAME=VALUE (one of them, not both)")
    if output is not None and not output.parent.is_dir():
        raise InputError(f"{output}: folder {output.parent} does not exist")
    if output is not None:
        _refuse_input_as_output(output, plan, grid)
    try:
        columns, rows = (
            read_grid(grid, sheet=sheet, decimal=decimal) if grid else _assignments(assignments)
        )
    except TableError as error:
        raise InputError(str(error)) from None
    origin = str(grid) if grid is not None else "--set"
    chosen = [name.strip() for name in outputs.split(",") if name.strip()] if outputs else None
    try:
        runner = ScenarioRunner(plan, chosen)
    except WorkbookError as error:
        raise InputError(f"{plan}: {error}") from None
    except GridError as error:
        raise InputError(f"--outputs: {error}") from None
    known = {name.lower() for name in runner.names}
    title, names, columns, rows = (
        scenario_names(columns, rows, lambda c: c.lower() in known)
        if grid is not None
        else ("Scenario", ["1"], columns, rows)
    )
    try:
        check_inputs(runner, columns, origin)
        parsed = parse_scenarios(runner, columns, rows, origin)
    except GridError as error:
        raise InputError(str(error)) from None

    # The bar is for people: hidden when stderr is a file or a pipe, so logs hold only results.
    with (
        click.progressbar(
            length=len(parsed),
            label="scenarios",
            file=sys.stderr,
            show_pos=True,
            hidden=not sys.stderr.isatty(),
        ) as bar,
        terminate_as_exit(),
    ):  # SIGTERM ends the workers too, as Ctrl-C does
        results = run_scenarios(runner, plan, parsed, jobs=jobs, progress=bar.update)
    inputs = [runner.name(c.strip()).name for c in columns]
    values = [[shown(scenario[name]) for name in inputs] for scenario in parsed]
    if output is None and assignments:
        header = inputs + runner.output_columns()
        click.echo(json.dumps(dict(zip(header, values[0] + results[0], strict=True)), indent=2))
        return
    header, table, formats = report(
        plan, runner, title, names, inputs, values, results, exact=exact
    )
    if output is None:
        click.echo(csv_text(header, table), nl=False)
        return
    try:
        with locked(output):
            _refuse_input_as_output(output, plan, grid)  # again: the folder may have changed
            write_results(output, header, table, formats)
    except FileBusyError as error:
        raise InputError(f"{output}: {error.strerror}") from None
    except (OSError, ValueError) as error:
        raise InputError(
            f"{output}: cannot be written: {getattr(error, 'strerror', None) or error}"
        ) from None
    click.echo(f"{len(table):,} scenarios → {output}", err=True)

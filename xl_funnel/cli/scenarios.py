"""``xl-funnel scenarios``: recompute a plan for every row of a grid of inputs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

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


def _read_grid(path: Path) -> tuple[list[str], list[list[str]]]:
    from xl_funnel.input_files import InputFileError, read_csv_rows
    from xl_funnel.recalc.limits import DEFAULT_LIMITS

    try:  # a regular file only (a FIFO is refused at once), rows and bytes capped
        lines = read_csv_rows(path, DEFAULT_LIMITS.max_table_bytes, DEFAULT_LIMITS.max_table_rows)
    except InputFileError as error:
        raise InputError(f"{path}: {error}") from None
    if not lines:
        raise InputError(f"{path}: is empty; its first line names the inputs")
    return lines[0], lines[1:]


def _assignments(pairs: tuple[str, ...]) -> tuple[list[str], list[list[str]]]:
    columns, values = [], []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--set {pair!r}: write NAME=VALUE, e.g. --set GrowthUplift=0.08")
        columns.append(name.strip())
        values.append(value)
    return columns, [values]


def _input_cell(values: list[Any]) -> Any:
    if len(values) == 1:
        return values[0]
    return ";".join("" if v is None else str(v) for v in values)


@click.command(
    epilog="\b\nExamples:\n"
    "  xl-funnel scenarios plan.xlsx grid.csv -o results.csv --jobs 2\n"
    "  xl-funnel scenarios plan.xlsx --set GrowthUplift=10% --set AvgDealSize=5e5\n"
    "\n\b\ngrid.csv: a header of defined names, then one scenario per line; a range name\n"
    "takes ';'-separated values, one per cell:\n"
    "  GrowthUplift,AvgDealSize,StageRates\n"
    "  0.08,900000,0.015;0.2;0.2;0.4;0.5\n"
    "\nEvery value must pass the plan's own data validation, as if typed into Excel."
)
@click.argument("plan", type=click.Path(path_type=Path))
@click.argument("grid", type=click.Path(path_type=Path), required=False)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="RESULTS.csv or RESULTS.xlsx [default: print to stdout].",
)
@click.option(
    "--outputs",
    "outputs",
    help="Comma-separated defined names to collect [default: the plan's headline outputs].",
)
@click.option("--set", "assignments", multiple=True, help="NAME=VALUE: one what-if, no grid.")
@click.option(
    "--jobs", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes."
)
def scenarios(
    plan: Path,
    grid: Path | None,
    output: Path | None,
    outputs: str | None,
    assignments: tuple[str, ...],
    jobs: int,
) -> None:
    """Recompute PLAN for every row of GRID (columns are defined names) and collect outputs.

    Each row sets the named input cells; the plan is recomputed and the chosen defined names
    are read. Results have the inputs first, then the outputs (a range name gives one column
    per cell: RequiredVolumes[1], …).
    """
    from xl_funnel.recalc.errors import WorkbookError
    from xl_funnel.recalc.scenario_output import csv_text, write_results
    from xl_funnel.recalc.scenarios import (
        GridError,
        ScenarioRunner,
        parse_scenarios,
        run_scenarios,
    )

    if (grid is None) == (not assignments):
        raise InputError("give a GRID file or --set NAME=VALUE (one of them, not both)")
    if output is not None and not output.parent.is_dir():
        raise InputError(f"{output}: folder {output.parent} does not exist")
    if output is not None:
        _refuse_input_as_output(output, plan, grid)
    columns, rows = _read_grid(grid) if grid is not None else _assignments(assignments)
    origin = str(grid) if grid is not None else "--set"
    chosen = [name.strip() for name in outputs.split(",") if name.strip()] if outputs else None
    try:
        runner = ScenarioRunner(plan, chosen)
    except WorkbookError as error:
        raise InputError(f"{plan}: {error}") from None
    except GridError as error:
        raise InputError(f"--outputs: {error}") from None
    try:
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
    names = [named.name for named in (runner.name(c.strip()) for c in columns)]
    table = [
        [_input_cell(scenario[name]) for name in names] + result
        for scenario, result in zip(parsed, results, strict=True)
    ]
    header = names + runner.output_columns()
    if output is None and assignments:
        click.echo(json.dumps(dict(zip(header, table[0], strict=True)), indent=2))
        return
    if output is None:
        click.echo(csv_text(header, table), nl=False)
        return
    try:
        with locked(output):
            _refuse_input_as_output(output, plan, grid)  # again: the folder may have changed
            write_results(output, header, table)
    except FileBusyError as error:
        raise InputError(f"{output}: {error.strerror}") from None
    except OSError as error:
        raise InputError(f"{output}: cannot be written: {error.strerror or error}") from None
    click.echo(f"{len(table):,} scenarios → {output}", err=True)

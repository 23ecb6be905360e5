"""``xl-funnel actuals``: a CRM export typed into the plan's monthly Tracking inputs, in place."""

from __future__ import annotations

from pathlib import Path

import click

from xl_funnel.cli.errors import InputError
from xl_funnel.cli.table_options import Reading, table_options


@click.command(
    epilog="\b\nExamples:\n"
    "  xl-funnel actuals plan.xlsx contacts.csv --preset hubspot\n"
    "  xl-funnel actuals plan.xlsx opportunities.xlsx --preset salesforce --monthfirst\n"
    '  xl-funnel actuals plan.xlsx export.csv --columns channel="Source",MQLs="MQL date"\n'
    "\nEach row counts in the fiscal month of each of its dates: the stages it entered, per "
    "channel; deals add pipeline (created) and revenue (won). PLAN is changed in place, "
    "atomically: only the Tracking input cells of the months the export covers, replaced by "
    "the export's counts (run --dry-run first to see which). See docs/data.md."
)
@click.argument("plan", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("export", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--preset",
    type=click.Choice(["generic", "hubspot", "salesforce"], case_sensitive=False),
    default="generic",
    show_default=True,
    help="The CRM whose standard export headers to expect.",
)
@click.option(
    "--channel",
    "channel_map",
    multiple=True,
    metavar="VALUE=CHANNEL",
    help='A source named otherwise in the CRM, e.g. --channel "Email Marketing=Email nurture".',
)
@click.option("--dry-run", is_flag=True, help="Report what would be written; write nothing.")
@table_options
def actuals(
    plan: Path,
    export: Path,
    preset: str,
    channel_map: tuple[str, ...],
    dry_run: bool,
    reading: Reading,
) -> None:
    """Read EXPORT (CSV or .xlsx from a CRM) and type its monthly actuals into PLAN."""
    from xl_funnel.io import TableError
    from xl_funnel.io.crm import closest_channel, read_actuals
    from xl_funnel.io.plan_cells import blocks_of, plan_shape, write_cells
    from xl_funnel.recalc.errors import WorkbookError
    from xl_funnel.recalc.package import read_package

    if plan.exists() and export.exists() and plan.resolve() == export.resolve():
        raise InputError(f"{export}: is the plan itself; give the CRM export")
    _refuse_swapped(plan, export)
    try:
        package = read_package(plan)
    except WorkbookError as error:
        raise InputError(f"{plan}: {error}") from None
    try:
        names = blocks_of(package, str(plan))
        shape = plan_shape(package, names, str(plan))
        found = read_actuals(
            export,
            shape,
            preset=preset.lower(),
            columns=reading.columns,
            sheet=reading.sheet,
            order=reading.order,
            decimal=reading.decimal,
            channel_map=channel_map,
        )
        cells = found.cells()
        if not found.months:
            raise TableError(_nothing_dated(found, shape, export))
        written = 0 if dry_run else write_cells(package, names, cells, plan.resolve(), str(plan))
    except TableError as error:
        raise InputError(str(error)) from None
    except OSError as error:
        raise InputError(f"{plan}: cannot be written: {error.strerror or error}") from None
    skipped = sum(found.skipped.values())
    ordered = sorted(found.skipped.items(), key=lambda item: (-item[1], item[0]))
    reasons = "; ".join(f"{count} {why}" for why, count in ordered)
    footer = f"; {_count(found.footer, 'footer line')} ignored" if found.footer else ""
    click.echo(
        f"{found.source}: {_count(found.used, 'row')} used, {skipped:,} skipped"
        + (f" ({reasons})" if reasons else "")
        + footer
    )
    for header, name in found.misspelled.items():
        click.echo(
            f"  column {header!r} not read: did you mean {name!r}? (if so: --columns "
            f'"{name}={header}")'
        )
    for name, count in found.unknown.most_common():
        near = closest_channel(name, shape.channels)
        hint = f"; did you mean {near!r}?" if near else ""
        click.echo(
            f"  unknown channel {name!r} ({_count(count, 'row')}, in stage totals only){hint}"
        )
    first, last = shape.label(found.months[0]), shape.label(found.months[-1])
    months = first if first == last else f"{first}–{last}"
    click.echo(f"  blocks {'to write' if dry_run else 'written'} for {months} (0 where none):")
    for block, values in cells.items():
        rows = sorted({r for r, _ in values})
        what = (
            ", ".join(shape.stages[r] for r in rows)
            if block == "ActualVolumes"
            else _count(len(rows), "channel")
        )
        click.echo(f"    {block}: {what}")
    planned = sum(map(len, cells.values()))
    click.echo(
        f"would write {planned:,} cells of {plan}"
        if dry_run
        else f"wrote {written:,} cells of {plan}"
    )


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _refuse_swapped(plan: Path, export: Path) -> None:
    """A CSV given first: the arguments are swapped (the plan comes first)."""
    text = plan.suffix.lower() in (".csv", ".tsv", ".txt")
    if not text and export.suffix.lower() in (".xlsx", ".xlsm") and plan.is_file():
        with plan.open("rb") as handle:
            text = not handle.read(4).startswith(b"PK")
    if text:
        kind = "a CSV file" if plan.suffix.lower() == ".csv" else "a text file"
        workbook = export if export.suffix.lower() in (".xlsx", ".xlsm") else "PLAN.xlsx"
        raise InputError(
            f"{plan} is {kind}: the plan workbook comes first: xl-funnel actuals {workbook} {plan}"
        )


def _nothing_dated(found, shape, export: Path) -> str:
    """Why nothing is written: no dated row, or every date outside the fiscal year."""
    year = f"{shape.label(0)}–{shape.label(11)}"
    if not found.outside:
        unread = "".join(
            f"\n{export}: column {header!r} not read: did you mean {name!r}? (if so: --columns "
            f'"{name}={header}")'
            for header, name in found.misspelled.items()
        )
        return f"{export}: no dated row to count; nothing written{unread}"
    first, last = (f"{when:%b %Y}" for when in found.outside)
    span = first if first == last else f"{first}–{last}"
    return (
        f"{export}: every dated row ({span}) is outside the plan's fiscal year ({year}); "
        "nothing written (an export of another year, or another plan?)"
    )

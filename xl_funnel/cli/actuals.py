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
    "channel; deals add pipeline (created) and revenue (won). Only the Tracking input cells "
    "of the months the export covers change. See docs/data.md."
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
        if not cells:
            raise TableError(f"{export}: no row dated within the plan's fiscal year")
        written = 0 if dry_run else write_cells(package, names, cells, plan.resolve(), str(plan))
    except TableError as error:
        raise InputError(str(error)) from None
    except OSError as error:
        raise InputError(f"{plan}: cannot be written: {error.strerror or error}") from None
    skipped = sum(found.skipped.values())
    ordered = sorted(found.skipped.items(), key=lambda item: (-item[1], item[0]))
    reasons = "; ".join(f"{count} {why}" for why, count in ordered)
    click.echo(
        f"{found.source}: {found.used:,} rows used, {skipped:,} skipped"
        + (f" ({reasons})" if reasons else "")
    )
    for name, count in found.unknown.most_common():
        near = closest_channel(name, shape.channels)
        hint = f"; did you mean {near!r}?" if near else ""
        rows = f"{count} row{'s' if count != 1 else ''}"
        click.echo(f"  unknown channel {name!r} ({rows}, in stage totals only){hint}")
    months = f"{shape.label(found.months[0])}–{shape.label(found.months[-1])}"
    for block, values in cells.items():
        click.echo(f"  {block}: {len({r for r, _ in values})} rows × {months}")
    planned = sum(map(len, cells.values()))
    click.echo(
        f"would write {planned:,} cells of {plan}"
        if dry_run
        else f"wrote {written:,} cells of {plan}"
    )

"""``xl-funnel update``: rebuild a plan for a new structure, keeping what was typed into it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from xl_funnel.cli.errors import InputError


@click.command(
    epilog="\b\nExample (a channel and a year of history added to plan.toml):\n"
    "  xl-funnel update plan.xlsx --config plan.toml\n"
    "\nActuals move by stage or channel name and calendar month; Assumptions inputs typed in "
    "the workbook by name (the workbook's value wins where both hold one, and each such "
    "conflict is listed). What cannot move (a removed channel's actuals) is listed. See "
    "docs/data.md."
)
@click.argument("plan", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The new structure (TOML, as xl-funnel new --print-config writes).",
)
@click.option(
    "--no-backup",
    is_flag=True,
    help="Do not keep the old file as PLAN.bak.xlsx (PLAN.bak-2.xlsx, … when one is there).",
)
def update(plan: Path, config_path: Path, no_backup: bool) -> None:
    """Rebuild PLAN for the structure in CONFIG, carrying its inputs and actuals over by name."""
    from xl_funnel.atomic import atomic_write_bytes
    from xl_funnel.io import TableError
    from xl_funnel.io.plan_cells import blocks_of, write_cells
    from xl_funnel.io.plan_update import carry_config, read_typed, typed_actuals
    from xl_funnel.plan import ConfigError, load_config, workbook_bytes
    from xl_funnel.recalc.errors import WorkbookError
    from xl_funnel.recalc.package import read_package

    try:
        package = read_package(plan)
        names = blocks_of(package, str(plan), tracking=False)
        config = load_config(config_path)
        carried = read_typed(package, names)
        new_config = carry_config(config, carried)
    except WorkbookError as error:
        raise InputError(f"{plan}: {error}") from None
    except (TableError, ConfigError) as error:
        raise InputError(str(error)) from None
    start = Path(plan).with_name(f".{plan.name}.update.xlsx")
    backup = _free_backup(plan)
    try:
        start.write_bytes(workbook_bytes(new_config))
        fresh = read_package(start)
        cells = typed_actuals(
            carried,
            list(new_config.stage_names),
            [c.name for c in new_config.channels],
            dt.date(new_config.fiscal_year, new_config.first_month, 1),
        )
        if not no_backup:
            atomic_write_bytes(backup, package.raw)
        write_cells(fresh, blocks_of(fresh, str(plan)), cells, plan.resolve(), str(plan))
    except (OSError, WorkbookError, TableError) as error:
        raise InputError(f"{plan}: cannot be updated: {error}; the file is unchanged") from None
    finally:
        start.unlink(missing_ok=True)
    kept = ", ".join(f"{key} {count}" for key, count in sorted(carried.applied.items()))
    click.echo(f"updated {plan} for {config_path}: carried {kept or 'nothing'}")
    if not no_backup:
        click.echo(f"  the old file is kept as {backup}")
    click.echo(f"  its formulas are not computed yet: xl-funnel recalc {plan} --in-place")
    if carried.overrode:
        click.echo(
            "  kept from the workbook, where the config says otherwise (change them in the "
            "workbook, or rebuild with xl-funnel new):"
        )
        for what in carried.overrode:
            click.echo(f"    {what}")
    for what, count in sorted(carried.lost.items()):
        cells = f"{count} cell{'s' if count != 1 else ''} of " if what.startswith("Actual") else ""
        click.echo(f"  not carried: {cells}{what}")


def _free_backup(plan: Path) -> Path:
    """``PLAN.bak.xlsx``, or ``PLAN.bak-2.xlsx``, ``-3`` … when earlier updates kept one:
    a second update never replaces the backup of the first (the only copy of what it did not
    carry)."""
    backup = plan.with_name(f"{plan.stem}.bak{plan.suffix}")
    number = 2
    while backup.exists() or backup.is_symlink():
        backup = plan.with_name(f"{plan.stem}.bak-{number}{plan.suffix}")
        number += 1
    return backup

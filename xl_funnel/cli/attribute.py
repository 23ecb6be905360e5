"""``xl-funnel attribute``: revenue credited to each channel from a table of touches."""

from __future__ import annotations

import json
import math
from pathlib import Path

import click

from xl_funnel.attribution import MODELS
from xl_funnel.cli.errors import InputError
from xl_funnel.cli.table_options import Reading, table_options


def _read(path: Path, reading: Reading):  # -> pandas.DataFrame
    from xl_funnel.io import TableError
    from xl_funnel.io.touches import read_touches

    try:
        return read_touches(
            path,
            sheet=reading.sheet,
            columns=reading.columns,
            order=reading.order,
            decimal=reading.decimal,
        )
    except TableError as error:
        raise InputError(str(error)) from None


@click.command(
    epilog="\b\nExamples:\n"
    "  xl-funnel attribute touches.csv --model w_shaped                 # credit per channel\n"
    "  xl-funnel attribute touches.csv --model time_decay --half-life 14 --json\n"
    "\n"
    "The table has one row per touch with the columns journey, time (or order), channel, "
    "and optionally stage (first touch / lead created / opportunity created) and revenue "
    "(any case). See docs/attribution.md."
)
@click.argument("touches", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--model",
    type=click.Choice(MODELS, case_sensitive=False),
    default="w_shaped",
    show_default=True,
    help="Attribution model.",
)
@click.option(
    "--half-life",
    type=float,
    default=7.0,
    show_default=True,
    help="time_decay: days after which a touch's weight halves.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@table_options
def attribute(touches: Path, model: str, half_life: float, as_json: bool, reading: Reading) -> None:
    """Revenue each channel earned from the touches in TOUCHES (.csv or .xlsx)."""
    from xl_funnel.attribution import attribute as credit
    from xl_funnel.errors import FunnelError

    frame = _read(touches, reading)
    try:
        table = credit(frame, model, half_life_days=half_life)
    except FunnelError as error:
        raise InputError(f"{touches}: {error}") from None
    rows = [
        {"channel": str(channel), "revenue": float(revenue), "share": _finite(share)}
        for channel, revenue, share in zip(
            table.index, table["revenue"], table["share"], strict=True
        )
    ]
    if as_json:
        click.echo(json.dumps({"model": model.lower(), "channels": rows}, ensure_ascii=False))
        return
    width = max([len("Channel"), *(len(row["channel"]) for row in rows)])
    click.echo(f"{'Channel':<{width}}  {'Credited revenue':>18}  {'Share':>7}")
    for row in rows:
        share = "" if row["share"] is None else f"{row['share']:.1%}"
        click.echo(f"{row['channel']:<{width}}  {row['revenue']:>18,.2f}  {share:>7}")
    total = sum(row["revenue"] for row in rows)
    click.echo(f"{'Total':<{width}}  {total:>18,.2f}")


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else float(value)

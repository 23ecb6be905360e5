"""``xl-funnel attribute``: revenue credited to each channel from a table of touches."""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

import click

from xl_funnel.attribution import ENGINES, MODELS, default_engine
from xl_funnel.cli.errors import InputError
from xl_funnel.cli.table_options import Reading, table_options
from xl_funnel.input_files import kind_problem


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
    "  xl-funnel attribute touches.parquet --model markov -o credit.xlsx\n"
    "  xl-funnel attribute s3a://lake/touches/ --engine spark --spark-master yarn\n"
    "\n"
    "The table has one row per touch with the columns journey, time (or order), channel, "
    "and optionally stage (first touch / lead created / opportunity created) and revenue "
    "(any case). The engines read .parquet where it is; .csv and .xlsx go through the table "
    "reader (docs/data.md). See docs/attribution.md."
)
@click.argument("location", metavar="TOUCHES")
@click.option(
    "--model",
    type=click.Choice(MODELS, case_sensitive=False),
    default="w_shaped",
    show_default=True,
    help="Attribution model.",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES, case_sensitive=False),
    help="Where to compute: embedded DuckDB (the default when installed), Spark, or in memory.",
)
@click.option(
    "--conversions",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A table of won deals (journey, revenue): revenue comes from it, not the touches.",
)
@click.option("--spark-master", metavar="URL", help="--engine spark: the cluster (default local).")
@click.option(
    "--half-life",
    type=float,
    default=7.0,
    show_default=True,
    help="time_decay: days after which a touch's weight halves.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the table to a .csv, .parquet or formatted .xlsx file.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Steps on stderr (default: when stderr is a terminal).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@table_options
def attribute(
    location: str,
    model: str,
    engine: str | None,
    conversions: Path | None,
    spark_master: str | None,
    half_life: float,
    output: Path | None,
    progress: bool | None,
    as_json: bool,
    reading: Reading,
) -> None:
    """Revenue each channel earned from the touches in TOUCHES (.parquet, .csv or .xlsx)."""
    from xl_funnel.attribution import attribute as credit
    from xl_funnel.attribution.report import output_problem, render, write_table
    from xl_funnel.errors import FunnelError

    engine = (engine or default_engine()).lower()
    if spark_master and engine != "spark":
        raise InputError("--spark-master: only with --engine spark")
    # A URL (s3a://, hdfs://) is for Spark to read; a path stays as typed (no "//" folding).
    is_remote = "://" in location
    touches = Path(location)
    parquet = is_remote or touches.is_dir() or touches.suffix.lower() == ".parquet"
    if not is_remote:
        _check_local(touches, parquet)
    if output is not None:
        problem = output_problem(output, None if is_remote else touches, conversions)
        if problem:
            raise InputError(f"--output {output}: {problem}")
    # Parquet goes to the engine as it is (the large-data path); CSV and workbooks through the
    # one table reader (delimiters, encodings, --columns, day/month order, decimal commas).
    source: object = location if parquet else _read(touches, reading)
    started = time.perf_counter()
    show = sys.stderr.isatty() if progress is None else progress

    def step(message: str) -> None:
        if show:
            click.echo(f"[{time.perf_counter() - started:6.1f} s] {message}", err=True)

    deals = None if conversions is None else _read_table(conversions, "--conversions", reading)
    try:
        table = credit(source, model, half_life, engine=engine, conversions=deals,
                       spark_master=spark_master, progress=step)  # fmt: skip
    except FunnelError as error:
        raise InputError(f"{location}: {error}") from None
    except Exception as error:  # the engine could not read the file (DuckDB or Spark errors)
        if type(error).__module__.split(".")[0] not in {"duckdb", "pyspark", "py4j"}:
            raise
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise InputError(f"{location}: cannot read it as a table of touches ({reason})") from None
    step(f"done: {len(table)} channels")
    if output is not None:
        write_table(table, output, model.lower())
    click.echo(render(table, model.lower(), as_json=as_json))


def _check_local(touches: Path, parquet: bool) -> None:
    """A local TOUCHES: a regular file, or a folder of Parquet files; never a FIFO or device
    (an engine would block reading one)."""
    try:
        mode = os.stat(touches).st_mode
    except FileNotFoundError:
        raise InputError(f"{touches}: does not exist") from None
    except OSError as error:
        raise InputError(f"{touches}: cannot be read: {error.strerror or error}") from None
    problem = None if parquet and stat.S_ISDIR(mode) else kind_problem(mode)
    if problem:
        raise InputError(f"{touches}: {problem}")
    if parquet and stat.S_ISREG(mode) and os.stat(touches).st_size == 0:
        raise InputError(f"{touches}: cannot read it as a table of touches (the file is empty)")


def _read_table(path: Path, option: str, reading: Reading):  # -> pandas.DataFrame
    from xl_funnel.attribution.conversions import conversion_revenue
    from xl_funnel.attribution.engines import read_frame
    from xl_funnel.errors import FunnelError
    from xl_funnel.io import TableError
    from xl_funnel.io.touches import read_conversions

    try:
        if path.suffix.lower() == ".parquet":
            frame = read_frame(path)
        else:
            frame = read_conversions(path, decimal=reading.decimal)
    except TableError as error:
        raise InputError(f"{option} {error}") from None
    try:
        conversion_revenue(frame)  # checked here, so an error names this file
    except FunnelError as error:
        raise InputError(f"{option} {path}: {error}") from None
    return frame

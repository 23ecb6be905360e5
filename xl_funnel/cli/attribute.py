"""``xl-funnel attribute``: revenue credited to each channel from a table of touches."""

from __future__ import annotations

import sys
import time
import zipfile
from pathlib import Path

import click

from xl_funnel.attribution import ENGINES, MODELS, default_engine
from xl_funnel.cli.errors import InputError


def _read(path: Path):  # -> pandas.DataFrame
    import pandas as pd

    try:
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            return pd.read_excel(path, engine="openpyxl")
        return pd.read_csv(path, skipinitialspace=True)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError, KeyError, zipfile.BadZipFile) as error:
        # pandas' ParserError and EmptyDataError are ValueErrors; a .xlsx that is not one is
        # a BadZipFile, one missing its parts a KeyError.
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(f"{path}: cannot read it as a table of touches ({reason})") from None


@click.command(
    epilog="\b\nExamples:\n"
    "  xl-funnel attribute touches.csv --model w_shaped                 # credit per channel\n"
    "  xl-funnel attribute touches.parquet --model markov -o credit.xlsx\n"
    "  xl-funnel attribute s3a://lake/touches/ --engine spark --spark-master yarn\n"
    "\n"
    "The table has one row per touch with the columns journey, time (or order), channel, "
    "and optionally stage (first touch / lead created / opportunity created) and revenue "
    "(any case). DuckDB reads .parquet and .csv where they are. See docs/attribution.md."
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
    if not is_remote and not touches.exists():
        raise InputError(f"{touches}: no such file")
    if not is_remote and touches.is_file() and touches.stat().st_size == 0:
        raise InputError(f"{touches}: cannot read it as a table of touches (the file is empty)")
    if output is not None:
        problem = output_problem(output, None if is_remote else touches, conversions)
        if problem:
            raise InputError(f"--output {output}: {problem}")
    source: object = location if is_remote else touches
    if not is_remote and (engine == "pandas" or touches.suffix.lower() in {".xlsx", ".xlsm"}):
        source = _read(touches) if touches.suffix.lower() != ".parquet" else touches
    started = time.perf_counter()
    show = sys.stderr.isatty() if progress is None else progress

    def step(message: str) -> None:
        if show:
            click.echo(f"[{time.perf_counter() - started:6.1f} s] {message}", err=True)

    deals = None if conversions is None else _read_table(conversions, "--conversions")
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


def _read_table(path: Path, option: str):  # -> pandas.DataFrame
    from xl_funnel.attribution.conversions import conversion_revenue
    from xl_funnel.attribution.engines import read_frame
    from xl_funnel.errors import FunnelError

    frame = read_frame(path) if path.suffix.lower() == ".parquet" else _read(path)
    try:
        conversion_revenue(frame)  # checked here, so an error names this file
    except FunnelError as error:
        raise InputError(f"{option} {path}: {error}") from None
    return frame

"""Run the SQL models (:mod:`.sql`) where the data lives: DuckDB, or Apache Spark.

A runner registers the touches (a Parquet or CSV file read in place, or a DataFrame) as a view
with each row's position (``xlf_row``), then runs three queries: the row checks, the journey
check with the total revenue, and the model. Every query returns a small table.
"""

from __future__ import annotations

import os
import tempfile
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from xl_funnel._checks import as_array, check_positive, fmt
from xl_funnel.attribution import markov, sql
from xl_funnel.attribution.memory import COLUMN_ALIASES, _shown
from xl_funnel.attribution.models import ROLES, STAGE_MARKERS
from xl_funnel.errors import InvalidAmountError, InvalidChoiceError, ShapeMismatchError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["channel_credit", "read_frame", "spark_session"]

_SPARK: dict[str, Any] = {}
#: Resource caps: distinct channel names and stage-marker spellings a table may hold.
MAX_CHANNELS = 100_000
MAX_STAGE_VALUES = 1_000


def read_frame(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A touch file read into pandas (for the in-memory engine): Parquet, CSV or .xlsx."""
    import pandas as pd

    suffix = Path(path).suffix.lower()
    if suffix == ".parquet":
        try:
            import duckdb  # reads Parquet without pyarrow
        except ImportError:
            return pd.read_parquet(path)
        with duckdb.connect() as con:
            return con.execute(f"SELECT * FROM read_parquet({_quoted_path(path)})").df()
    if suffix in {".xlsx", ".xlsm"}:
        return pd.read_excel(path, engine="openpyxl")
    return pd.read_csv(path, skipinitialspace=True)


def channel_credit(
    touches: pd.DataFrame | str | os.PathLike[str],
    name: str,
    half_life_days: float,
    engine: str,
    *,
    conversions: pd.Series | None = None,
    spark_master: str | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Channel names, their credit and the total revenue, computed by ``engine``."""
    if name == "time_decay":
        check_positive(as_array(half_life_days, "half_life_days"), "half_life_days", "a half-life")
    if not hasattr(touches, "columns") and Path(touches).suffix.lower() in {".xlsx", ".xlsm"}:
        touches = read_frame(touches)
    progress(f"{name}: starting {engine}")
    runner = _DuckDB(touches) if engine == "duckdb" else _Spark(touches, spark_master)
    try:
        source = _source(runner, name, conversions)
        progress(f"{name}: checking the touches and crediting the channels on {engine}")
        rows = runner.rows(sql.channel_query(source, runner.dialect, name, half_life_days))
        total = _checked(runner, source, rows[0][: len(sql.CHECKS)])
    finally:
        runner.close()
    found = [row[len(sql.CHECKS) : -1] for row in rows if row[-1] is not None]
    if name == "markov":
        return (*_markov_credit(found, total), total)
    labels = np.array([row[0] for row in found], dtype=str)
    return labels, np.array([float(row[1]) for row in found]), total


def _markov_credit(rows: list[tuple], total: float) -> tuple[np.ndarray, np.ndarray]:
    labels = np.array(sorted({row[i] for row in rows for i in (0, 1)} - {None}), dtype=str)
    code = {label: i for i, label in enumerate(labels)}
    n = len(labels)
    counts = np.zeros((n + 1, n + 2), dtype=np.int64)
    for src, dst, converted, count in rows:
        target = code[dst] if dst is not None else (n if converted else n + 1)
        counts[0 if src is None else 1 + code[src], target] += int(count)
    return labels, markov.credit(counts, total)


def _source(runner: _Runner, name: str, conversions: pd.Series | None) -> sql.Source:
    kinds = runner.kinds()
    by_name = {column.strip().lower(): column for column in kinds if column != sql.ROW}

    def find(role: str, required: bool = True) -> str | None:
        for alias in COLUMN_ALIASES[role]:
            if alias in by_name:
                return by_name[alias]
        if required:
            raise ShapeMismatchError(
                f"touches has no {role!r} column: attribution needs journey, time (or order) "
                "and channel columns, and optionally stage and revenue"
            )
        return None

    channel, journey = find("channel"), find("journey")
    time = find("time", required=False)
    if time is None:
        if name == "time_decay":
            raise ShapeMismatchError(
                "time_decay needs a 'time' column (dates or days) to age the touches; "
                "an 'order' column is not enough"
            )
        time = find("order", required=False)
        if time is None:
            raise ShapeMismatchError(
                "touches has no 'time' or 'order' column: attribution needs to know the "
                "order of the touches in each journey"
            )
    revenue = find("revenue", required=False)
    if conversions is not None:
        revenue = _join_conversions(runner, journey, conversions)
        kinds[revenue] = "number"
    stage = find("stage", required=False)
    return sql.Source(
        view=runner.view,
        journey=journey,
        journey_text=kinds[journey] == "text",
        channel=channel,
        channel_names=_channel_names(runner, channel, kinds[channel] == "text"),
        time=time,
        time_kind=kinds[time],
        stage=stage,
        stage_roles=_stage_roles(runner, stage) if stage is not None else {},
        revenue=revenue,
        revenue_numeric=revenue is None or kinds[revenue] == "number",
    )


def _join_conversions(runner: _Runner, journey: str, conversions: pd.Series) -> str:
    """Point the runner at the touches joined with their journey's conversion revenue."""
    import pandas as pd

    deals = pd.DataFrame(
        {"xlf_cj": conversions.index.astype(str), "xlf_crev": conversions.to_numpy(dtype=float)}
    )
    name = f"{runner.view}_conversions"
    runner.register(name, deals)
    joined = f"{runner.view}_joined"
    key = f"TRIM({sql.text(runner.dialect, journey)})"
    runner.create_view(
        joined,
        f"SELECT t.*, COALESCE(c.xlf_crev, 0.0) AS xlf_revenue FROM {runner.view} AS t "
        f"LEFT JOIN {name} AS c ON {key} = c.xlf_cj",
    )
    runner.view = joined
    return "xlf_revenue"


def _distinct(runner: _Runner, column: str, cap: int) -> list[str | None]:
    text = sql.text(runner.dialect, column)
    return [row[0] for row in runner.rows(f"SELECT DISTINCT {text} FROM {runner.view} LIMIT {cap}")]


def _first_row_with(runner: _Runner, column: str, values: list[str | None]) -> tuple[int, object]:
    """Position (1-based) and raw value of the first row whose ``column`` is one of ``values``."""
    text = sql.text(runner.dialect, column)
    tests = [f"{text} IN ({', '.join(runner.dialect.literal(v) for v in values if v is not None)})"]
    tests = tests if any(v is not None for v in values) else []
    if None in values:
        tests.append(f"{runner.dialect.quote(column)} IS NULL")
    row = runner.rows(f"SELECT MIN({sql.ROW}) FROM {runner.view} WHERE {' OR '.join(tests)}")[0][0]
    value = runner.rows(
        f"SELECT {runner.dialect.quote(column)} FROM {runner.view} WHERE {sql.ROW} = {int(row)}"
    )[0][0]
    return runner.position(row), value


def _channel_names(runner: _Runner, column: str, is_text: bool) -> dict[str, str] | None:
    """Raw channel → trimmed name where they differ (None: the raw column is fine as it is)."""
    values = _distinct(runner, column, MAX_CHANNELS + 1)
    if len(values) > MAX_CHANNELS:
        raise InvalidAmountError(
            f"touches channel has more than {MAX_CHANNELS:,} different values: is it the "
            "channel column?"
        )
    blank = [v for v in values if v is None or not v.strip()]
    if blank:
        row, _ = _first_row_with(runner, column, blank)
        raise InvalidAmountError(
            f"touches channel (row {row}) is blank: every touch needs a channel"
        )
    renamed = {v: v.strip() for v in values if v is not None and v != v.strip()}
    return renamed if renamed or not is_text else None


def _stage_roles(runner: _Runner, column: str) -> dict[str, int]:
    """Raw stage marker → role code, read as the in-memory engine reads the markers."""
    roles, unknown = {}, []
    for value in _distinct(runner, column, MAX_STAGE_VALUES):
        if value is None:
            continue
        marker = value.strip().lower().replace("_", " ").replace("-", " ")
        if marker in STAGE_MARKERS:
            roles[value] = ROLES[STAGE_MARKERS[marker]]
        elif marker:
            unknown.append(value)
    if unknown:
        row, value = _first_row_with(runner, column, unknown)
        raise InvalidChoiceError(
            f"touches stage (row {row}) is {_shown(value)}: a stage marker is "
            "'first touch', 'lead created', 'opportunity created' or blank"
        )
    return roles


def _checked(runner: _Runner, source: sql.Source, checks: tuple) -> float:
    """Raise on the first problem, as the in-memory engine does; else the total revenue."""
    *bad, _, total, differs = checks
    column = {"journey": source.journey, "channel": source.channel, "time": source.time}
    column["revenue"] = source.revenue or ""
    for problem, row in zip(column, bad, strict=True):
        if row is not None:
            value = runner.rows(
                f"SELECT {runner.dialect.quote(column[problem])} FROM {runner.view} "
                f"WHERE {sql.ROW} = {int(row)}"
            )[0][0]
            raise _problem(problem, runner.position(row), value, source)
    if differs is not None:
        _disagreeing(runner, source, differs)
    return float(total or 0.0)


def _problem(problem: str, row: int, value: object, source: sql.Source) -> ValueError:
    if problem in ("journey", "channel"):
        return InvalidAmountError(
            f"touches {problem} (row {row}) is blank: every touch needs a {problem}"
        )
    if problem == "revenue":
        return InvalidAmountError(
            f"touches revenue (row {row}) is {_shown(value)}: revenue must be a number ≥ 0"
        )
    label = "time" if source.time.strip().lower() in COLUMN_ALIASES["time"] else "order"
    if value is None or value != value:
        return InvalidAmountError(
            f"touches {label} (row {row}) is {_shown(value)}: every touch needs a {label}"
        )
    return InvalidAmountError(
        f"touches {label} (row {row}) is {_shown(value)}: {label} must hold dates or numbers"
    )


def _disagreeing(runner: _Runner, source: sql.Source, journey: str) -> None:
    prepared = sql.prepared(source, runner.dialect)
    low, high = runner.rows(
        f"SELECT MIN(rev), MAX(rev) FROM ({prepared}) AS t "
        f"WHERE CAST(j AS STRING) = {runner.dialect.literal(journey)}"
    )[0]
    raise InvalidAmountError(
        f"touches revenue of journey {journey!r} differs between its touches "
        f"({fmt(low)} and {fmt(high)}): give one revenue per journey"
    )


class _Runner:
    dialect: sql.Dialect
    view: str

    def kinds(self) -> dict[str, str]:
        raise NotImplementedError

    def rows(self, query: str) -> list[tuple]:
        raise NotImplementedError

    def position(self, row: int) -> int:
        return int(row)

    def register(self, name: str, frame: pd.DataFrame) -> None:
        raise NotImplementedError

    def create_view(self, name: str, query: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the run holds."""


def _is_csv(path: str | os.PathLike[str]) -> bool:
    return Path(path).suffix.lower() in {".csv", ".txt", ".tsv"}


def _quoted_path(path: str | os.PathLike[str]) -> str:
    return "'" + os.fspath(path).replace("'", "''") + "'"


class _DuckDB(_Runner):
    """DuckDB in process: every core, and spilling to a temporary folder past memory."""

    dialect = sql.DUCKDB

    def __init__(self, touches: pd.DataFrame | str | os.PathLike[str]) -> None:
        import duckdb

        self.spill = tempfile.TemporaryDirectory(prefix="xl-funnel-duckdb-")
        self.con = duckdb.connect(config={"temp_directory": self.spill.name})
        self.con.execute("SET enable_progress_bar = false")  # we report our own steps
        self.view = "xlf_touches"
        if hasattr(touches, "columns"):
            frame = touches.assign(**{sql.ROW: np.arange(1, len(touches) + 1)})
            self.con.register("xlf_frame", frame)
            self.con.execute(f"CREATE VIEW {self.view} AS SELECT * FROM xlf_frame")
        elif not _is_csv(touches):
            # A folder of Parquet files (a data-lake table) is read as one table.
            files = Path(touches) / "**" / "*.parquet" if Path(touches).is_dir() else touches
            self.con.execute(
                f"CREATE VIEW {self.view} AS SELECT * EXCLUDE (file_row_number), "
                f"file_row_number + 1 AS {sql.ROW} "
                f"FROM read_parquet({_quoted_path(files)}, file_row_number = true)"
            )
        else:
            # CSV has no row numbers: load it once, keeping the file's order.
            self.con.execute(
                f"CREATE TABLE xlf_csv AS SELECT * FROM read_csv({_quoted_path(touches)})"
            )
            self.con.execute(
                f"CREATE VIEW {self.view} AS SELECT *, rowid + 1 AS {sql.ROW} FROM xlf_csv"
            )

    def kinds(self) -> dict[str, str]:
        described = self.con.execute(f"DESCRIBE SELECT * FROM {self.view}").fetchall()
        return {str(row[0]): _duckdb_kind(str(row[1])) for row in described}

    def rows(self, query: str) -> list[tuple]:
        return self.con.execute(query).fetchall()

    def register(self, name: str, frame: pd.DataFrame) -> None:
        self.con.register(name, frame)

    def create_view(self, name: str, query: str) -> None:
        self.con.execute(f"CREATE VIEW {name} AS {query}")

    def close(self) -> None:
        self.con.close()
        self.spill.cleanup()


def _duckdb_kind(type_name: str) -> str:
    upper = type_name.upper()
    if upper.startswith(("DATE", "TIMESTAMP")):
        return "timestamp"
    numeric = ("INT", "FLOAT", "DOUBLE", "DECIMAL", "REAL", "HUGEINT", "UHUGEINT", "BIGINT")
    if any(word in upper for word in numeric) and not upper.startswith("INTERVAL"):
        return "number"
    return "text"


def spark_session(master: str | None = None):  # -> pyspark.sql.SparkSession
    """The Spark session for ``master`` (local mode on every core by default), made once."""
    from pyspark.sql import SparkSession

    master = master or "local[*]"
    if master not in _SPARK:
        builder = (
            SparkSession.builder.master(master)
            .appName("xl-funnel attribution")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.ui.enabled", "false")
            # Not a spark-warehouse folder in the user's current directory.
            .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="xl-funnel-spark-"))
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        )
        if master.startswith("local"):
            builder = builder.config("spark.sql.shuffle.partitions", str(4 * (os.cpu_count() or 1)))
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "PySpark does not yet", FutureWarning)
            session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        _SPARK[master] = session
    return _SPARK[master]


class _Spark(_Runner):
    """Spark SQL on a session (a cluster via ``spark_master``, else local mode)."""

    dialect = sql.SPARK

    def __init__(self, touches: pd.DataFrame | str | os.PathLike[str], master: str | None) -> None:
        from pyspark.sql import functions

        self.spark = spark_session(master)
        self.view = f"xlf_touches_{uuid.uuid4().hex}"
        if hasattr(touches, "columns"):
            frame = touches.assign(**{sql.ROW: np.arange(1, len(touches) + 1)})
            with warnings.catch_warnings():
                # PySpark warns about pandas 3 on every conversion; the tests check results.
                warnings.filterwarnings("ignore", "PySpark does not yet", FutureWarning)
                data = self.spark.createDataFrame(_spark_ready(frame), _empty_schema(frame))
            self.numbered = True
        else:
            path = os.fspath(touches)
            if _is_csv(path):
                data = self.spark.read.csv(path, header=True, inferSchema=True)
            else:
                data = self.spark.read.parquet(path)
            # Increasing in file order; turned into a 1-based row number only for a message.
            data = data.withColumn(sql.ROW, functions.monotonically_increasing_id())
            self.numbered = False
        self.data = data
        data.createOrReplaceTempView(self.view)
        self.views = [self.view]

    def kinds(self) -> dict[str, str]:
        from pyspark.sql import types

        kinds = {}
        for field in self.data.schema.fields:
            if isinstance(field.dataType, types.NumericType):
                kinds[field.name] = "number"
            elif (
                isinstance(field.dataType, types.DateType | types.TimestampType)
                or type(field.dataType).__name__ == "TimestampNTZType"
            ):
                kinds[field.name] = "timestamp"
            else:
                kinds[field.name] = "text"
        return kinds

    def rows(self, query: str) -> list[tuple]:
        return [tuple(row) for row in self.spark.sql(query).collect()]

    def register(self, name: str, frame: pd.DataFrame) -> None:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "PySpark does not yet", FutureWarning)
            data = self.spark.createDataFrame(_spark_ready(frame), _empty_schema(frame))
        data.createOrReplaceTempView(name)
        self.views.append(name)

    def create_view(self, name: str, query: str) -> None:
        self.spark.sql(f"CREATE OR REPLACE TEMP VIEW {name} AS {query}")
        self.views.append(name)

    def position(self, row: int) -> int:
        if self.numbered:
            return int(row)
        return int(self.rows(f"SELECT COUNT(*) FROM {self.view} WHERE {sql.ROW} <= {row}")[0][0])

    def close(self) -> None:
        for view in self.views:
            self.spark.catalog.dropTempView(view)


def _empty_schema(frame: pd.DataFrame):  # -> pyspark StructType | None
    """No rows to infer types from: text columns (the row number a whole number)."""
    if len(frame):
        return None
    from pyspark.sql import types

    return types.StructType(
        [
            types.StructField(
                str(name), types.LongType() if name == sql.ROW else types.StringType()
            )
            for name in frame.columns
        ]
    )


def _spark_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns Spark can type: mixed text/number columns become text (blanks stay missing)."""
    import pandas as pd

    columns = {}
    for name in frame.columns:
        column = frame[name]
        if not (
            pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column)
        ):
            column = column.astype(object).where(column.notna(), None)
            column = column.map(lambda v: v if v is None or isinstance(v, str) else str(v))
        columns[str(name)] = column
    return pd.DataFrame(columns)

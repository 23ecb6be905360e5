"""Attribution where the data lives: DuckDB, Spark local mode and in memory, from Parquet.

Every figure is measured in a fresh Python process that reads the Parquet file, computes the
channel table and reports its wall time and its peak resident memory, so the memory of one case
never leaks into another's. ``python -m benchmarks attribution``.

Peak memory is the kernel's high-water mark of the process's own address space (``VmHWM`` in
``/proc/self/status``). ``getrusage().ru_maxrss`` is not used on Linux: it carries the parent's
peak across ``fork`` + ``exec``, so every child of a process that had just generated 10M
touches "peaked" at the parent's 1.2 GB, whatever it did.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.timing import fmt_seconds

TITLE = "Attribution on DuckDB, Spark and in memory (1M and 10M touches from Parquet)"
SIZES = (1_000_000, 10_000_000)
#: Runs per case: the median is reported (one run at 10M, where a run takes seconds).
REPEATS = {1_000_000: 3, 10_000_000: 1}
ALL_MODELS_AT = 1_000_000


def touches(count: int, seed: int = 0):  # -> pandas.DataFrame
    """``count`` touches, about five a journey over 90 days, 12 channels; 30 % convert."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    journeys = count // 5
    journey = np.sort(rng.integers(0, journeys, count))
    names = np.array([f"Channel {i:02d}" for i in range(12)], dtype=object)
    markers = np.array(["", "", "", "", "lead created", "opportunity created"], dtype=object)
    worth = np.where(rng.random(journeys) < 0.3, rng.integers(1, 100, journeys) * 1000.0, 0.0)
    return pd.DataFrame(
        {
            "journey": journey,
            "time": pd.Timestamp("2026-01-01")
            + pd.to_timedelta(rng.integers(0, 90 * 86_400, count), unit="s"),
            "channel": names[rng.integers(0, len(names), count)],
            "stage": markers[rng.integers(0, len(markers), count)],
            "revenue": worth[journey],
        }
    )


def pandas_baseline(path: str) -> object:
    """What an analyst writes for linear attribution: read, two groupbys, one division."""
    import pandas as pd

    frame = pd.read_parquet(path, columns=["journey", "channel", "revenue"])
    by_journey = frame.groupby("journey")
    credit = by_journey["revenue"].transform("max") / by_journey["channel"].transform("size")
    return credit.groupby(frame["channel"]).sum()


def _measure(case: str, path: str, model: str, repeats: int) -> dict:
    """Run in the child process: time ``repeats`` runs, report the median and the peak RSS."""
    if case == "baseline":

        def call() -> object:
            return pandas_baseline(path)

    else:
        from xl_funnel.attribution import attribute

        if case == "spark":
            from xl_funnel.attribution.engines import spark_session

            started = time.perf_counter()
            spark_session()
            startup = time.perf_counter() - started

        def call() -> object:
            return attribute(path, model, engine=case)

    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    result = {"seconds": statistics.median(times), "peak_mb": _peak_kb() / 1024}
    if case == "spark":
        result["startup"] = startup
    return result


def _peak_kb() -> float:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1])
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # kB on Linux, else ~


def measure(case: str, path: Path, model: str = "linear", repeats: int = 1) -> dict:
    code = (
        "import json, sys; from benchmarks.bench_attribution import _measure; "
        "print(json.dumps(_measure(*sys.argv[1:4], int(sys.argv[4]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, case, str(path), model, str(repeats)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run() -> str:
    rows, notes = [], []
    with tempfile.TemporaryDirectory(prefix="xl-funnel-bench-") as folder:
        idle = measure("duckdb", _tiny(Path(folder)), "linear", 1)["peak_mb"]
        for size in SIZES:
            path = Path(folder) / f"touches_{size}.parquet"
            touches(size).to_parquet(path)
            repeats = REPEATS[size]
            print(
                f"  {size:,} touches ({path.stat().st_size / 1e6:.0f} MB Parquet)", file=sys.stderr
            )
            base = measure("baseline", path, "linear", repeats)
            rows.append(_row(size, "pandas groupby (baseline)", "linear", base, base))
            for case, label in (("pandas", "xl-funnel in memory"), ("duckdb", "xl-funnel DuckDB")):
                got = measure(case, path, "linear", repeats)
                rows.append(_row(size, label, "linear", got, base))
            models = ["w_shaped", "time_decay", "markov", "shapley"]
            if size == ALL_MODELS_AT:
                models = [m for m in _models() if m != "linear"]
            for case, label, chosen in (
                ("duckdb", "xl-funnel DuckDB", models),
                ("pandas", "xl-funnel in memory", ["markov", "shapley"]),
            ):
                for model in chosen:
                    got = measure(case, path, model, repeats)
                    rows.append(_row(size, label, model, got, base))
            for model in ("linear", "markov"):
                spark = measure("spark", path, model, repeats)
                rows.append(_row(size, "xl-funnel Spark local", model, spark, base, memory=False))
                notes.append(spark["startup"])
    header = (
        "| touches | engine | model | time | vs pandas baseline | peak memory |\n"
        "|---:|---|---|---:|---:|---:|\n"
    )
    return (
        "Each case runs in a fresh process: read the Parquet file, credit the channels. The "
        "pandas baseline is the plain groupby an analyst writes for linear credit (reading "
        "only the three columns it needs); it has no other model. Times are medians of "
        f"{REPEATS[1_000_000]} runs at 1M touches and single runs at 10M. Peak memory is the "
        f"process's maximum resident set (an idle process with pandas and DuckDB loaded: "
        f"{idle:.0f} MB); Spark's is in its JVM and not shown. Spark local mode's times "
        f"exclude starting the session ({fmt_seconds(min(notes))}–{fmt_seconds(max(notes))}). "
        "The machine is shared: a 2-core box where other jobs ran at the same time.\n\n"
        + header
        + "\n".join(rows)
    )


def _models() -> tuple[str, ...]:
    from xl_funnel.attribution import MODELS

    return MODELS


def _tiny(folder: Path) -> Path:
    path = folder / "tiny.parquet"
    touches(10).to_parquet(path)
    return path


def _row(size: int, label: str, model: str, got: dict, base: dict, memory: bool = True) -> str:
    speed = base["seconds"] / got["seconds"]
    if label.startswith("pandas"):
        vs = "—"
    else:
        vs = f"{speed:.1f}× faster" if speed >= 1 else f"{1 / speed:.1f}× slower"
    peak = f"{got['peak_mb']:,.0f} MB" if memory else "(JVM)"
    return f"| {size:,} | {label} | {model} | {fmt_seconds(got['seconds'])} | {vs} | {peak} |"

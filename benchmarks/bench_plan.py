"""Generating the annual-plan workbook: the built-in plan and a 1,000-channel plan."""

from __future__ import annotations

import dataclasses
import io
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook

from benchmarks.timing import fmt_seconds, median_seconds
from xl_funnel.plan import Channel, example_config, expected_values, workbook_bytes

TITLE = "Plan workbook generation (xl-funnel new), built-in and 1,000 channels"
CHANNELS = 1_000


def big_config():
    """The built-in plan with 1,000 channels sharing the leads equally."""
    channels = tuple(
        Channel(f"Channel {k + 1:04d}", 1_000.0 + 10.0 * (k % 97), 1 / CHANNELS,
                None if k % 3 else 0.15)
        for k in range(CHANNELS)
    )  # fmt: skip
    return dataclasses.replace(example_config(), channels=channels)


def _libreoffice_seconds(data: bytes) -> float | None:
    """One LibreOffice headless recalculation of the file (the engine a user would reach for)."""
    try:
        from tests.libreoffice import recalculate
    except ImportError:  # benchmarks run from a checkout: tests/ is there
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.xlsx"
        path.write_bytes(data)
        recalculate(path, Path(folder) / "out")  # warm the profile: first start is slower
        start = time.perf_counter()
        recalculate(path, Path(folder) / "out")
        return time.perf_counter() - start


def run() -> str:
    lines = [
        "Time to build and serialise the workbook (`workbook_bytes`: every formula, style,",
        "validation, comment and chart, deterministic zip) and to compute the same plan with the",
        "core (`expected_values`), against one LibreOffice headless recalculation of the file.",
        "",
        "| plan | cells with formulas | file size | generate | core answer | LibreOffice recalc |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, config, repeat in (
        ("built-in (6 stages, 6 channels)", example_config(), 9),
        (f"{CHANNELS:,} channels", big_config(), 3),
    ):
        data = workbook_bytes(config)
        generate = median_seconds(lambda c=config: workbook_bytes(c), repeat=repeat, warmup=1)
        core = median_seconds(lambda c=config: expected_values(c), repeat=repeat, warmup=1)
        book = load_workbook(io.BytesIO(data))
        formulas = sum(
            1 for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
            if cell.data_type == "f"
        )  # fmt: skip
        office = _libreoffice_seconds(data)
        lines.append(
            f"| {label} | {formulas:,} | {len(data) / 1024:,.0f} KiB | {fmt_seconds(generate)} "
            f"| {fmt_seconds(core)} | {fmt_seconds(office) if office else 'not installed'} |"
        )
    return "\n".join(lines)

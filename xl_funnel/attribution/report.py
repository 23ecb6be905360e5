"""The channel table written to a file: CSV, Parquet or a formatted .xlsx.

Each is rendered to bytes first and then written with :func:`xl_funnel.atomic.atomic_write_bytes`,
so a reader sees the old file or the complete new one, never half of either.
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from xl_funnel.atomic import atomic_write_bytes
from xl_funnel.errors import InvalidChoiceError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FORMATS", "output_problem", "render", "write_table"]

#: Output formats, by file suffix.
FORMATS = (".csv", ".parquet", ".xlsx")
_MONEY = "#,##0.00;[Red]-#,##0.00"
_PERCENT = "0.0%"


def output_problem(output: Path, *inputs: Path | None) -> str | None:
    """Why ``output`` cannot take the table (an unknown suffix, an input), or None."""
    if output.suffix.lower() not in FORMATS:
        return f"write a {', '.join(FORMATS)} file"
    if any(source is not None and output.resolve() == source.resolve() for source in inputs):
        return "is an input; write the table elsewhere"
    return None


def write_table(table: pd.DataFrame, path: str | os.PathLike[str], model: str) -> None:
    """Write the channel table of :func:`~xl_funnel.attribution.attribute` to ``path``.

    Columns ``channel``, ``revenue``, ``share`` (CSV and Parquet); the .xlsx has a sheet
    "Attribution" with a header, money and percent formats, and a total row as a native
    ``SUM`` formula.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InvalidChoiceError(
            f"output {os.fspath(path)!r} ends in {suffix or 'nothing'!r}: write "
            f"{', '.join(FORMATS)}"
        )
    flat = table.reset_index()[["channel", "revenue", "share"]]
    if suffix == ".csv":
        from xl_funnel.recalc.scenario_output import csv_text  # formula-like text neutralised

        rows = [
            [str(c), float(r), None if s != s else float(s)]
            for c, r, s in flat.itertuples(index=False)
        ]
        data = csv_text(["channel", "revenue", "share"], rows).encode("utf-8")
    elif suffix == ".parquet":
        data = _parquet(flat)
    else:
        data = _xlsx(flat, model)
    atomic_write_bytes(path, data)


def _parquet(flat: pd.DataFrame) -> bytes:
    try:
        import duckdb  # writes Parquet without pyarrow
    except ImportError:
        buffer = io.BytesIO()
        flat.to_parquet(buffer, index=False)
        return buffer.getvalue()

    with tempfile.TemporaryDirectory(prefix="xl-funnel-") as folder:
        target = Path(folder) / "table.parquet"
        with duckdb.connect() as con:
            con.register("channel_table", flat)
            quoted = "'" + str(target).replace("'", "''") + "'"
            con.execute(f"COPY channel_table TO {quoted} (FORMAT parquet)")
        return target.read_bytes()


def _xlsx(flat: pd.DataFrame, model: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Attribution"
    sheet.append([f"Revenue credited to each channel ({model} model)"])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append(["Channel", "Credited revenue", "Share"])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for channel, revenue, share in flat.itertuples(index=False):
        sheet.append([str(channel), float(revenue), None if share != share else float(share)])
        sheet.cell(sheet.max_row, 1).data_type = "s"  # a channel "=…" stays text, never a formula
    last = sheet.max_row
    sheet.append(["Total", f"=SUM(B3:B{last})" if last >= 3 else 0])
    sheet.cell(last + 1, 1).font = Font(bold=True)
    for row in range(3, last + 2):
        sheet.cell(row, 2).number_format = _MONEY
        sheet.cell(row, 3).number_format = _PERCENT
    sheet.column_dimensions["A"].width = max([12, *(len(str(c)) + 2 for c in flat["channel"])])
    sheet.column_dimensions["B"].width = 18
    sheet.column_dimensions["C"].width = 9
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render(table: pd.DataFrame, model: str, *, as_json: bool = False) -> str:
    """The channel table for people (aligned columns and a total) or as JSON."""
    rows = [
        {
            "channel": str(channel),
            "revenue": float(revenue),
            "share": None if math.isnan(share) else float(share),
        }
        for channel, revenue, share in zip(
            table.index, table["revenue"], table["share"], strict=True
        )
    ]
    if as_json:
        return json.dumps({"model": model, "channels": rows}, ensure_ascii=False)
    width = max([len("Channel"), *(len(row["channel"]) for row in rows)])
    lines = [f"{'Channel':<{width}}  {'Credited revenue':>18}  {'Share':>7}"]
    for row in rows:
        share = "" if row["share"] is None else f"{row['share']:.1%}"
        lines.append(f"{row['channel']:<{width}}  {row['revenue']:>18,.2f}  {share:>7}")
    total = sum(row["revenue"] for row in rows)
    lines.append(f"{'Total':<{width}}  {total:>18,.2f}")
    return "\n".join(lines)

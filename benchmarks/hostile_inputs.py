"""Time and peak memory of each hostile input of ``docs/security.md`` (issue 14).

Usage: ``python -m benchmarks.hostile_inputs`` prints the Markdown table the document shows.
Each case runs the real command in a subprocess under ``/usr/bin/time`` (elapsed seconds and
the peak resident memory of the process), with its address space capped at 4 GB and a 120 s
timeout, so that a regression is measured, not suffered. Not part of ``make bench``: it
measures refusals, not speed. ``python -m benchmarks.hostile_inputs OLD_TREE`` runs the
commands from another checkout (the "before" column of ``docs/security.md``).
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.data.recalc.books import mini_plan
from tests.data.recalc.raw_books import edited, with_whole_sheet_merge

CAP = 4 * 1024**3
ARRAYS = b"".join(
    b'<c r="%s1"><f t="array" ref="%s1:%s1000000">1</f></c>' % (c, c, c)
    for c in (bytes([letter]) for letter in b"KLMNOPQRST")
)
X14 = (
    b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    b'<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    b'<x14:dataValidation type="decimal" operator="between"><x14:formula1><xm:f>0</xm:f>'
    b"</x14:formula1><x14:formula2><xm:f>5000000</xm:f></x14:formula2><xm:sqref>B2</xm:sqref>"
    b"</x14:dataValidation></x14:dataValidations></ext></extLst>"
)


def _files(folder: Path) -> None:
    base = mini_plan(folder / "base.xlsx")
    sheet, book = "xl/worksheets/sheet1.xml", "xl/workbook.xml"
    name = rb'(<definedName name="RequiredVolumes">)[^<]*'
    edited(base, folder / "name.xlsx", book, lambda d: re.sub(name, rb"\1Funnel!$A:$XFD", d))
    for label, sqref in (("dv_column", b"Z:Z"), ("dv_sheet", b"A1:XFD1048576")):
        edited(base, folder / f"{label}.xlsx", sheet, lambda d, s=sqref: d.replace(b"B4:B8", s))
    edited(
        base,
        folder / "x14.xlsx",
        sheet,
        lambda d: re.sub(rb"<dataValidations.*?</dataValidations>", b"", d, flags=re.S).replace(
            b"</worksheet>", X14 + b"</worksheet>"
        ),
    )
    edited(
        base,
        folder / "arrays.xlsx",
        sheet,
        lambda d: re.sub(
            rb"(<row r=\"1\"[^>]*>.*?)(</row>)", rb"\1" + ARRAYS + rb"\2", d, count=1, flags=re.S
        ),
    )
    with_whole_sheet_merge(base, folder / "merge.xlsx")
    (folder / "grid.csv").write_text("AvgDealSize\n1000000\n")
    os.mkfifo(folder / "fifo.xlsx")
    os.mkfifo(folder / "fifo.csv")


CASES = [
    ("defined name RequiredVolumes = Funnel!$A:$XFD", ["recalc", "name.xlsx", "-o", "o.xlsx"]),
    (
        "the same, as a scenario output",
        ["scenarios", "name.xlsx", "--set", "AvgDealSize=1e6", "--outputs", "RequiredVolumes"],
    ),
    ('data validation sqref="Z:Z"', ["scenarios", "dv_column.xlsx", "grid.csv"]),
    ("whole-sheet data validation (A1:XFD1048576)", ["scenarios", "dv_sheet.xlsx", "grid.csv"]),
    ("Excel 2010 x14:dataValidations only", ["scenarios", "x14.xlsx", "--set", "AvgDealSize=6e6"]),
    ("ten array formulas of 1M cells each", ["recalc", "arrays.xlsx", "-o", "o.xlsx"]),
    ("a merged range over the whole sheet", ["risk", "merge.xlsx", "--trials", "1000"]),
    ("a FIFO as the workbook", ["recalc", "fifo.xlsx"]),
    ("a FIFO as the grid", ["scenarios", "base.xlsx", "fifo.csv"]),
    ("/dev/zero as the grid", ["scenarios", "base.xlsx", "/dev/zero"]),
]


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))


def measure(folder: Path, args: list[str], tree: str) -> tuple[int, str, float, float]:
    """Exit code, the last stderr line, seconds and peak resident MB of one command."""
    timing = folder / "time.txt"
    env = {**os.environ, "PYTHONPATH": tree}
    command = [sys.executable, "-c", "from xl_funnel.cli import main; main()", *args]
    try:
        result = subprocess.run(
            ["/usr/bin/time", "-o", str(timing), "-f", "%e %M", *command],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=_cap,
            check=False,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return -1, "timed out after 120 s", 120.0, float("nan")
    seconds, kilobytes = timing.read_text().split()[-2:]
    lines = result.stderr.strip().splitlines()
    return result.returncode, lines[-1] if lines else "", float(seconds), int(kilobytes) / 1024


def main() -> None:
    tree = sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parent.parent)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        _files(folder)
        print("| hostile input | command | exit | answer | time | peak memory |")
        print("|---|---|---:|---|---:|---:|")
        for label, args in CASES:
            code, said, seconds, megabytes = measure(folder, args, tree)
            said = said.replace("|", "\\|")[:140]
            print(
                f"| {label} | `{' '.join(args[:2])}` | {code} | {said} | {seconds:.2f} s "
                f"| {megabytes:,.0f} MB |"
            )


if __name__ == "__main__":
    main()

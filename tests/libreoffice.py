"""LibreOffice headless: the independent spreadsheet engine our tests check workbooks against.

A small API, shared by every test that needs a second engine:

- :func:`recalculate` ``(path, outdir=None) -> Path``: a copy of the workbook recalculated by
  LibreOffice and saved as .xlsx, so its cells carry the values LibreOffice computed.
- :func:`recalculate_all` ``(paths, outdir=None) -> [Path]``: the same for many workbooks in
  one LibreOffice start (a start costs seconds; use it from session-scoped fixtures).
- :func:`values` ``(path) -> {(sheet, cell): value}``: every non-empty cell's cached value.
- :func:`named_values` ``(path) -> {name: value}``: each defined name's value (a scalar for
  one cell, a list for a row or column, a list of rows for a block).
- :func:`error_cells` ``(path) -> [(sheet, cell, error)]``: cells holding an error value.
- :func:`export_pdf` ``(path, outdir=None) -> Path``: the workbook printed to PDF.
- :func:`export_png` ``(path, png, page=-1, dpi=110) -> Path``: one printed page as PNG
  (``python -m tests.libreoffice png PLAN.xlsx OUT.png`` renders the last sheet's page).

Each process gets its own LibreOffice profile (``-env:UserInstallation``), so tests run in
parallel (``pytest -n 2``) without two instances fighting over one profile. The profile sets
``/org.openoffice.Office.Calc/Formula/Load`` ``OOXMLRecalcMode = 0`` ("always recalculate"):
LibreOffice would otherwise trust the (absent) cached values of an .xlsx written by openpyxl.
When ``soffice`` is missing, every function raises :class:`LibreOfficeMissingError`: tests that need
LibreOffice fail, they never skip.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

__all__ = [
    "LibreOfficeMissingError",
    "error_cells",
    "export_pdf",
    "export_png",
    "headless_command",
    "named_values",
    "recalculate",
    "recalculate_all",
    "soffice",
    "values",
]

#: Seconds one conversion may take (a cold start of a fresh profile takes several).
TIMEOUT = 240
EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "Err:")

_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
<item oor:path="/org.openoffice.Office.Common/Misc">
  <prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop>
</item>
</oor:items>
"""

_profile: Path | None = None


class LibreOfficeMissingError(RuntimeError):
    """``soffice`` is not installed: run ``bash .ci/ensure-libreoffice`` (or ``make test``)."""


def soffice() -> str:
    """Path of the ``soffice`` executable, or raise :class:`LibreOfficeMissingError`."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise LibreOfficeMissingError(
            "LibreOffice (soffice) is required for this test: install it with "
            "`bash .ci/ensure-libreoffice` (Debian: apt-get install libreoffice-calc-nogui)"
        )
    return found


def _profile_dir() -> Path:
    """This process's private LibreOffice profile, created once and removed at exit."""
    global _profile
    if _profile is None:
        root = Path(tempfile.mkdtemp(prefix="xl-funnel-lo-profile-"))
        user = root / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, encoding="utf-8")
        atexit.register(shutil.rmtree, root, True)
        _profile = root
    return _profile


def headless_command() -> list[str]:
    """``soffice`` headless with this process's recalculate-on-load profile, ready for options."""
    return [
        soffice(),
        f"-env:UserInstallation={_profile_dir().as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
    ]


def _convert(paths: list[Path], target: str, outdir: Path, extension: str) -> list[Path]:
    command = [
        *headless_command(),
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
        *(str(path) for path in paths),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    produced = [outdir / f"{path.stem}.{extension}" for path in paths]
    missing = [str(path) for path, out in zip(paths, produced, strict=True) if not out.exists()]
    if result.returncode != 0 or missing:
        raise RuntimeError(
            f"LibreOffice could not convert {', '.join(missing) or paths} to {extension} "
            f"(exit {result.returncode}): {result.stderr.strip() or result.stdout.strip()}"
        )
    return produced


def _outdir(sources: list[Path], outdir: str | Path | None) -> Path:
    folder = Path(outdir) if outdir is not None else Path(tempfile.mkdtemp(prefix="xl-lo-"))
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.resolve() == source.parent for source in sources):
        raise ValueError("outdir must differ from the workbooks' folder (same file names)")
    if len({source.stem for source in sources}) != len(sources):
        raise ValueError("workbooks converted together need different file names")
    return folder


def recalculate(path: str | Path, outdir: str | Path | None = None) -> Path:
    """Recalculate `path` in LibreOffice; return the recalculated .xlsx copy.

    The copy is written to `outdir` (default: a new temporary directory) under the same file
    name; the original is never modified.
    """
    return recalculate_all([path], outdir)[0]


def recalculate_all(paths: list[str | Path], outdir: str | Path | None = None) -> list[Path]:
    """Recalculate several workbooks with one LibreOffice start; return the copies in order."""
    sources = [Path(path).resolve() for path in paths]
    folder = _outdir(sources, outdir)
    return _convert(sources, "xlsx:Calc MS Excel 2007 XML", folder, "xlsx")


def export_pdf(path: str | Path, outdir: str | Path | None = None) -> Path:
    """Print the workbook (every sheet, its print setup honoured) to PDF; return the PDF."""
    source = Path(path).resolve()
    return _convert([source], "pdf:calc_pdf_Export", _outdir([source], outdir), "pdf")[0]


def export_png(path: str | Path, png: str | Path, page: int = -1, dpi: int = 110) -> Path:
    """Render one printed page of the workbook (default: the last) as a PNG via pdftoppm."""
    pdftoppm = shutil.which("pdftoppm")
    if not pdftoppm:
        raise LibreOfficeMissingError("pdftoppm (poppler-utils) is required to render a PNG")
    with tempfile.TemporaryDirectory(prefix="xl-lo-png-") as folder:
        pdf = export_pdf(path, folder)
        info = subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60
        ).stdout
        pages = int(
            next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages"))
        )
        number = page if page > 0 else pages + 1 + page
        stem = Path(folder) / "page"
        subprocess.run(
            [
                pdftoppm,
                "-png",
                "-r",
                str(dpi),
                "-f",
                str(number),
                "-l",
                str(number),
                "-singlefile",
                str(pdf),
                str(stem),
            ],
            check=True,
            timeout=120,
        )
        target = Path(png)
        shutil.copyfile(stem.with_suffix(".png"), target)
    return target


def values(path: str | Path) -> dict[tuple[str, str], Any]:
    """Every non-empty cell's cached value: ``{("Funnel", "C7"): 10.0, ...}``."""
    book = load_workbook(path, data_only=True)
    found: dict[tuple[str, str], Any] = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    found[(sheet.title, cell.coordinate)] = cell.value
    return found


def named_values(path: str | Path) -> dict[str, Any]:
    """Each workbook-level defined name's cached value (scalar, list, or list of rows)."""
    book = load_workbook(path, data_only=True)
    result: dict[str, Any] = {}
    for name, definition in book.defined_names.items():
        destinations = list(definition.destinations)
        if len(destinations) != 1:
            continue
        sheet_name, ref = destinations[0]
        sheet = book[sheet_name]
        min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
        rows = [
            [sheet.cell(r, c).value for c in range(min_col, max_col + 1)]
            for r in range(min_row, max_row + 1)
        ]
        if len(rows) == 1 and len(rows[0]) == 1:
            result[name] = rows[0][0]
        elif len(rows) == 1:
            result[name] = rows[0]
        elif all(len(row) == 1 for row in rows):
            result[name] = [row[0] for row in rows]
        else:
            result[name] = rows
    return result


def error_cells(path: str | Path) -> list[tuple[str, str, str]]:
    """Cells whose value is a spreadsheet error (``#DIV/0!``, ``#NAME?``, LibreOffice ``Err:``)."""
    return [
        (sheet, cell, value)
        for (sheet, cell), value in values(path).items()
        if isinstance(value, str) and value.startswith(EXCEL_ERRORS)
    ]


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 4 or sys.argv[1] != "png":
        sys.exit("usage: python -m tests.libreoffice png WORKBOOK.xlsx OUT.png")
    with tempfile.TemporaryDirectory() as folder:
        export_png(recalculate(sys.argv[2], folder), sys.argv[3])

"""A plain ``xl-funnel recalc`` (read without click, :mod:`xl_funnel.cli.recalc_plain`) prints,
writes and exits exactly as the click command does."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from xl_funnel.cli.recalc_plain import parse_plain

# The same command line through main() (the plain path first) and through the click group.
_MAIN = "from xl_funnel.cli import main; main()"
_CLICK = "from xl_funnel.cli.group import cli; cli(prog_name='xl-funnel')"
_CLICK_LOADED = (
    "import sys, atexit; atexit.register(lambda: print('click' in sys.modules, file=sys.stderr))"
)


def _run(code: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONIOENCODING": "utf-8", "PATH": "/usr/bin:/bin"} | _pythonpath(),
    )


def _pythonpath() -> dict[str, str]:
    import os

    return {key: os.environ[key] for key in ("PYTHONPATH",) if key in os.environ}


def _same_run(args: list[str], folder: Path, outputs: list[str]) -> subprocess.CompletedProcess:
    """Runs ``args`` both ways (each in a fresh copy of ``folder``'s books); asserts the same
    stdout (the timing line aside), stderr, exit code and written files; returns main()'s."""
    runs, written = [], []
    for name, code in (("main", _MAIN), ("click", _CLICK)):
        cwd = folder / name
        cwd.mkdir()
        for book in folder.glob("*.xlsx"):
            (cwd / book.name).write_bytes(book.read_bytes())
        runs.append(_run(code, args, cwd))
        written.append({out: (cwd / out).read_bytes() for out in outputs if (cwd / out).exists()})
    plain, click = runs
    timing = re.compile(r"time\s+[0-9.]+ s|\"seconds\": [0-9.e-]+")
    assert timing.sub("", plain.stdout) == timing.sub("", click.stdout)
    assert plain.stderr == click.stderr
    assert plain.returncode == click.returncode
    assert written[0] == written[1]
    return plain


@pytest.fixture
def books(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"], sheet["A2"], sheet["A3"] = 10e6, 1.1e6, "=ROUNDUP(A1/A2,0)"
    book.save(tmp_path / "good.xlsx")
    sheet["A4"] = "=1/0"
    book.save(tmp_path / "bad.xlsx")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    return tmp_path


def test_a_plain_recalc_prints_and_writes_what_click_does(books):
    done = _same_run(["recalc", "good.xlsx", "-o", "out.xlsx"], books, ["out.xlsx"])
    assert done.returncode == 0
    assert "formula cells computed  1" in done.stdout
    values = openpyxl.load_workbook(books / "main" / "out.xlsx", data_only=True).active
    assert values["A3"].value == 10


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["recalc", "bad.xlsx", "--check", "-o", "out.xlsx"], 1),
        (["recalc", "--json", "good.xlsx", "--output", "out.xlsx"], 0),
        (["recalc", "broken.xlsx", "-o", "out.xlsx"], 2),
        (["recalc", "missing.xlsx"], 2),
        (["recalc", "good.xlsx", "-o", "good.xlsx"], 2),
        (["recalc", "good.xlsx", "--freeze", "--in-place"], 2),
        (["recalc", "good.xlsx", "--in-place", "-o", "x.xlsx"], 2),
        (["recalc", "good.xlsx", "--check", "--in-place"], 0),
        (["recalc", "good.xlsx", "-o", "out.csv"], 2),
        (["recalc", "good.xlsx", "--freeze", "-o", "out.xlsx"], 0),  # "frozen to values  none"
    ],
)
def test_every_other_outcome_is_clicks_own(books, args, code):
    done = _same_run(args, books, ["out.xlsx", "good.xlsx", "good.recalc.xlsx"])
    assert done.returncode == code
    if code == 2:
        assert done.stderr.startswith("Error: ")


def test_the_plain_path_does_not_import_click(books):
    done = _run(_CLICK_LOADED + "\n" + _MAIN, ["recalc", "good.xlsx", "-o", "o.xlsx"], books)
    assert done.returncode == 0
    assert done.stderr.strip() == "False"
    done = _run(_CLICK_LOADED + "\n" + _MAIN, ["recalc", "good.xlsx", "--jobs", "1"], books)
    assert done.returncode == 0
    assert done.stderr.strip() == "True"


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--help"],
        ["a.xlsx", "b.xlsx"],
        ["a.xlsx", "--jobs", "2"],
        ["a.xlsx", "-o=out.xlsx"],
        ["a.xlsx", "--output=out.xlsx"],
        ["a.xlsx", "-o"],
        ["a.xlsx", "-o", "--json"],
        ["a.xlsx", "--json", "--json"],
        ["a.xlsx", "-o", "x.xlsx", "-o", "y.xlsx"],
        ["--", "a.xlsx"],
        ["-"],
        [""],
        ["a.xlsx", "--freeze", "--in-place"],
    ],
)
def test_unusual_arguments_are_left_to_click(args):
    assert parse_plain(args) is None


def test_plain_arguments_are_read_in_any_order():
    assert parse_plain(["--check", "a.xlsx", "--output", "o.xlsx", "--json"]) == {
        "book": Path("a.xlsx"),
        "output": Path("o.xlsx"),
        "in_place": False,
        "as_json": True,
        "check": True,
        "freeze": False,
    }

"""``xl-funnel recalc`` starts lean: numpy, pandas and openpyxl load only when a workbook needs
them, and the names table that makes this possible matches the registry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl

import xl_funnel as xf
from xl_funnel.excel.registry import FUNCTIONS
from xl_funnel.recalc.function_names import ARITY

# Runs the command line in a fresh interpreter, then reports the cached values and which of
# the heavy modules were imported.
_PROBE = """
import json, sys
from xl_funnel.cli import main
sys.argv = ["xl-funnel", "recalc", sys.argv[1], "-o", sys.argv[2]]
try:
    main()
except SystemExit as done:
    assert not done.code, done.code
heavy = ["numpy", "pandas", "openpyxl", "xl_funnel.excel.registry", "xl_funnel.funnel"]
print(json.dumps({name: name in sys.modules for name in heavy}))
"""


def test_names_table_equals_the_registry():
    registry = {spec.name: (spec.min_args, spec.max_args) for spec in FUNCTIONS}
    lines = "".join(f'\n    "{name}": {arity},' for name, arity in registry.items())
    assert list(ARITY.items()) == list(registry.items()), (
        "xl_funnel/recalc/function_names.py is stale; set ARITY to {" + lines + "\n}"
    )


def recalc_in_fresh_process(book: Path, out: Path) -> dict[str, bool]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(book), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_a_book_of_excel_formulas_never_imports_numpy(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"], sheet["A2"], sheet["A3"] = 10e6, 1.1e6, "=ROUNDUP(A1/A2,0)"
    sheet["A4"] = '="FUNNEL_BACKSOLVE is text here"'  # a name in text calls nothing
    book.save(tmp_path / "native.xlsx")
    imported = recalc_in_fresh_process(tmp_path / "native.xlsx", tmp_path / "out.xlsx")
    assert imported == dict.fromkeys(imported, False)
    values = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True).active
    assert values["A3"].value == xf.customers_needed(10e6, 1.1e6) == 10
    assert values["A4"].value == "FUNNEL_BACKSOLVE is text here"


def test_a_book_calling_xl_funnel_loads_the_registry_on_first_call(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"], sheet["A2"], sheet["A3"] = 10e6, 1.1e6, "=customers_needed(A1,A2)"
    sheet["A4"] = "=CHANNEL_ROI(5, 2)"
    book.save(tmp_path / "udf.xlsx")
    imported = recalc_in_fresh_process(tmp_path / "udf.xlsx", tmp_path / "out.xlsx")
    assert imported == {
        "numpy": True,
        "pandas": False,
        "openpyxl": False,
        "xl_funnel.excel.registry": True,
        "xl_funnel.funnel": True,
    }
    values = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True).active
    assert values["A3"].value == xf.customers_needed(10e6, 1.1e6) == 10
    assert values["A4"].value == xf.channel_roi(5, 2) == 1.5


def test_corrected_built_ins_load_only_for_a_book_that_calls_one(tmp_path):
    """TEXT's format codes, VALUE's date reading and the rest (recalc/corrected.py) are
    imported only when a formula calls one of them."""
    probe = _PROBE.replace(
        'heavy = ["numpy"',
        'heavy = ["xl_funnel.recalc.corrected", "xl_funnel.recalc.corrected_text", "numpy"',
    )
    loaded = {}
    for name, formula in (("plain", "=A1*2"), ("text", '=TEXT(A1,"0.0E+0")')):
        book = openpyxl.Workbook()
        book.active["A1"], book.active["A2"] = 1234, formula
        book.save(tmp_path / f"{name}.xlsx")
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                probe,
                str(tmp_path / f"{name}.xlsx"),
                str(tmp_path / f"{name}.out.xlsx"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        loaded[name] = json.loads(done.stdout.splitlines()[-1])
    assert not loaded["plain"]["xl_funnel.recalc.corrected"]
    assert not loaded["plain"]["xl_funnel.recalc.corrected_text"]
    assert loaded["text"]["xl_funnel.recalc.corrected_text"]
    assert (
        openpyxl.load_workbook(tmp_path / "text.out.xlsx", data_only=True).active["A2"].value
        == "1.2E+3"
    )

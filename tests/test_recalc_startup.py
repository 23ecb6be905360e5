"""``xl-funnel recalc`` starts lean: numpy, pandas and openpyxl load only when a workbook needs
them, and the names table that makes this possible matches the registry."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest

import xl_funnel as xf
from xl_funnel.excel.registry import FUNCTIONS
from xl_funnel.plan.config import example_config
from xl_funnel.plan.expected import expected_values
from xl_funnel.recalc.function_names import ARITY

# Runs the command line in a fresh interpreter, then reports which of the modules named in
# its third argument (a JSON list) were imported.
_PROBE = """
import json, sys
from xl_funnel.cli import main
book, out, heavy = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.argv = ["xl-funnel", "recalc", book, "-o", out]
try:
    main()
except SystemExit as done:
    assert not done.code, done.code
print(json.dumps({name: name in sys.modules for name in heavy}))
"""
_HEAVY = ("numpy", "pandas", "openpyxl", "xl_funnel.excel.registry", "xl_funnel.funnel")
ROOT = Path(__file__).resolve().parent.parent


def test_names_table_equals_the_registry():
    registry = {spec.name: (spec.min_args, spec.max_args) for spec in FUNCTIONS}
    lines = "".join(f'\n    "{name}": {arity},' for name, arity in registry.items())
    assert list(ARITY.items()) == list(registry.items()), (
        "xl_funnel/recalc/function_names.py is stale; set ARITY to {" + lines + "\n}"
    )


def recalc_in_fresh_process(
    book: Path, out: Path, modules: Sequence[str] = _HEAVY
) -> dict[str, bool]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(book), str(out), json.dumps(list(modules))],
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
    modules = ("xl_funnel.recalc.corrected", "xl_funnel.recalc.corrected_text", "numpy")
    loaded = {}
    for name, formula in (("plain", "=A1*2"), ("text", '=TEXT(A1,"0.0E+0")')):
        book = openpyxl.Workbook()
        book.active["A1"], book.active["A2"] = 1234, formula
        book.save(tmp_path / f"{name}.xlsx")
        out = tmp_path / f"{name}.out.xlsx"
        loaded[name] = recalc_in_fresh_process(tmp_path / f"{name}.xlsx", out, modules)
    assert not loaded["plain"]["xl_funnel.recalc.corrected"]
    assert not loaded["plain"]["xl_funnel.recalc.corrected_text"]
    assert loaded["text"]["xl_funnel.recalc.corrected_text"]
    assert not loaded["text"]["numpy"]
    assert (
        openpyxl.load_workbook(tmp_path / "text.out.xlsx", data_only=True).active["A2"].value
        == "1.2E+3"
    )


# What a plain recalc of the built-in plan must not pay for at start-up: dataclasses imports
# inspect (with ast, dis, tokenize); fractions and datetime come with TEXT's and VALUE's
# corrected forms, which the plan does not call (it joins numbers to text: _XLFUNNEL_JOIN,
# which rounds without the decimal module).
_NOT_FOR_THE_PLAN = (
    "dataclasses",
    "inspect",
    "fractions",
    "datetime",
    "decimal",
    "click",
    "numpy",
)


def test_a_plain_recalc_of_the_plan_imports_only_what_it_needs(tmp_path):
    shutil.copy(ROOT / "workbooks" / "annual_plan.xlsx", tmp_path / "plan.xlsx")
    modules = (*_NOT_FOR_THE_PLAN, "xl_funnel.recalc.joined_text")
    imported = recalc_in_fresh_process(tmp_path / "plan.xlsx", tmp_path / "out.xlsx", modules)
    # the plan's joins did load their corrected form: the probe sees what the run imported
    assert imported == {**dict.fromkeys(_NOT_FOR_THE_PLAN, False), modules[-1]: True}
    values = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)
    expected = expected_values(example_config())["names"]  # the core's numbers
    for name in ("TargetRevenue", "CustomersNeeded", "TotalBudget", "PlanROI"):
        sheet, cell = next(iter(values.defined_names[name].destinations))
        computed = values[sheet][cell.replace("$", "")].value
        assert computed == pytest.approx(expected[name], rel=1e-9)


def test_a_book_joining_numbers_to_text_loads_neither_fractions_nor_datetime(tmp_path):
    """CONCATENATE and "&" (the engine's copy calls _XLFUNNEL_JOIN) need the joins' module
    only, not TEXT's or VALUE's."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"], sheet["A2"] = 1 / 3, '="Rate: "&A1'
    sheet["A3"] = '=CONCATENATE("Total ",A1*3," and ",0.1+0.2)'
    book.save(tmp_path / "joins.xlsx")
    modules = ("fractions", "datetime", "decimal", "dataclasses")
    imported = recalc_in_fresh_process(tmp_path / "joins.xlsx", tmp_path / "out.xlsx", modules)
    assert imported == {
        "fractions": False,
        "datetime": False,
        "decimal": False,
        "dataclasses": False,
    }
    values = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True).active
    assert values["A2"].value == "Rate: 0.333333333333333"  # Excel's 15 digits
    assert values["A3"].value == "Total 1 and 0.3"

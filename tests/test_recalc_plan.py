"""Round trip on the real plan: generate it, add xl-funnel formulas, ``xl-funnel recalc`` it.

(a) every native formula's value equals LibreOffice's recalculation of the same file, and
    every xl-funnel function's value equals the core's answer;
(b) every part other than the worksheets is byte-identical, and the worksheets differ only in
    cached values (checked on the XML and on openpyxl read-backs of styles, formats, names,
    validation, conditional formats, comments, widths and panes);
(c) the input is unchanged unless ``--in-place``; pandas and openpyxl(data_only) see numbers.
"""

from __future__ import annotations

import hashlib
import math
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.comments import Comment
from openpyxl.worksheet.formula import ArrayFormula

import xl_funnel as xf
from tests import libreoffice
from tests.cli_process import run_cli
from xl_funnel.plan import build_workbook, example_config, expected_values

UDF_SHEET = "UDF checks"


def with_udfs(path: Path) -> Path:
    """The example plan plus a sheet of xl-funnel functions fed by the plan's names."""
    book = build_workbook(example_config())
    sheet = book.create_sheet(UDF_SHEET)
    sheet["A1"], sheet["B1"] = "Customers", "=CUSTOMERS_NEEDED(NewRevenueGoal, AvgDealSize)"
    sheet["A2"], sheet["B2"] = "Target", "=TARGET_REVENUE(INDEX(RevenueHistory, 3), 0.25)"
    sheet["A3"], sheet["B3"] = "Value per lead", "=VALUE_PER_LEAD(NewRevenueGoal, 1250)"
    sheet["A4"], sheet["B4"] = "ROI", "=CHANNEL_ROI(2300000, TotalBudget)"
    sheet["A5"], sheet["B5"] = "Bad rate", "=FUNNEL_BACKSOLVE(10, -0.5)"
    sheet["A6"] = "Volumes"
    sheet["B6"] = ArrayFormula("B6:B11", "=FUNNEL_BACKSOLVE(CustomersNeeded, StageRates)")
    sheet["C6"] = "=SUM(B6:B11)"
    sheet["B1"].number_format = "0"
    sheet["A1"].comment = Comment("from the core", "test")
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plan")
    source = with_udfs(folder / "plan.xlsx")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    result = run_cli("recalc", "plan.xlsx", "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    return {
        "source": source,
        "output": folder / "plan.recalc.xlsx",
        "digest": digest,
        "stdout": result.stdout,
        "folder": folder,
    }


@pytest.fixture(scope="module")
def libreoffice_values(run):
    return libreoffice.values(libreoffice.recalculate(run["source"], run["folder"] / "lo"))


def formula_cells(path: Path) -> dict[tuple[str, str], str]:
    book = openpyxl.load_workbook(path)
    found = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or isinstance(cell.value, ArrayFormula):
                    found[sheet.title, cell.coordinate] = cell.value
    return found


def same(ours, theirs) -> bool:
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return ours == theirs
    if isinstance(ours, int | float) and isinstance(theirs, int | float):
        return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-9)
    return ours == theirs


@pytest.mark.libreoffice
def test_native_formulas_equal_libreoffice(run, libreoffice_values):
    ours = libreoffice.values(run["output"])
    cells = [key for key in formula_cells(run["source"]) if key[0] != UDF_SHEET]
    assert len(cells) > 400
    differ = [
        (key, ours.get(key), libreoffice_values.get(key))
        for key in cells
        if not same(ours.get(key), libreoffice_values.get(key))
    ]
    assert differ == []


def test_xl_funnel_functions_equal_the_core(run):
    expected = expected_values(example_config())["names"]
    config = example_config()
    sheet = openpyxl.load_workbook(run["output"], data_only=True)[UDF_SHEET]
    customers = xf.customers_needed(expected["NewRevenueGoal"], config.avg_deal_size)
    assert sheet["B1"].value == customers == expected["CustomersNeeded"]
    assert sheet["B2"].value == pytest.approx(
        xf.target_revenue(config.revenue_history[2], 0.25), rel=1e-12
    )
    assert sheet["B3"].value == pytest.approx(xf.value_per_lead(expected["NewRevenueGoal"], 1250))
    assert sheet["B4"].value == pytest.approx(xf.channel_roi(2300000, expected["TotalBudget"]))
    assert sheet["B5"].value == "#NUM!"
    volumes = [sheet.cell(row, 2).value for row in range(6, 12)]
    assert volumes == pytest.approx(xf.backsolve(customers, config.stage_rates).tolist())
    assert volumes == pytest.approx(expected["RequiredVolumes"], rel=1e-12)
    assert sheet["C6"].value == pytest.approx(sum(volumes))


def test_summary_reports_counts_errors_and_headline(run):
    import json

    summary = json.loads(run["stdout"])
    assert summary["formula_cells"] == len(formula_cells(run["source"]))
    # the reason is what the function's explain() says of the same arguments
    reason = "rates[0] is -0.5: a conversion rate cannot be negative"
    assert summary["errors"] == [{"cell": "'UDF checks'!B5", "error": "#NUM!", "reason": reason}]
    expected = expected_values(example_config())["names"]
    for name in ("TargetRevenue", "NewRevenueGoal", "CustomersNeeded", "TotalBudget", "PlanROI"):
        assert summary["headline"][name] == pytest.approx(expected[name], rel=1e-12)
    assert summary["headline"]["RequiredVolumes"] == pytest.approx(expected["RequiredVolumes"])


_CACHED = re.compile(rb"<v>[^<]*</v>|<v\s*/>|\st=\"(?:str|e|b|n)\"")
_EMPTY_CELL = re.compile(rb'<c r="[A-Z]+[0-9]+"(?: s="[0-9]+")?></c>')
_EMPTY_ROW = re.compile(rb'<row r="[0-9]+"></row>')


def without_cached_values(xml: bytes) -> bytes:
    """The XML less cached values, and less the value-only cells (and rows) that array
    formulas' results fill in."""
    return _EMPTY_ROW.sub(b"", _EMPTY_CELL.sub(b"", _CACHED.sub(b"", xml)))


def test_only_worksheet_cached_values_change(run):
    before, after = zipfile.ZipFile(run["source"]), zipfile.ZipFile(run["output"])
    assert before.namelist() == after.namelist()
    for name in before.namelist():
        old, new = before.read(name), after.read(name)
        if name.startswith("xl/worksheets/sheet"):
            assert without_cached_values(old) == without_cached_values(new), name
        else:
            assert old == new, name
    assert any(
        before.read(n) != after.read(n) for n in before.namelist() if "worksheets/sheet" in n
    )


def cell_facts(sheet) -> dict[str, tuple]:
    """What a cell holds and looks like, for every cell outside array formulas' result cells
    (those gain cached values)."""
    members = set()
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, ArrayFormula):
                for line in sheet[cell.value.ref]:
                    members.update(c.coordinate for c in line if c is not cell)
    facts = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.coordinate in members:
                continue
            value = cell.value
            if isinstance(value, ArrayFormula):
                value = (value.ref, value.text)
            comment = cell.comment.text if cell.comment else None
            if value is None and cell.style_id == 0 and comment is None:
                continue
            facts[cell.coordinate] = (value, cell.number_format, cell.style_id, comment)
    return facts


def test_openpyxl_read_backs_are_unchanged(run):
    old = openpyxl.load_workbook(run["source"])
    new = openpyxl.load_workbook(run["output"])
    assert old.sheetnames == new.sheetnames
    assert {n: d.attr_text for n, d in old.defined_names.items()} == {
        n: d.attr_text for n, d in new.defined_names.items()
    }
    for a, b in zip(old.worksheets, new.worksheets, strict=True):
        assert a.freeze_panes == b.freeze_panes
        assert {k: d.width for k, d in a.column_dimensions.items()} == {
            k: d.width for k, d in b.column_dimensions.items()
        }
        assert [str(v.sqref) + v.type for v in a.data_validations.dataValidation] == [
            str(v.sqref) + v.type for v in b.data_validations.dataValidation
        ]
        assert [str(r.sqref) for r in a.conditional_formatting] == [
            str(r.sqref) for r in b.conditional_formatting
        ]
        assert cell_facts(a) == cell_facts(b), a.title


def test_charts_drawings_and_comments_are_kept_byte_for_byte(run):
    before, after = zipfile.ZipFile(run["source"]), zipfile.ZipFile(run["output"])
    kept = [n for n in before.namelist() if n.startswith(("xl/charts/", "xl/drawings/", "xl/comm"))]
    assert len([n for n in kept if n.startswith("xl/charts/chart")]) >= 3
    assert all(before.read(name) == after.read(name) for name in kept)


def test_input_is_unchanged_and_pandas_sees_numbers(run):
    assert hashlib.sha256(run["source"].read_bytes()).hexdigest() == run["digest"]
    book = openpyxl.load_workbook(run["output"], data_only=True)
    sheet_name, ref = next(iter(book.defined_names["CustomersNeeded"].destinations))
    frame = pd.read_excel(run["output"], sheet_name=sheet_name, header=None)
    cell = book[sheet_name][ref.replace("$", "")]
    assert frame.iat[cell.row - 1, cell.column - 1] == 10
    assert pd.read_excel(run["output"], sheet_name=UDF_SHEET, header=None).iat[0, 1] == 10


def test_in_place_replaces_the_input_with_the_same_result(run, tmp_path):
    book = tmp_path / "plan.xlsx"
    book.write_bytes(run["source"].read_bytes())
    result = run_cli("recalc", "plan.xlsx", "--in-place", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert book.read_bytes() == run["output"].read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]
    # recalculating a recalculated book changes nothing (array cells are not mistaken for input)
    assert run_cli("recalc", "plan.xlsx", "--in-place", cwd=tmp_path).returncode == 0
    assert book.read_bytes() == run["output"].read_bytes()

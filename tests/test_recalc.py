"""``xl-funnel recalc`` on workbooks built here: values, types, arrays, errors, options."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

import xl_funnel as xf
from tests.cli_process import run_cli
from tests.data.recalc.books import RATES, mini_plan
from xl_funnel.recalc.workflow import recalculate

ROOT = Path(__file__).resolve().parent.parent


def cached(path: Path, sheet: str | None = None) -> openpyxl.worksheet.worksheet.Worksheet:
    book = openpyxl.load_workbook(path, data_only=True)
    return book[sheet] if sheet else book.active


@pytest.fixture
def plan(tmp_path) -> Path:
    return mini_plan(tmp_path / "plan.xlsx")


def test_mini_plan_values_equal_the_core(plan, tmp_path):
    result = recalculate(plan, tmp_path / "out.xlsx")
    sheet = cached(tmp_path / "out.xlsx", "Funnel")
    customers = xf.customers_needed(10e6, 1.1e6)
    volumes = xf.backsolve(customers, RATES).tolist()
    assert sheet["B1"].value == customers == 10
    assert [sheet.cell(row, 2).value for row in range(3, 9)] == pytest.approx(volumes, rel=1e-12)
    assert [sheet.cell(row, 3).value for row in range(3, 9)] == pytest.approx(volumes, rel=1e-12)
    assert sheet["D3"].value == pytest.approx(sum(volumes))
    assert sheet["D4"].value == "match"
    assert sheet["D5"].value == pytest.approx(xf.value_per_lead(10e6, volumes[1]))
    assert sheet["D6"].value is True
    assert result.formula_cells == 12
    assert result.errors == []
    assert result.headline["CustomersNeeded"] == 10
    assert result.headline["RequiredVolumes"] == pytest.approx(volumes)


def test_stale_cached_values_are_recomputed(plan, tmp_path):
    first = tmp_path / "first.xlsx"
    recalculate(plan, first)
    # change an input in the recalculated file: its cached values are now stale
    data = zipfile.ZipFile(first)
    sheet = data.read("xl/worksheets/sheet1.xml").replace(b"<v>10000000</v>", b"<v>20000000</v>")
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(stale, "w", zipfile.ZIP_DEFLATED) as out:
        for info in data.infolist():
            name = info.filename
            out.writestr(name, sheet if name == "xl/worksheets/sheet1.xml" else data.read(name))
    recalculate(stale, tmp_path / "fresh.xlsx")
    funnel = cached(tmp_path / "fresh.xlsx", "Funnel")
    assert funnel["B1"].value == xf.customers_needed(20e6, 1.1e6) == 19


def test_value_types_and_awkward_text_round_trip(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Odd name's sheet"
    sheet["A1"] = "=1/3"
    sheet["A2"] = '="<b>&amp; " & CHAR(9) & "_x0041_"'
    sheet["A3"] = "=1=1"
    sheet["A4"] = "=NA()"
    sheet["A5"] = "=SQRT(-1)"
    sheet["A6"] = "=B99"
    sheet["A7"] = "=DATE(2027,1,31)"
    sheet["A8"] = "=10^300*10^300"
    sheet["A9"] = '=""'
    book.save(tmp_path / "types.xlsx")
    result = recalculate(tmp_path / "types.xlsx", tmp_path / "out.xlsx")
    values = cached(tmp_path / "out.xlsx")
    assert values["A1"].value == pytest.approx(1 / 3, rel=1e-15)
    # Excel decodes _xHHHH_ in a cached text, so a literal one is written escaped as
    # _x005F_xHHHH_ (openpyxl reads formula results raw, escape included)
    assert values["A2"].value == "<b>&amp; \t_x005F_x0041_"
    assert values["A3"].value is True
    assert values["A4"].value == "#N/A"
    assert values["A5"].value == "#NUM!"
    assert values["A6"].value == 0
    assert values["A7"].value == 46418  # the date serial, as Excel stores dates
    assert values["A8"].value == "#NUM!"
    assert values["A9"].value is None  # openpyxl reads an empty text result as None
    assert [(e.address, e.error) for e in result.errors] == [
        ("'Odd name''s sheet'!A4", "#N/A"),
        ("'Odd name''s sheet'!A5", "#NUM!"),
        ("'Odd name''s sheet'!A8", "#NUM!"),
    ]


def test_array_formulas_fill_their_range_like_excel(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = ArrayFormula("A1:A8", "=FUNNEL_BACKSOLVE(9, {0.5,0.5})")  # 3 values, 8 cells
    sheet["B1"] = ArrayFormula("B1:C2", "=2*3")  # a scalar repeats over the range
    sheet["D1"] = ArrayFormula("D1:D3", "=FUNNEL_BACKSOLVE(9, -1)")  # an error fills the range
    sheet["E1"] = ArrayFormula("E1:F3", "=FUNNEL_FORWARD(100, {0.5,0.5})")  # a column repeats
    book.save(tmp_path / "arrays.xlsx")
    recalculate(tmp_path / "arrays.xlsx", tmp_path / "out.xlsx")
    values = cached(tmp_path / "out.xlsx")
    assert [values.cell(r, 1).value for r in range(1, 9)] == [36, 18, 9] + ["#N/A"] * 5
    assert [[values.cell(r, c).value for c in (2, 3)] for r in (1, 2)] == [[6, 6], [6, 6]]
    assert [values.cell(r, 4).value for r in (1, 2, 3)] == ["#NUM!"] * 3
    assert [[values.cell(r, c).value for c in (5, 6)] for r in (1, 2, 3)] == [
        [100, 100],
        [50, 50],
        [25, 25],
    ]
    # a second pass over its own output gives the same file: the array cells it wrote are
    # not mistaken for constants that block the array
    recalculate(tmp_path / "out.xlsx", tmp_path / "again.xlsx")
    first, second = zipfile.ZipFile(tmp_path / "out.xlsx"), zipfile.ZipFile(tmp_path / "again.xlsx")
    for name in first.namelist():
        assert first.read(name) == second.read(name), name


def test_excel_shared_formulas_are_computed(tmp_path):
    """Excel writes a filled-down formula once and refers to it (``t="shared"``)."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in range(1, 4):
        sheet.cell(row, 1, row * 10)
        sheet.cell(row, 2, f"=A{row}*2")
    book.save(tmp_path / "plain.xlsx")
    source = zipfile.ZipFile(tmp_path / "plain.xlsx")
    xml = source.read("xl/worksheets/sheet1.xml")
    xml = xml.replace(b"<f>A1*2</f>", b'<f t="shared" ref="B1:B3" si="0">A1*2</f>')
    xml = xml.replace(b"<f>A2*2</f>", b'<f t="shared" si="0"/>')
    xml = xml.replace(b"<f>A3*2</f>", b'<f t="shared" si="0"/>')
    with zipfile.ZipFile(tmp_path / "shared.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            name = info.filename
            out.writestr(name, xml if name == "xl/worksheets/sheet1.xml" else source.read(name))
    result = recalculate(tmp_path / "shared.xlsx", tmp_path / "out.xlsx")
    assert result.formula_cells == 3
    assert [cached(tmp_path / "out.xlsx").cell(r, 2).value for r in (1, 2, 3)] == [20, 40, 60]
    out_xml = zipfile.ZipFile(tmp_path / "out.xlsx").read("xl/worksheets/sheet1.xml")
    assert b'<f t="shared" si="0"/><v>40</v>' in out_xml


def test_udf_examples_workbook_checks_are_all_true(tmp_path):
    source = ROOT / "workbooks" / "udf_examples.xlsx"
    before = source.read_bytes()
    result = run_cli("recalc", str(source), "-o", "examples.xlsx", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert source.read_bytes() == before
    book = openpyxl.load_workbook(tmp_path / "examples.xlsx", data_only=True)
    formulas = openpyxl.load_workbook(source)
    index = book["Index"]
    checked = 0
    for row in range(5, index.max_row + 1):
        name = index.cell(row, 1).value
        if not name:
            continue
        assert index.cell(row, 3).value is True, name
        assert book[name]["B3"].value is True, name
        # every individual check cell of the sheet (the AND in B3 lists them)
        refs = formulas[name]["B3"].value.removeprefix("=AND(").removesuffix(")").split(",")
        assert all(book[name][ref].value is True for ref in refs), name
        checked += len(refs)
    assert checked >= 30


def test_cli_summary_check_and_options(plan, tmp_path):
    result = run_cli("recalc", "plan.xlsx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "formula cells computed  12" in result.stdout
    assert "CustomersNeeded" in result.stdout
    assert (tmp_path / "plan.recalc.xlsx").exists()

    book = openpyxl.load_workbook(plan)
    book["Funnel"]["E1"] = "=1/0"
    book.save(tmp_path / "bad.xlsx")
    result = run_cli("recalc", "bad.xlsx", "-o", "checked.xlsx", "--check", cwd=tmp_path)
    assert result.returncode == 1
    assert "Funnel!E1" in result.stdout
    assert result.stderr.strip().splitlines() == [
        "Check failed: bad.xlsx: 1 cell holds an error value (first: Funnel!E1 #DIV/0!)"
    ]
    assert cached(tmp_path / "checked.xlsx", "Funnel")["E1"].value == "#DIV/0!"

    summary = json.loads(run_cli("recalc", "bad.xlsx", "--json", cwd=tmp_path).stdout)
    assert summary["errors"] == [{"cell": "Funnel!E1", "error": "#DIV/0!", "reason": None}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "x.xlsx", "--in-place"], "exclude each other"),
        (["-o", "plan.xlsx"], "is the input workbook; pass --in-place"),
        (["-o", "missing/out.xlsx"], "does not exist"),
    ],
)
def test_cli_refuses_bad_output_options(plan, tmp_path, args, message):
    before = plan.read_bytes()
    result = run_cli("recalc", "plan.xlsx", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr
    assert plan.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]


def test_recalc_does_not_import_pandas(plan, tmp_path):
    code = (
        "import sys\n"
        "from xl_funnel.cli import main\n"
        "sys.argv = ['xl-funnel', 'recalc', 'plan.xlsx']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('pandas' in sys.modules, 'formualizer' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip().splitlines()[-1] == "False True"


def test_namespace_prefixed_worksheet_xml_is_rewritten(plan, tmp_path):
    """Some generators write ``<x:c>`` with a prefixed SpreadsheetML namespace."""
    source = zipfile.ZipFile(plan)
    xml = re.sub(
        rb"<(/?)([A-Za-z]+)(?=[\s>/])", rb"<\1x:\2", source.read("xl/worksheets/sheet2.xml")
    )
    xml = xml.replace(b'<x:worksheet xmlns="', b'<x:worksheet xmlns:x="', 1)
    with zipfile.ZipFile(tmp_path / "prefixed.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            name = info.filename
            out.writestr(name, xml if name == "xl/worksheets/sheet2.xml" else source.read(name))
    result = recalculate(tmp_path / "prefixed.xlsx", tmp_path / "out.xlsx")
    assert result.formula_cells == 12
    funnel = cached(tmp_path / "out.xlsx", "Funnel")
    volumes = xf.backsolve(10, RATES).tolist()
    assert [funnel.cell(row, 2).value for row in range(3, 9)] == pytest.approx(volumes)
    written = zipfile.ZipFile(tmp_path / "out.xlsx").read("xl/worksheets/sheet2.xml")
    assert b"<x:f>CUSTOMERS_NEEDED(NewRevenueGoal, AvgDealSize)</x:f><x:v>10</x:v></x:c>" in written

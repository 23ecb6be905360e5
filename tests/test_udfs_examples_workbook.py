"""``workbooks/udf_examples.xlsx``: committed, up to date, and laid out as documented."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

import xl_funnel as xf
from xl_funnel.excel import examples_workbook
from xl_funnel.excel.registry import FUNCTIONS, get

REGENERATE = "python -m xl_funnel.excel.examples_workbook"


@pytest.fixture(scope="module")
def generated() -> bytes:
    return examples_workbook.workbook_bytes()


@pytest.fixture(scope="module")
def book(generated: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(generated))


def test_committed_workbook_is_up_to_date(generated):
    committed = examples_workbook.DEFAULT_PATH.read_bytes()
    assert committed == generated, f"workbooks/udf_examples.xlsx is stale: run {REGENERATE}"


def test_bytes_are_deterministic(generated):
    archive = zipfile.ZipFile(io.BytesIO(generated))
    assert {info.date_time for info in archive.infolist()} == {(2026, 1, 1, 0, 0, 0)}
    core = archive.read("docProps/core.xml").decode()
    assert "<dcterms:modified" in core
    assert "2026-01-01T00:00:00Z" in core


def test_one_sheet_per_function_and_an_index(book):
    assert book.sheetnames == ["Index", *(spec.name for spec in FUNCTIONS)]
    index = book["Index"]
    for row, spec in enumerate(FUNCTIONS, start=5):
        assert index.cell(row=row, column=1).value == spec.name
        assert index.cell(row=row, column=3).value == f"='{spec.name}'!B3"


def _formulas(book: openpyxl.Workbook) -> list[str]:
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, ArrayFormula):
                    texts.append(value.text)
                elif cell.data_type == "f":
                    texts.append(value)
    return texts


def test_formulas_use_plain_function_names_only(book):
    texts = _formulas(book)
    assert texts
    for text in texts:
        assert "_xlfn" not in text
        assert "_xludf" not in text
        assert text.startswith("=")


def _result_blocks(sheet):
    """(formula, result anchor cell, expected values) of each example on a sheet."""
    blocks = []
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == "Result" and cell.column == 2:
                anchor = sheet.cell(row=cell.row + 1, column=2)
                blocks.append(anchor)
    return blocks


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_each_example_has_formula_expected_values_and_checks(book, spec):
    sheet = book[spec.name]
    anchors = _result_blocks(sheet)
    examples = spec.examples + spec.bad_examples
    assert len(anchors) == len(examples)
    check_cells = []
    for anchor, example in zip(anchors, examples, strict=True):
        expected = spec(*example.args)
        rows = expected if isinstance(expected, list) else [[expected]]
        height, width = len(rows), len(rows[0])
        value = anchor.value
        if height == 1 and width == 1:
            assert isinstance(value, str)
            assert value.startswith(f"={spec.name}(")
        else:
            # An array formula over exactly the result range (see the module docstring).
            assert isinstance(value, ArrayFormula)
            assert value.text.startswith(f"={spec.name}(")
            first, last = value.ref.split(":")
            assert first == anchor.coordinate
            bottom = sheet.cell(row=anchor.row + height - 1, column=anchor.column + width - 1)
            assert last == bottom.coordinate
        expected_column = anchor.column + width + 1
        for r, values in enumerate(rows):
            for c, want in enumerate(values):
                got = sheet.cell(row=anchor.row + r, column=expected_column + c).value
                # openpyxl writes 16 significant digits, a little under a float's 17
                assert got == (want if isinstance(want, str) else pytest.approx(want, rel=1e-15))
            check = sheet.cell(row=anchor.row + r, column=expected_column + width + 1)
            assert check.value.startswith("=")
            check_cells.append(check.coordinate)
    assert sheet["B3"].value == f"=AND({','.join(check_cells)})"


def test_expected_values_are_the_cores(book):
    sheet = book["FUNNEL_BACKSOLVE"]
    anchor = _result_blocks(sheet)[0]
    expected = [sheet.cell(row=anchor.row + r, column=anchor.column + 2).value for r in range(6)]
    core = xf.backsolve(9, [0.015, 0.2, 0.2, 0.4, 0.5], periods=12).tolist()
    assert expected == pytest.approx(core, rel=1e-15)
    assert get("FUNNEL_BACKSOLVE").examples[0].args[2] == 12.0


def test_bad_input_blocks_expect_error_values(book):
    sheet = book["FUNNEL_BACKSOLVE"]
    labels = [cell.value for cell in sheet["A"] if str(cell.value).startswith("Bad input")]
    assert labels == [f"Bad input {n}" for n in range(1, 5)]
    anchor = _result_blocks(sheet)[len(get("FUNNEL_BACKSOLVE").examples)]
    assert sheet.cell(row=anchor.row, column=anchor.column + 2).value == "#NUM!"
    check = sheet.cell(row=anchor.row, column=anchor.column + 4).value
    assert check == f"=IFERROR(ERROR.TYPE({anchor.coordinate}),0)=6"


def test_check_formulas_test_type_and_tolerance(book):
    sheet = book["FUNNEL_RATES"]
    anchor = _result_blocks(sheet)[1]  # 0.99, 0, #DIV/0!
    checks = [sheet.cell(row=anchor.row + r, column=anchor.column + 4).value for r in range(3)]
    assert checks[0] == (
        f"=IFERROR(AND(ISNUMBER({anchor.coordinate}),ABS({anchor.coordinate}-D{anchor.row})"
        f"<=1E-9*MAX(1,ABS(D{anchor.row}))),FALSE)"
    )
    assert checks[2] == f"=IFERROR(ERROR.TYPE(B{anchor.row + 2}),0)=2"


def test_main_writes_atomically(tmp_path):
    target = tmp_path / "examples.xlsx"
    examples_workbook.main([str(target)])
    assert target.read_bytes() == examples_workbook.workbook_bytes()
    assert [path.name for path in tmp_path.iterdir()] == ["examples.xlsx"]

"""Built-ins registered in Excel's documented form (FLOOR.MATH, CEILING.MATH, MMULT, VALUE):
computed by ``recalculate`` on the examples of Microsoft's pages and compared with
LibreOffice headless."""

from __future__ import annotations

import html
from pathlib import Path

import openpyxl
import pytest

from tests import libreoffice
from tests.data.recalc.raw_books import cells, raw_book
from tests.validated import assert_opens_in_excel as assert_valid
from xl_funnel.recalc.workflow import recalculate


def _formulas(formulas: list[str]) -> dict[int, str]:
    return {row: f'<c r="A{row}"><f>{text}</f></c>' for row, text in enumerate(formulas, 1)}


def _both(tmp_path: Path, name: str, rows: dict[int, str], column: str = "A", **book):
    """Our values and LibreOffice's of ``column`` in each row of ``rows``, and the result."""
    source = raw_book(tmp_path / f"{name}.xlsx", sheets={"S": cells(rows)}, **book)
    result = recalculate(source, tmp_path / f"{name}.out.xlsx")
    assert_valid(tmp_path / f"{name}.out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / f"{name}.out.xlsx", data_only=True)["S"]
    theirs = libreoffice.values(libreoffice.recalculate(source, tmp_path / "lo"))
    refs = [f"{column}{row}" for row in rows]
    return [sheet[ref].value for ref in refs], [theirs[("S", ref)] for ref in refs], result


# Microsoft's "FLOOR.MATH function" and "CEILING.MATH function" pages
FLOOR_MATH = {"24.3,5": 20, "6.7": 6, "-8.1,2": -10, "-5.5,2,-1": -4}
CEILING_MATH = {"24.3,5": 25, "6.7": 7, "-8.1,2": -8, "-5.5,2,-1": -6}
# beyond the pages: the significance's sign is ignored, 0 gives 0, mode 0 is no mode, a
# positive number ignores the mode, numeric text is read as VALUE reads it
MORE = ["-8.1,-2", "7,0", "-5.5,2,0", "5.5,2,1", '"$1,000.5",10', "-1.5"]


@pytest.mark.parametrize(
    ("name", "examples"), [("FLOOR.MATH", FLOOR_MATH), ("CEILING.MATH", CEILING_MATH)]
)
def test_floor_and_ceiling_math_as_excel_documents_them(tmp_path, name, examples):
    formulas = [f"_xlfn.{name}({args})" for args in [*examples, *MORE]]
    ours, theirs, result = _both(tmp_path, "math", _formulas(formulas))
    assert ours[: len(examples)] == list(examples.values())
    assert ours == theirs
    assert result.errors == []
    assert result.unsupported == {}


def test_floor_and_ceiling_math_typed_without_the_prefix(tmp_path):
    rows = {1: '<c r="A1"><f>FLOOR.MATH(-5.5,2,-1)</f></c><c r="B1"><f>CEILING.MATH(-5.5,2,-1)'}
    rows[1] += "</f></c>"
    source = raw_book(tmp_path / "plain.xlsx", sheets={"S": cells(rows)})
    recalculate(source, tmp_path / "plain.out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "plain.out.xlsx", data_only=True)["S"]
    assert (sheet["A1"].value, sheet["B1"].value) == (-4, -6)


def test_mmult_as_excel_documents_it(tmp_path):
    """Microsoft's "MMULT function" page: {1,3;7,2} times {2,0;0,2} is {2,6;14,4}, entered
    as an array formula over two rows and two columns; cells beyond the product are #N/A."""
    rows = {
        1: '<c r="A1"><v>1</v></c><c r="B1"><v>3</v></c><c r="C1"><v>2</v></c><c r="D1"><v>0</v>'
        "</c>",
        2: '<c r="A2"><v>7</v></c><c r="B2"><v>2</v></c><c r="C2"><v>0</v></c><c r="D2"><v>2</v>'
        '</c><c r="F2"><f>SUM(MMULT(A1:B2,C1:D2))</f></c><c r="G2"><f>MMULT({1,2},{3;4})</f></c>'
        '<c r="H2"><f>INDEX(MMULT(A1:B2,C1:D2),2,1)</f></c><c r="I2"><f>MMULT(2,3)</f></c>',
        3: '<c r="A3"><v>1</v></c><c r="B3" t="inlineStr"><is><t>x</t></is></c>'
        # columns of array1 unlike rows of array2; a text cell; an empty cell
        '<c r="F3"><f>MMULT(A1:B2,A1:A3)</f></c><c r="G3"><f>MMULT(A3:B3,C1:C2)</f></c>'
        '<c r="H3"><f>MMULT(A3:A4,C1:D1)</f></c>',
        5: '<c r="A5"><f t="array" ref="A5:C7">MMULT(A1:B2,C1:D2)</f></c>',
    }
    source = raw_book(tmp_path / "mmult.xlsx", sheets={"S": cells(rows)})
    result = recalculate(source, tmp_path / "mmult.out.xlsx")
    assert_valid(tmp_path / "mmult.out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "mmult.out.xlsx", data_only=True)["S"]
    block = [[sheet.cell(row, col).value for col in range(1, 4)] for row in range(5, 8)]
    assert block == [[2, 6, "#N/A"], [14, 4, "#N/A"], ["#N/A", "#N/A", "#N/A"]]
    refs = ["F2", "G2", "H2", "I2", "F3", "G3", "H3"]
    ours = [sheet[ref].value for ref in refs]
    assert ours == [26, 11, 14, 6, "#VALUE!", "#VALUE!", "#VALUE!"]
    assert result.unsupported == {}
    theirs = libreoffice.values(libreoffice.recalculate(source, tmp_path / "lo"))
    assert [[theirs[("S", f"{c}{r}")] for c in "ABC"] for r in range(5, 8)] == block
    assert [theirs[("S", ref)] for ref in refs] == ours


# What formualizer's VALUE read right (kept) and what it refused (corrected: "$1,000",
# "1,000", "(5)", …), then texts Excel and LibreOffice both refuse.
VALUE_TEXTS = [
    *["12%", " 3 ", "1e3", "1E-2", "1.5e+2", "-5", "+5", ".5", "5.", "5 %"],
    *["2020-01-05", "2020-1-5", "1/5/2020", "1/5/20", "5-Jan-2020", "Jan 5, 2020"],
    *["January 5, 2020", "Jan-2020", "2020-01-05 12:00", "1/5/2020 6:00 PM", "3/1/1900"],
    *["12/31/9999", "12:00", "3:30 PM", "3:30:15", "12:00:00 AM", "12:30 am", "1:2:3"],
    *["10:00:00.5", "12 PM", "25:00"],
    *["$1,000", "1,000", "(5)", "1,000.50", "1,000,000", "$-5", "-$5", "($5)"],
    *["1,00", "12,34,567", "1,0000", ",5", "(5%)", "5%%", "-(5)", "(-5)", "--5", "  ", "abc"],
    *["1 000", "1.2.3", "0x10", "1_000", "€5", "$", "%", "2020/01/05", "5 Jan 2020", "5-Jan"],
    *["13/1/2020", "2/30/2020", "2020-13-01"],
]


def _value_rows(texts: list[str]) -> dict[int, str]:
    return {
        row: f'<c r="A{row}" t="inlineStr"><is><t xml:space="preserve">{html.escape(text)}</t>'
        f'</is></c><c r="B{row}"><f>VALUE(A{row})</f></c>'
        for row, text in enumerate(texts, 1)
    }


def test_value_reads_text_as_excel_documents_it(tmp_path):
    ours, theirs, _ = _both(tmp_path, "value", _value_rows(VALUE_TEXTS), column="B")
    mine = dict(zip(VALUE_TEXTS, ours, strict=True))
    assert {text: mine[text] for text in ["$1,000", "1,000", "(5)", "12%", " 3 ", "1e3"]} == {
        "$1,000": 1000,
        "1,000": 1000,
        "(5)": -5,
        "12%": 0.12,
        " 3 ": 3,
        "1e3": 1000,
    }
    assert (mine["2020-01-05"], mine["1/5/2020"], mine["12:00"]) == (43835, 43835, 0.5)
    for text, a, b in zip(VALUE_TEXTS, ours, theirs, strict=True):
        # LibreOffice writes 15 significant digits
        assert a == (b if isinstance(b, str) else pytest.approx(b, rel=1e-12)), text


def test_value_where_libreoffice_is_not_excel(tmp_path):
    """Serial 1 is 1 January 1900 in Excel (LibreOffice says 2), 60 is Excel's phantom
    29 February 1900, and Excel refuses dates before 1900 and an empty text."""
    texts = ["1/1/1900", "2/29/1900", "12/31/1899", "", "1e400"]
    source = raw_book(tmp_path / "v.xlsx", sheets={"S": cells(_value_rows(texts))})
    recalculate(source, tmp_path / "v.out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "v.out.xlsx", data_only=True)["S"]
    assert [sheet[f"B{row}"].value for row in range(1, 6)] == [1, 60, *["#VALUE!"] * 3]


def test_value_in_a_workbook_counting_dates_from_1904(tmp_path):
    texts = ["1/5/2020", "1/2/1904 12:00", "1,000", "12:00"]
    ours, theirs, _ = _both(
        tmp_path, "v1904", _value_rows(texts), column="B", workbook_pr='date1904="1"'
    )
    assert ours == [42373, 1.5, 1000, 0.5] == theirs


def test_text_in_a_workbook_counting_dates_from_1904(tmp_path):
    # a date is a serial counted from 1 January 1904 there: TEXT shows the same calendar day
    rows = {
        1: '<c r="A1"><f>TEXT(DATE(2020,1,5),"yyyy-mm-dd")</f></c>',
        2: '<c r="A2"><f>TEXT(0,"d mmm yyyy")</f></c>',
        3: '<c r="A3"><f>TEXT("1/5/2020","yyyy-mm-dd")</f></c>',
        4: '<c r="A4"><f>TEXT(1.5,"0.00")</f></c>',  # a number is no date: unchanged
    }
    ours, theirs, _ = _both(tmp_path, "t1904", rows, workbook_pr='date1904="1"')
    assert ours == ["2020-01-05", "1 Jan 1904", "2020-01-05", "1.50"] == theirs


def test_corrected_functions_apply_item_by_item_to_arrays(tmp_path):
    """In SUMPRODUCT and array formulas the engine hands a registered function a whole range:
    each single-value function is applied to every item, as the built-in was."""

    def text(row: int, value: str) -> str:
        return f'<c r="A{row}" t="inlineStr"><is><t>{value}</t></is></c>'

    rows = {
        1: text(1, "1,000") + '<c r="B1"><v>-5.5</v></c>'
        '<c r="C1"><f>SUMPRODUCT(VALUE(A1:A3))</f></c>'
        '<c r="D1"><f>SUMPRODUCT(_xlfn.FLOOR.MATH(B1:B3,2,-1))</f></c>'
        '<c r="E1"><f>SUMPRODUCT(CEILING(B1:B3,0.5))</f></c>',
        2: text(2, "2") + '<c r="B2"><v>3.5</v></c>'
        '<c r="C2"><f t="array" ref="C2">SUM(VALUE(A1:A3))</f></c>',
        3: text(3, "3%") + '<c r="B3"><v>-8.1</v></c>',
        5: '<c r="C5"><f t="array" ref="C5:C7">VALUE(A1:A3)</f></c>'
        '<c r="D5"><f t="array" ref="D5:D7">_xlfn.CEILING.MATH(B1:B3,2,-1)</f></c>',
    }
    source = raw_book(tmp_path / "arrays.xlsx", sheets={"S": cells(rows)})
    recalculate(source, tmp_path / "arrays.out.xlsx")
    assert_valid(tmp_path / "arrays.out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "arrays.out.xlsx", data_only=True)["S"]
    refs = ["C1", "D1", "E1", "C2", "C5", "C6", "C7", "D5", "D6", "D7"]
    ours = [sheet[ref].value for ref in refs]
    assert ours == [1002.03, -10, -10, 1002.03, 1000, 2, 0.03, -6, 4, -10]
    theirs = libreoffice.values(libreoffice.recalculate(source, tmp_path / "lo"))
    assert [theirs[("S", ref)] for ref in refs] == ours


def test_the_names_table_says_where_each_implementation_lives_and_its_arguments():
    """corrected_names.py (read before anything is imported) names each corrected built-in's
    module, function and argument counts; corrected.py imports them on demand."""
    import importlib
    import inspect

    from xl_funnel.recalc.corrected import CORRECTED, CORRECTED_1904
    from xl_funnel.recalc.corrected_names import (
        CORRECTED_1904_SOURCES,
        CORRECTED_ARITY,
        CORRECTED_SOURCES,
    )

    assert list(CORRECTED) == list(CORRECTED_SOURCES) == list(CORRECTED_ARITY)
    assert list(CORRECTED_1904) == list(CORRECTED_1904_SOURCES) == ["VALUE", "TEXT"]
    for sources in (CORRECTED_SOURCES, CORRECTED_1904_SOURCES):
        for module, attribute, low, high, _ in sources.values():
            function = getattr(importlib.import_module(f"xl_funnel.recalc.{module}"), attribute)
            signature = inspect.signature(function)
            # it takes the fewest and the most arguments the engine lets a formula pass
            signature.bind(*[0] * low)
            signature.bind(*[0] * high)
    # the _xlfn. spelling of a name is the same function as the plain one
    assert CORRECTED["_XLFN.CEILING.MATH"][0] is CORRECTED["CEILING.MATH"][0]
    assert CORRECTED["FLOOR"][0]([[-2.5, 2.5]], -2) == [[-2.0, {"type": "Error", "kind": "Num"}]]
    assert CORRECTED_1904["VALUE"][0]("1/2/1904") == 1.0
    assert CORRECTED["VALUE"][0]("1/2/1904") == 1463.0
    with pytest.raises(KeyError):
        CORRECTED["SUM"]

"""Workbooks as Excel saves them: tables, implicit intersection, legacy arrays, 1904 dates,
Strict files, pretty-printed and prefixed XML, exact text, 3-D/union/intersection references,
whole columns. Expected values are those of Excel's documentation for each feature."""

from __future__ import annotations

import contextlib
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.data.recalc.raw_books import cells, raw_book, table_xml
from tests.ooxml import problems
from tests.validated import assert_opens_in_excel as assert_valid
from xl_funnel.recalc.errors import WorkbookError
from xl_funnel.recalc.sheet_xml import SheetXml
from xl_funnel.recalc.workflow import recalculate


def _text(value: str) -> str:
    return f'<c r="{value[0]}" t="inlineStr"><is><t>{value[1]}</t></is></c>'


def _run(tmp_path: Path, name: str, valid=True, **book) -> tuple[object, openpyxl.Workbook]:
    source = raw_book(tmp_path / f"{name}.xlsx", **book)
    result = recalculate(source, tmp_path / f"{name}.out.xlsx")
    if valid:
        assert_valid(tmp_path / f"{name}.out.xlsx")
    return result, openpyxl.load_workbook(tmp_path / f"{name}.out.xlsx", data_only=True)


def _rates_sheet(extra_c: str = "", extra_d: str = "") -> str:
    # Stage | Rate table over A1:B4 (header, two data rows, a totals row)
    return cells(
        {
            1: _text(("A1", "Stage")) + _text(("B1", "Rate")),
            2: _text(("A2", "Leads"))
            + '<c r="B2"><v>0.5</v></c><c r="C2"><f>Rates[@Rate]*2</f></c>',
            3: _text(("A3", "MQLs"))
            + '<c r="B3"><v>0.25</v></c><c r="C3"><f>Rates[[#This Row],[Rate]]*4</f></c>',
            4: _text(("A4", "Total")) + '<c r="B4"><f>SUBTOTAL(109,Rates[Rate])</f></c>',
            6: '<c r="A6"><v>10</v></c>'
            '<c r="B6"><f>FUNNEL_BACKSOLVE(A6, Rates[Rate])</f></c>'
            '<c r="C6"><f>SUM(Rates[Rate])</f></c><c r="D6"><f>COUNTA(Rates[#All])</f></c>'
            '<c r="E6"><f>Rates[[#Totals],[Rate]]</f></c>'
            '<c r="F6"><f>COUNTA(Rates[#Headers])</f></c>'
            '<c r="G6"><f>COUNTA(Rates[[Stage]:[Rate]])</f></c>',
        }
    )


def test_structured_references_resolve_to_the_tables_cells(tmp_path):
    table = table_xml("A1:B4", "Rates", ["Stage", "Rate"], totals=True)
    result, book = _run(
        tmp_path, "tables", sheets={"Plan": _rates_sheet()}, tables={"Plan": [table]}
    )
    sheet = book["Plan"]
    assert (sheet["C2"].value, sheet["C3"].value) == (1, 1)  # this row's rate, x2 and x4
    assert sheet["B4"].value == 0.75
    # FUNNEL_BACKSOLVE(10, {0.5; 0.25}) = [80, 40, 10]: the top of the spill in a plain cell
    assert sheet["B6"].value == 80
    assert (sheet["C6"].value, sheet["D6"].value, sheet["E6"].value) == (0.75, 8, 0.75)
    assert (sheet["F6"].value, sheet["G6"].value) == (2, 4)
    assert result.errors == []
    assert result.missing == []
    # only the engine's copy changed: the output keeps the structured references
    xml = zipfile.ZipFile(tmp_path / "tables.out.xlsx").read("xl/worksheets/sheet1.xml")
    assert b"<f>FUNNEL_BACKSOLVE(A6, Rates[Rate])</f>" in xml


@pytest.mark.ooxml_from_input(
    "formula syntax: unexpected character",
    reason="the input's [@Rate] outside a table, which the output keeps as the user wrote it",
)
def test_a_this_row_reference_outside_every_table_is_that_cells_error_alone(tmp_path):
    # [@Rate] with no table name outside the table (openpyxl lets anyone write it; Excel
    # cannot hold it): the engine would refuse the whole workbook over it. The cell alone is
    # #NAME?, listed, and every other formula is computed.
    table = table_xml("A1:B4", "Rates", ["Stage", "Rate"], totals=True)
    stray = '<c r="H2"><f>[@Rate]*2</f></c><c r="I2"><f>[[#This Row],[Rate]]+1</f></c>'
    first, second, rest = _rates_sheet().split("</row>", 2)
    sheet_xml = f"{first}</row>{second}{stray}</row>{rest}"  # at the end of row 2
    result, book = _run(
        tmp_path, "stray", valid=False, sheets={"Plan": sheet_xml}, tables={"Plan": [table]}
    )
    # the finding is the input's own: the output adds none
    assert problems(tmp_path / "stray.out.xlsx") == problems(tmp_path / "stray.xlsx") != []
    sheet = book["Plan"]
    assert (sheet["H2"].value, sheet["I2"].value) == ("#NAME?", "#NAME?")
    assert [(e.address, e.error) for e in result.errors] == [
        ("Plan!H2", "#NAME?"),
        ("Plan!I2", "#NAME?"),
    ]
    assert (sheet["C2"].value, sheet["C3"].value, sheet["B4"].value) == (1, 1, 0.75)


def test_implicit_intersection_takes_the_formulas_own_row(tmp_path):
    # Excel: =P2:P16 typed in row 5 of a plain formula is P5 (Microsoft, "Implicit
    # intersection operator: @"); outside the range's rows it is #VALUE!
    rows = {r: f'<c r="P{r}"><v>{r * 10}</v></c>' for r in range(2, 17)}
    rows[5] = '<c r="A5"><f>P2:P16</f></c><c r="B5"><f>P2:P16*2</f></c>' + rows[5]
    rows[20] = '<c r="A20"><f>P2:P16</f></c><c r="B20"><f>SUM(P2:P16)</f></c>'
    # how Excel 365 writes =@P2:P16 in the file
    rows[5] = rows[5].replace('<c r="P5">', '<c r="C5"><f>_xlfn.SINGLE(P2:P16)</f></c><c r="P5">')
    _, book = _run(tmp_path, "implicit", sheets={"S": cells(rows)})
    sheet = book["S"]
    assert (sheet["A5"].value, sheet["B5"].value, sheet["C5"].value) == (50, 100, 50)
    assert (sheet["A20"].value, sheet["B20"].value) == ("#VALUE!", sum(range(20, 170, 10)))


@pytest.mark.ooxml_false_positive(
    "D2: cell D2 holds a formula inside the array formula range of D1",
    reason='Excel writes <f ca="1"/> into the other cells of a volatile array formula',
)
def test_legacy_array_formulas_fill_cell_by_cell(tmp_path):
    body = cells(
        {
            1: '<c r="A1"><f t="array" ref="A1:A3">ROW(A1:A3)*2</f><v>0</v></c>'
            '<c r="B1"><v>5</v></c><c r="C1"><v>7</v></c>'
            # a volatile array: Excel writes <f ca="1"/> into its other cells
            '<c r="D1"><f t="array" ref="D1:D2" ca="1">OFFSET(B1,0,0,2,1)</f><v>0</v></c>',
            2: '<c r="A2"><v>0</v></c><c r="B2"><v>6</v></c><c r="D2"><f ca="1"/><v>0</v></c>',
            3: '<c r="A3"><v>0</v></c>',
            # a whole row in an array: the cells past the used part read 0, as in Excel
            5: '<c r="A5"><f t="array" ref="A5:F5">S!1:1</f><v>0</v></c>',
        }
    )
    # The validator calls Excel's own <f ca="1"/> in an array's cells an error; the output
    # keeps every formula element of the input, so it is checked without that array below.
    result, book = _run(tmp_path, "arrays", valid=False, sheets={"S": body})
    sheet = book["S"]
    assert [sheet.cell(r, 1).value for r in (1, 2, 3)] == [2, 4, 6]
    assert [sheet.cell(r, 4).value for r in (1, 2)] == [5, 6]
    assert [sheet.cell(5, c).value for c in range(1, 7)] == [2, 5, 7, 5, 0, 0]
    assert result.errors == []
    assert result.missing == []
    plain = re.sub(r'<c r="D\d">.*?</c>', "", body)
    _run(tmp_path, "arrays_plain", sheets={"S": plain})


def test_1904_date_system(tmp_path):
    # Excel: in the 1904 date system DATE(2020,1,1) is 42369 (1900 system: 43831)
    body = cells({1: '<c r="A1"><f>DATE(2020,1,1)</f></c><c r="B1"><f>YEAR(A1)</f></c>'})
    _run(tmp_path, "d1904", sheets={"S": body}, workbook_pr='date1904="1"')
    raw = zipfile.ZipFile(tmp_path / "d1904.out.xlsx").read("xl/worksheets/sheet1.xml")
    assert b"<v>42369</v>" in raw
    assert b"<v>2020</v>" in raw


def test_pretty_printed_and_prefixed_sheet_xml_are_read(tmp_path):
    pretty = (
        '<sheetData>\n  <row r="1">\n    <c r="A1">\n      <v>21</v>\n    </c>\n'
        '    <c r="B1">\n      <f>A1*2</f>\n      <v>0</v>\n    </c>\n  </row>\n</sheetData>'
    )
    result, book = _run(tmp_path, "pretty", sheets={"S": pretty})
    assert book["S"]["B1"].value == 42
    assert result.formula_cells == 1
    body = cells({1: '<c r="A1"><v>21</v></c><c r="B1"><f>A1*2</f><v>0</v></c>'})
    result, book = _run(tmp_path, "prefixed", sheets={"S": body}, prefix="x")
    assert book["S"]["B1"].value == 42
    assert result.formula_cells == 1


def test_strict_open_xml_is_refused_saying_how_to_save_it(tmp_path):
    source = raw_book(tmp_path / "strict.xlsx", sheets={"S": cells({})}, strict=True)
    with pytest.raises(WorkbookError, match=r"Strict Open XML.*Excel Workbook"):
        recalculate(source, tmp_path / "out.xlsx")


def test_a_first_sheet_named_sheet1_in_lower_case_is_computed(tmp_path):
    # formualizer 0.13 loses every formula of a first sheet called "sheet1" (any case but
    # "Sheet1"): the engine's copy spells it "Sheet1"; the output keeps the user's name
    body = cells(
        {
            1: '<c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B2" si="0">A1*2</f>'
            '<v>99</v></c><c r="C1"><f>sheet1!A1*3+Data!A1</f></c>',
            2: '<c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>99</v></c>',
        }
    )
    data = cells({1: '<c r="A1"><v>5</v></c><c r="B1"><f>SHEET1!B2</f></c>'})
    result, book = _run(tmp_path, "gap", sheets={"sheet1": body, "Data": data})
    assert [book["sheet1"][c].value for c in ("B1", "B2", "C1")] == [2, 4, 8]
    assert book["Data"]["B1"].value == 4
    assert result.missing == []
    assert book.sheetnames == ["sheet1", "Data"]


def test_no_silent_gap_a_data_table_is_listed_with_its_cached_values_kept(tmp_path):
    # a What-If data table (Data > What-If Analysis): the engine cannot compute it
    body = cells(
        {
            1: '<c r="A1"><v>3</v></c><c r="B1"><f>A1*2</f></c><c r="C1"><f>SUM(B2:B3)</f></c>',
            2: '<c r="A2"><v>1</v></c>'
            '<c r="B2"><f t="dataTable" ref="B2:B3" dt2D="0" dtr="0" r1="A1"/><v>2</v></c>',
            3: '<c r="A3"><v>2</v></c><c r="B3"><v>4</v></c>',
        }
    )
    result, book = _run(tmp_path, "table_what_if", sheets={"S": body})
    assert [m.address for m in result.missing] == ["S!B2", "S!B3"]
    assert "data table" in result.missing[0].reason
    sheet = book["S"]
    assert [sheet[c].value for c in ("B1", "B2", "B3", "C1")] == [6, 2, 4, 6]
    assert result.errors == []


def test_text_is_written_exactly(tmp_path):
    body = cells(
        {
            1: '<c r="A1"><f>"a"&amp;CHAR(13)&amp;"b"</f></c>'
            '<c r="B1"><f>"_x0041_"</f></c><c r="C1"><f>REPT("x",32767)&amp;"y"</f></c>'
            '<c r="D1"><f>REPT("x",32767)</f></c>'
        }
    )
    _run(tmp_path, "text", sheets={"S": body})
    raw = zipfile.ZipFile(tmp_path / "text.out.xlsx").read("xl/worksheets/sheet1.xml")
    assert b"<v>a_x000D_b</v>" in raw  # Excel's escape: a raw CR reaches readers as a LF
    assert b"<v>_x005F_x0041_</v>" in raw  # shown by Excel as typed, not as "A"
    assert re.search(rb'<c r="C1" t="e"><f>[^<]*</f><v>#VALUE!</v>', raw)  # over 32,767
    assert re.search(rb'<c r="D1" t="str"><f>[^<]*</f><v>x{32767}</v>', raw)


def test_three_d_union_and_intersection_references(tmp_path):
    sheets = {
        "Jan": cells(
            {
                1: '<c r="A1"><v>1</v></c><c r="B1"><f>SUM(Jan:Mar!A1)</f></c>'
                '<c r="C1"><f>RANK(B2,(B2,B3,B4))</f></c><c r="D1"><f>SUM((B2,B3:B4))</f></c>'
                '<c r="E1"><f>SUM(C2:D3 D3:E4)</f></c><c r="F1"><f>C2:D3 E5:E6</f></c>',
                2: '<c r="B2"><v>7</v></c>',
                3: '<c r="B3"><v>3</v></c><c r="D3"><v>11</v></c>',
                4: '<c r="B4"><v>9</v></c>',
            }
        ),
        "Feb": cells({1: '<c r="A1"><v>2</v></c>'}),
        "Mar": cells({1: '<c r="A1"><v>3</v></c>'}),
    }
    _, book = _run(tmp_path, "refs", sheets=sheets)
    sheet = book["Jan"]
    assert sheet["B1"].value == 6  # 1 + 2 + 3 over three sheets
    assert sheet["C1"].value == 2  # 7 is second largest of 7, 3, 9
    assert sheet["D1"].value == 19
    assert sheet["E1"].value == 11  # (C2:D3 D3:E4) is D3
    assert sheet["F1"].value == "#NULL!"  # no common cell


def test_whole_columns_and_rows_are_clipped_to_the_used_range(tmp_path):
    calls = "".join(
        f'<c r="{letter}1"><f>SUM(Data!A:A)+SUM(FUNNEL_FORWARD(100, Data!$B:$B))*0</f></c>'
        for letter in "ABCDEFGHIJKLMNOPQRST"
    )
    data = cells({r: f'<c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>0.5</v></c>' for r in (1, 2)})
    names = '<definedName name="Everything">Data!$1:$1048576</definedName>'
    names += '<definedName name="Twice">SUM(Everything)*2</definedName>'
    names += '<definedName name="Sheet">Data!$A$1:$XFD$1048576</definedName>'
    second = (
        '<c r="A2"><f>Twice</f></c><c r="B2"><f>SUM(Sheet)+COUNT(Data!$A$1:$XFD$1048576)</f></c>'
        '<c r="C2"><f>SUM(FUNNEL_FORWARD(100, Data!$B$1:$B$1048576))</f></c>'
    )
    sheets = {"S": cells({1: calls, 2: second}), "Data": data}
    started = time.perf_counter()
    result, book = _run(tmp_path, "whole", sheets=sheets, names=names)
    assert time.perf_counter() - started < 60  # the issue's "a minute"; normally well under 1 s
    assert [book["S"].cell(1, c).value for c in range(1, 21)] == [3] * 20
    assert book["S"]["A2"].value == 8  # (1 + 2 + 0.5 + 0.5) * 2
    assert book["S"]["B2"].value == 8  # 4 + four numbers
    assert book["S"]["C2"].value == 100 + 50 + 25  # two rates, not a million blanks
    assert result.errors == []


@pytest.mark.parametrize("size", [20_000, 200_000])
def test_sheet_xml_patterns_are_linear_on_adversarial_input(size):
    # cells and rows never closed, long attribute runs: each pattern fails fast
    hostile = [
        b'<worksheet><sheetData><row r="1">' + b'<c r="A1"><f>1</f>' * size,
        b"<worksheet><sheetData>" + b"<row " + b'a="1" ' * size,
        b"<worksheet><sheetData><row><c " + b"x " * size + b">",
        b'<worksheet><sheetData><row><c r="A1"><f>' + b"(" * size,
    ]
    for data in hostile:
        started = time.perf_counter()
        with contextlib.suppress(WorkbookError):
            SheetXml(data)
        assert time.perf_counter() - started < 5, data[:60]


def test_external_links_read_the_values_cached_in_the_file(tmp_path):
    external = (
        '<sheetNames><sheetName val="Sheet1"/><sheetName val="Q 2"/></sheetNames>'
        '<sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1"><v>5</v></cell></row>'
        '<row r="2"><cell r="A2"><v>7</v></cell></row></sheetData>'
        '<sheetData sheetId="1"><row r="3"><cell r="B3" t="str"><v>north</v></cell></row>'
        "</sheetData></sheetDataSet>"
    )
    body = cells(
        {
            1: '<c r="A1"><f>[1]Sheet1!A1*2</f><v>0</v></c><c r="B1"><f>A1+1</f></c>'
            '<c r="C1"><f>SUM([1]Sheet1!A1:A3)</f></c><c r="D1"><f>\'[1]Q 2\'!B3</f></c>'
            '<c r="E1"><f>[1]Missing!A1</f></c><c r="F1"><f>[Book.xlsx]Sheet1!A1</f></c>'
        }
    )
    result, book = _run(tmp_path, "external", sheets={"S": body}, external=external)
    sheet = book["S"]
    assert [sheet[c].value for c in ("A1", "B1", "C1", "D1")] == [10, 11, 12, "north"]
    assert sheet["E1"].value == "#REF!"  # a sheet the file caches nothing for
    assert sheet["F1"].value == "#REF!"  # a workbook by name (not Excel's [1]): no cache
    assert [e.address for e in result.errors] == ["S!E1", "S!F1"]


def test_implicit_intersection_inside_functions_equals_libreoffice(tmp_path):
    """Where a plain formula applies an operator to a range, Excel (and LibreOffice) take the
    cell in the formula's row; array-taking functions (SUMPRODUCT, LOOKUP, INDEX's array)
    compute over the whole range."""
    from tests import libreoffice

    formulas = {
        "B": "SUM(A1:A5*2)",
        "C": 'IF(A1:A5>20,"big","small")',
        "D": "SUMPRODUCT((A1:A5>20)*A1:A5)",
        "E": "LOOKUP(2,1/(A1:A5>20),A1:A5)",
        "F": "INDEX((A1:A5>20)*1,5)",
        "G": "2*A1:A5+SUM(A1:A5)",
    }
    rows = {r: f'<c r="A{r}"><v>{r * 10}</v></c>' for r in range(1, 6)}
    rows[3] += "".join(f'<c r="{col}3"><f>{text}</f></c>' for col, text in formulas.items())
    rows[3] = rows[3].replace(">20", "&gt;20")
    _, book = _run(tmp_path, "intersect", sheets={"S": cells(rows)})
    ours = {col: book["S"][f"{col}3"].value for col in formulas}
    assert ours == {"B": 60, "C": "big", "D": 120, "E": 50, "F": 1, "G": 210}
    theirs = libreoffice.values(
        libreoffice.recalculate(tmp_path / "intersect.xlsx", tmp_path / "lo")
    )
    # INDEX takes its first argument as an array in Excel (the non-array INDEX/MATCH idiom,
    # MATCH(1, INDEX((A=x)*(B=y), 0), 0)); LibreOffice intersects it (#VALUE! here)
    assert theirs[("S", "F3")] == "#VALUE!"
    assert {col: theirs[("S", f"{col}3")] for col in formulas if col != "F"} == {
        col: value for col, value in ours.items() if col != "F"
    }


def test_a_plain_formula_returning_several_values_keeps_the_first(tmp_path):
    # a plain (non-array) formula is a one-cell formula in Excel: OFFSET(…,3,1) shows its first
    # cell and TRANSPOSE its first item, even with the cells below or beside them occupied
    body = cells(
        {
            1: '<c r="A1"><v>5</v></c><c r="B1"><f>OFFSET(A1,0,0,3,1)</f></c>'
            '<c r="C1"><f>TRANSPOSE(A1:A3)</f></c><c r="D1"><v>1</v></c>',
            2: '<c r="A2"><v>6</v></c><c r="B2"><v>0</v></c>',
            3: '<c r="A3"><v>7</v></c>',
        }
    )
    result, book = _run(tmp_path, "plain_arrays", sheets={"S": body})
    assert (book["S"]["B1"].value, book["S"]["C1"].value) == (5, 5)
    assert result.errors == []


def test_names_standing_for_ranges_are_intersected_like_ranges(tmp_path):
    """``=Price*Qty`` in row 3, with Price and Qty naming columns: the third price times the
    third quantity in Excel (and LibreOffice), not the first ones."""
    from tests import libreoffice

    rows = {r: f'<c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>{r * 10}</v></c>' for r in range(1, 6)}
    rows[3] += (
        '<c r="C3"><f>Price*Qty</f></c><c r="D3"><f>Price</f></c>'
        '<c r="E3"><f>SUM(Price)</f></c><c r="F3"><f>Rate*2</f></c>'
    )
    names = (
        '<definedName name="Price">S!$A$1:$A$5</definedName>'
        '<definedName name="Qty">S!$B$1:$B$5</definedName>'
        '<definedName name="Rate">S!$B$1</definedName>'
    )
    _, book = _run(tmp_path, "names", sheets={"S": cells(rows)}, names=names)
    ours = {col: book["S"][f"{col}3"].value for col in "CDEF"}
    assert ours == {"C": 90, "D": 3, "E": 15, "F": 20}
    theirs = libreoffice.values(libreoffice.recalculate(tmp_path / "names.xlsx", tmp_path / "lo"))
    assert {col: theirs[("S", f"{col}3")] for col in "CDEF"} == ours


def test_ranges_passed_where_one_value_is_expected_equal_libreoffice(tmp_path):
    from tests import libreoffice

    formulas = {
        "C": "ABS(A1:A5)",
        "D": "VLOOKUP(A:A,A1:B5,2,0)",
        "E": "IF(A1:A5&gt;-3,B1:B5,0)",
        "G": "ROUND(B1:B5/7,3)",
    }
    rows = {r: f'<c r="A{r}"><v>{-r}</v></c><c r="B{r}"><v>{r}</v></c>' for r in range(1, 6)}
    rows[3] += "".join(f'<c r="{col}3"><f>{text}</f></c>' for col, text in formulas.items())
    # formualizer applies LEN to B1 alone where Excel applies it to each cell: named, not
    # passed off as right
    rows[3] += '<c r="H3"><f>SUMPRODUCT(LEN(B1:B5))</f></c>'
    result, book = _run(tmp_path, "scalars", sheets={"S": cells(rows)})
    ours = {col: book["S"][f"{col}3"].value for col in formulas}
    assert ours == {"C": 3, "D": 3, "E": 0, "G": 0.429}
    theirs = libreoffice.values(libreoffice.recalculate(tmp_path / "scalars.xlsx", tmp_path / "lo"))
    assert {col: theirs[("S", f"{col}3")] for col in formulas} == ours
    assert theirs[("S", "H3")] == 5
    assert result.unsupported == {"LEN over a range in an array formula or SUMPRODUCT": 1}


def test_ranges_passed_as_later_single_value_arguments_are_intersected(tmp_path):
    """``=ROUND(x,B1:B5)`` in row 3 rounds to B3's places in Excel, whatever else the formula
    holds: found by its own search, not only when something else in it needs rewriting."""
    from tests import libreoffice

    formulas = {
        "C": "ROUND(1.23456,B1:B5)",
        "D": 'MID("abcdef",B1:B5,2)',
        "E": "COUNTIF(A1:A5,A1:A5)",
        "F": "MONTH(DATE(2020,B1:B5,1))*100+DAY(DATE(2020,1,B1:B5))",
        "G": 'REPT("x",S!B1:B5)',
        "H": 'SUMIF(A1:A5,"&lt;0",B1:B5)',  # a sum range: the whole range, not intersected
    }
    rows = {r: f'<c r="A{r}"><v>{-r}</v></c><c r="B{r}"><v>{r}</v></c>' for r in range(1, 6)}
    rows[3] += "".join(f'<c r="{col}3"><f>{text}</f></c>' for col, text in formulas.items())
    _, book = _run(tmp_path, "later", sheets={"S": cells(rows)})
    ours = {col: book["S"][f"{col}3"].value for col in formulas}
    assert ours == {"C": 1.235, "D": "cd", "E": 1, "F": 303, "G": "xxx", "H": 15}
    theirs = libreoffice.values(libreoffice.recalculate(tmp_path / "later.xlsx", tmp_path / "lo"))
    assert {col: theirs[("S", f"{col}3")] for col in formulas} == ours

"""Omitted arguments of xl-funnel functions in ``xl-funnel recalc``: ``=F(a,,,b)`` means the
defaults, as in Excel with the xlwings add-in, while the files keep their formula text."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

import xl_funnel as xf
from xl_funnel.recalc.cell_values import OMITTED, to_adapter
from xl_funnel.recalc.limits import Limits
from xl_funnel.recalc.omitted_args import called_functions, mark_omitted, mark_omitted_in_sheet
from xl_funnel.recalc.scenarios import ScenarioRunner
from xl_funnel.recalc.workflow import recalculate

RATES = [0.015, 0.2, 0.2, 0.4, 0.5]
STAGES = ["Visits", "Leads", "MQLs", "SQLs", "Opportunities", "Customers"]
NAMES = {"CUSTOMERS_NEEDED", "FUNNEL_BACKSOLVE", "FUNNEL_RATES", "PACE"}
M = '"' + OMITTED + '"'
SHEET = "xl/worksheets/sheet1.xml"
_FORMULA_ELEMENT = re.compile(rb"<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>")


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("FUNNEL_BACKSOLVE(C1,B2:B6,,,,A2:A7)", f"FUNNEL_BACKSOLVE(C1,B2:B6,{M},{M},{M},A2:A7)"),
        (
            "FUNNEL_BACKSOLVE(C1, B2:B6, , , , A2:A7)",
            f"FUNNEL_BACKSOLVE(C1, B2:B6, {M}, {M}, {M}, A2:A7)",
        ),
        ("CUSTOMERS_NEEDED(,1)", f"CUSTOMERS_NEEDED({M},1)"),
        ("CUSTOMERS_NEEDED(1,2,)%", f"CUSTOMERS_NEEDED(1,2,{M})%"),
        ("customers_needed(1,,)", f"customers_needed(1,{M},{M})"),
        # nested inside another function, and another function nested inside ours
        ("SUM(FUNNEL_BACKSOLVE(C1,B2:B6,,TRUE))", f"SUM(FUNNEL_BACKSOLVE(C1,B2:B6,{M},TRUE))"),
        (
            "FUNNEL_BACKSOLVE(C1,IF(A1,,B2:B6),,)",
            f"FUNNEL_BACKSOLVE(C1,IF(A1,,B2:B6),{M},{M})",
        ),
        (
            "PACE(FUNNEL_RATES(A1:A6),,CUSTOMERS_NEEDED(1,,))",
            f"PACE(FUNNEL_RATES(A1:A6),{M},CUSTOMERS_NEEDED(1,{M},{M}))",
        ),
        # commas that separate nothing: in text, array constants, unions, sheet names
        ('PACE("a,,b",,1)', f'PACE("a,,b",{M},1)'),
        (
            "FUNNEL_BACKSOLVE(9,{0.5,0.5;0.5,0.5},,)",
            f"FUNNEL_BACKSOLVE(9,{{0.5,0.5;0.5,0.5}},{M},{M})",
        ),
        ("CUSTOMERS_NEEDED((A1,B1),,)", f"CUSTOMERS_NEEDED((A1,B1),{M},{M})"),
        ("CUSTOMERS_NEEDED('My, sheet'!A1,,)", f"CUSTOMERS_NEEDED('My, sheet'!A1,{M},{M})"),
        # text before the call that UTF-8 stores in 2, 3 and 4 bytes
        ('IF("é€😀"="x",0,PACE(1,,))', f'IF("é€😀"="x",0,PACE(1,{M},{M}))'),
        # nothing to mark
        ("FUNNEL_RATES()", "FUNNEL_RATES()"),
        ("FUNNEL_RATES( )", "FUNNEL_RATES( )"),
        ("IF(A1,,1)", "IF(A1,,1)"),
        ("FUNNEL_BACKSOLVE(C1,B2:B6)", "FUNNEL_BACKSOLVE(C1,B2:B6)"),
        ("CUSTOMERS_NEEDED(1,,", "CUSTOMERS_NEEDED(1,,"),  # unreadable: the engine reports it
    ],
)
def test_mark_omitted(formula, expected):
    assert mark_omitted(formula, NAMES) == expected


def test_omitted_marker_reaches_the_adapter_as_none():
    assert to_adapter(OMITTED) is None
    assert to_adapter([[OMITTED, 1.0]]) == [[OMITTED, 1.0]]  # a cell's text, not an argument
    assert to_adapter("x") == "x"


def test_called_functions_any_case_only_ours():
    parts = [b"<f>SUM(A1)+pace(1,2)</f>", b'<f>"FUNNEL_GAP"&amp;CHANNEL_ROI(1,2)</f>']
    assert called_functions(parts) == {"PACE", "CHANNEL_ROI"}
    assert called_functions([b"<f>SUM(A1)</f>"]) == frozenset()


def test_mark_omitted_in_sheet_unescapes_and_escapes_xml():
    data = (
        b'<c r="A1"><f>IF(B1&lt;0,"&lt;&amp;&gt;,,",PACE(1,,))</f><v>1</v></c>'
        b'<c r="A2"><f t="shared" ref="A2:A3" si="0">PACE(B2,,)</f></c>'
        b'<c r="A3"><f t="shared" si="0"/></c>'
    )
    marked = mark_omitted_in_sheet(data, {"PACE"})
    omitted = b'"' + OMITTED.encode() + b'"'
    assert marked == (
        b'<c r="A1"><f>IF(B1&lt;0,"&lt;&amp;&gt;,,",PACE(1,'
        + omitted
        + b","
        + omitted
        + b"))</f><v>1</v></c>"
        b'<c r="A2"><f t="shared" ref="A2:A3" si="0">PACE(B2,'
        + omitted
        + b","
        + omitted
        + b")</f></c>"
        b'<c r="A3"><f t="shared" si="0"/></c>'
    )
    unchanged = b'<c r="A1"><f>PACE(1,2)+IF(A1,,1)</f></c>'
    assert mark_omitted_in_sheet(unchanged, {"PACE"}) is unchanged


def omitted_book(path: Path) -> Path:
    """A workbook calling xl-funnel functions with omitted arguments in every form."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Plan"
    sheet["C1"] = 9
    for row, (rate, stage) in enumerate(zip([*RATES, None], STAGES, strict=True), start=2):
        sheet.cell(row, 1, stage)
        sheet.cell(row, 2, rate)
    sheet["D1"] = "=FUNNEL_BACKSOLVE(C1,B2:B6,,,,A2:A7)"
    sheet["G1"] = ArrayFormula("G1:H6", "=FUNNEL_BACKSOLVE(C1, B2:B6, , , , A2:A7)")
    sheet["J1"] = "=INDEX(funnel_backsolve(C1,B2:B6,12,,),1)"
    sheet["K1"] = '=IF(C1>0,SUM(FUNNEL_BACKSOLVE(C1,B2:B6,,TRUE)),"a,,b")'
    sheet["L1"] = '=IF(C1<0,"<&>,,",CUSTOMERS_NEEDED(10000000,1100000,))'
    sheet["M1"] = "=CUSTOMERS_NEEDED(10000000,1100000,0)"  # an explicit 0 stays a 0
    sheet["N1"] = "=SUM(FUNNEL_BACKSOLVE(9,{0.015,0.2,0.2,0.4,0.5},,,))"
    for row in range(10, 13):  # a shared formula: its text on the first cell only
        sheet.cell(row, 1, row * 1e6)
        sheet.cell(row, 2, 1.1e6)
        sheet.cell(row, 3, f"=CUSTOMERS_NEEDED(A{row},B{row},)")
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {info: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts.items():
            if info.filename == SHEET:
                data = data.replace(
                    b"<f>CUSTOMERS_NEEDED(A10,B10,)</f>",
                    b'<f t="shared" ref="C10:C12" si="0">CUSTOMERS_NEEDED(A10,B10,)</f>',
                )
                for row in (11, 12):
                    data = data.replace(
                        f"<f>CUSTOMERS_NEEDED(A{row},B{row},)</f>".encode(),
                        b'<f t="shared" si="0"/>',
                    )
                assert data.count(b'si="0"') == 3
            archive.writestr(info, data)
    return path


def formula_elements(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as archive:
        return _FORMULA_ELEMENT.findall(archive.read(SHEET))


def test_omitted_arguments_compute_the_defaults(tmp_path):
    source = omitted_book(tmp_path / "omitted.xlsx")
    before = source.read_bytes()
    result = recalculate(source, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["Plan"]
    volumes = xf.backsolve(9, RATES).tolist()
    assert result.errors == []
    assert volumes == [75000.0, 1125.0, 225.0, 45.0, 18.0, 9.0]
    assert sheet["D1"].value == "Visits"  # a plain formula keeps its top-left value
    assert [sheet.cell(row, 7).value for row in range(1, 7)] == STAGES
    assert [sheet.cell(row, 8).value for row in range(1, 7)] == pytest.approx(volumes)
    assert sheet["J1"].value == pytest.approx(xf.backsolve(9, RATES, periods=12)[0]) == 6250
    assert sheet["K1"].value == pytest.approx(sum(xf.backsolve(9, RATES, round_up=True)))
    assert sheet["L1"].value == xf.customers_needed(10e6, 1.1e6) == 10
    assert sheet["M1"].value == pytest.approx(10e6 / 1.1e6)  # round_up=0: not rounded
    assert sheet["N1"].value == pytest.approx(sum(volumes))
    assert [sheet.cell(row, 3).value for row in range(10, 13)] == [
        xf.customers_needed(row * 1e6, 1.1e6) for row in range(10, 13)
    ]
    assert [sheet.cell(row, 3).value for row in range(10, 13)] == [10, 10, 11]
    # the user's file and the output keep the formula text byte for byte
    assert source.read_bytes() == before
    assert formula_elements(tmp_path / "out.xlsx") == formula_elements(source)
    assert len(formula_elements(source)) == 10
    assert OMITTED.encode() not in zipfile.ZipFile(tmp_path / "out.xlsx").read(SHEET)
    # and recalculating the output again changes nothing
    recalculate(tmp_path / "out.xlsx", tmp_path / "again.xlsx")
    assert (tmp_path / "again.xlsx").read_bytes() == (tmp_path / "out.xlsx").read_bytes()


def test_scenarios_see_omitted_arguments_as_defaults(tmp_path):
    source = omitted_book(tmp_path / "omitted.xlsx")
    book = openpyxl.load_workbook(source)
    book.defined_names["Target"] = openpyxl.workbook.defined_name.DefinedName(
        "Target", attr_text="Plan!$C$1"
    )
    book.defined_names["Visits"] = openpyxl.workbook.defined_name.DefinedName(
        "Visits", attr_text="Plan!$H$1"
    )
    book.save(tmp_path / "named.xlsx")
    runner = ScenarioRunner(tmp_path / "named.xlsx", ["Visits"])
    assert [runner.run({"Target": [target]}) for target in (9.0, 12.0)] == [
        [xf.backsolve(9, RATES)[0]],
        [xf.backsolve(12, RATES)[0]],
    ]


def test_the_engine_copy_fits_the_file_size_cap_the_original_met(tmp_path):
    source = omitted_book(tmp_path / "omitted.xlsx")
    book = openpyxl.load_workbook(source)
    filler = book.create_sheet("Notes")
    for row in range(1, 2001):  # text that compresses well: the stored copy is much larger
        filler.cell(row, 1, "the same note on every row")
    book.save(source)
    with zipfile.ZipFile(source) as archive:
        inflated = sum(info.file_size for info in archive.infolist())
    size = source.stat().st_size
    assert inflated > 2 * size
    limits = Limits(max_file_bytes=size + 1_000)
    result = recalculate(source, tmp_path / "out.xlsx", limits)
    assert result.errors == []
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["Plan"]
    assert sheet["L1"].value == xf.customers_needed(10e6, 1.1e6) == 10

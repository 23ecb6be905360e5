"""``xl-funnel recalc``: many books, --freeze, error reasons, engine gaps named, --check."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.data.recalc.raw_books import cells, raw_book
from tests.validated import assert_opens_in_excel as assert_valid
from xl_funnel.cli import cli
from xl_funnel.recalc.corrected_math import ceiling, floor


def _book(path: Path, a1: float = 0.5) -> Path:
    return raw_book(
        path,
        sheets={
            "S": cells(
                {
                    1: f'<c r="A1"><v>{a1}</v></c><c r="B1"><f>FUNNEL_BACKSOLVE(10,A1)</f></c>'
                    '<c r="C1"><f>SUM(B1:B3)*2</f></c>',
                    2: '<c r="A2"><f t="array" ref="A2:A3">FUNNEL_BACKSOLVE(10, {0.5})</f></c>',
                }
            )
        },
    )


def _run(*args: str):
    return CliRunner().invoke(cli, ["recalc", *args])


def test_error_reason_from_explain_in_json_and_summary(tmp_path):
    # A1 = 20: the function says why (a rate typed as a percentage)
    book = _book(tmp_path / "plan.xlsx", a1=20)
    result = _run(str(book), "--json")
    assert result.exit_code == 0, result.output
    errors = json.loads(result.output)["errors"]
    assert errors[0]["cell"] == "S!B1"
    assert errors[0]["error"] == "#NUM!"
    assert "rates[0] is 20" in errors[0]["reason"]
    assert "did you mean 0.2" in errors[0]["reason"]
    summary = _run(str(book), "-o", str(tmp_path / "again.xlsx"))
    assert "S!B1                    #NUM!  (rates[0] is 20" in summary.output


def test_each_error_cell_gets_its_own_reason_when_the_calls_gave_several(tmp_path):
    # The engine keeps only an error's kind: cells of one function failing for different
    # reasons are told apart by computing each again alone.
    book = raw_book(
        tmp_path / "plan.xlsx",
        sheets={
            "S": cells(
                {
                    1: '<c r="A1"><v>20</v></c><c r="B1"><f>FUNNEL_BACKSOLVE(10,A1)</f></c>',
                    2: '<c r="A2"><v>-1</v></c><c r="B2"><f>FUNNEL_BACKSOLVE(10,A2)</f></c>',
                    3: '<c r="B3"><f>FUNNEL_BACKSOLVE(10,A1)+FUNNEL_BACKSOLVE(10,A2)</f></c>'
                    '<c r="C3"><f>B1+1</f></c><c r="D3"><f>FUNNEL_BACKSOLVE(10,0.5)</f></c>',
                }
            )
        },
    )
    result = _run(str(book), "--json")
    assert result.exit_code == 0, result.output
    reasons = {e["cell"]: e["reason"] for e in json.loads(result.output)["errors"]}
    percent = "rates[0] is 20: a conversion rate is a fraction between 0 and 1"
    negative = "rates[0] is -1: a conversion rate cannot be negative"
    assert reasons["S!B1"].startswith(percent)
    assert reasons["S!B2"] == negative
    assert negative in reasons["S!B3"]  # both its calls
    assert percent in reasons["S!B3"]
    assert reasons["S!C3"] is None  # an error passed on, no call of its own
    assert set(reasons) == {"S!B1", "S!B2", "S!B3", "S!C3"}
    # the values written are the computed ones: the cells computed again kept theirs
    out = tmp_path / "out.xlsx"
    assert _run(str(book), "-o", str(out)).exit_code == 0
    values = openpyxl.load_workbook(out, data_only=True)["S"]
    assert [values[c].value for c in ("B1", "B2", "B3", "C3", "D3")] == [
        "#NUM!",
        "#NUM!",
        "#NUM!",
        "#NUM!",
        20,
    ]


def test_many_books_one_line_each_a_bad_one_skipped(tmp_path):
    books = [_book(tmp_path / f"region{i}.xlsx") for i in (1, 2)]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    out = tmp_path / "out"
    out.mkdir()
    result = _run(str(books[0]), str(broken), str(books[1]), "-o", str(out), "--jobs", "2")
    assert result.exit_code == 2
    lines = [line for line in result.stdout.splitlines() if "→" in line]
    assert len(lines) == 2
    assert lines[0].endswith(" s")
    assert "3 cells, 0 errors" in lines[0]
    # one line per failed book, and no progress bar when stderr is not a terminal
    assert result.stderr.splitlines() == [
        f"Error: {broken}: is not an Excel workbook (.xlsx/.xlsm): it is a text file, not a "
        "zip file"
    ]
    for book in books:
        sheet = openpyxl.load_workbook(out / book.name, data_only=True)["S"]
        assert sheet["B1"].value == 20  # 10 customers at a 50 % rate
        assert_valid(out / book.name)
    frozen = _run(str(books[0]), str(books[1]), "-o", str(out), "--freeze")
    assert frozen.exit_code == 0, frozen.output
    # B1 and the array formula A2:A3 (one formula, at A2) call FUNNEL_BACKSOLVE
    assert [line.split(": ", 1)[1].rsplit(",", 1)[0] for line in frozen.stdout.splitlines()] == [
        "3 cells, 0 errors, 2 frozen"
    ] * 2
    as_json = _run(str(books[0]), str(books[1]), "-o", str(out), "--json")
    records = json.loads(as_json.stdout)
    assert [Path(r["output"]).name for r in records] == ["region1.xlsx", "region2.xlsx"]
    assert as_json.exit_code == 0


def test_many_books_refuse_a_file_as_output_and_clashing_names(tmp_path):
    first = _book(tmp_path / "plan.xlsx")
    (tmp_path / "b").mkdir()
    second = _book(tmp_path / "b" / "plan.xlsx")
    result = _run(str(first), str(second), "-o", str(tmp_path / "one.xlsx"))
    assert result.exit_code == 2
    assert "with several books, -o must be an existing folder" in result.output
    (tmp_path / "out").mkdir()
    result = _run(str(first), str(second), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "would be written there" in result.output


def test_freeze_replaces_xl_funnel_calls_by_values_and_keeps_other_formulas(tmp_path):
    book = _book(tmp_path / "plan.xlsx")
    # a calculation chain lists the formula cells: it must not name the frozen ones
    source = zipfile.ZipFile(book)
    chained = tmp_path / "chained.xlsx"
    with zipfile.ZipFile(chained, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.'
                    b'openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>',
                )
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdC" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/>'
                    b"</Relationships>",
                )
            out.writestr(info.filename, data)
        out.writestr(
            "xl/calcChain.xml",
            '<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<c r="B1" i="1"/><c r="C1"/><c r="A2"/></calcChain>',
        )
    shared = tmp_path / "shared.xlsx"
    result = _run(str(chained), "--freeze", "-o", str(shared))
    assert result.exit_code == 0, result.output
    assert "frozen to values        2 cells" in result.output
    assert_valid(shared)
    formulas = openpyxl.load_workbook(shared)["S"]
    assert formulas["B1"].value == 20  # a value now: no add-in needed
    assert formulas["A2"].value == 20
    assert formulas["A3"].value == 10  # 20 leads, then 10 customers
    assert formulas["C1"].value == "=SUM(B1:B3)*2"  # Excel's own formula kept
    assert openpyxl.load_workbook(shared, data_only=True)["S"]["C1"].value == 40
    assert "xl/calcChain.xml" not in zipfile.ZipFile(shared).namelist()


def test_check_fails_on_cells_not_computed(tmp_path):
    body = cells(
        {
            1: '<c r="A1"><v>3</v></c>',
            2: '<c r="A2"><v>1</v></c>'
            '<c r="B2"><f t="dataTable" ref="B2:B3" dt2D="0" dtr="0" r1="A1"/><v>2</v></c>',
            3: '<c r="A3"><v>2</v></c><c r="B3"><v>4</v></c>',
        }
    )
    book = raw_book(tmp_path / "what_if.xlsx", sheets={"S": body})
    result = _run(str(book), "--check")
    assert result.exit_code == 1
    assert "cells not computed      2" in result.stdout
    assert "S!B3" in result.stdout
    assert "2 cells were not computed" in result.stderr
    record = json.loads(_run(str(book), "--json", "-o", str(tmp_path / "o.xlsx")).stdout)
    assert [m["cell"] for m in record["not_computed"]] == ["S!B2", "S!B3"]


@pytest.mark.ooxml_false_positive(
    "operand '(' follows another operand",
    reason="an inline LAMBDA call, LAMBDA(x,x+1)(2), is Excel's syntax; the validator's parser "
    "does not know it",
)
def test_engine_gaps_are_named_and_fail_check(tmp_path):
    body = cells(
        {
            1: '<c r="A1"><f>COUPDAYS(40568,40862,2,1)</f></c>',
            # corrected built-ins (recalc/corrected.py) are computed, not named
            2: '<c r="A2"><f>_xlfn.FLOOR.MATH(-5.5,2,-1)</f></c>'
            '<c r="B2"><f>MMULT({1,2},{3;4})</f></c>',
            3: '<c r="A3"><f>_xlfn.NUMBERVALUE("1,5",",")</f></c>'
            '<c r="B3"><f>_xlfn.LAMBDA(_xlpm.x,_xlpm.x+1)(2)</f></c>',
            # TEXT is corrected (recalc/corrected_text.py): computed, not named
            4: '<c r="A4"><f>TEXT(12345,"0.00E+00")</f></c><c r="B4"><f>TEXT(0.5,"0%")</f></c>'
            '<c r="C4"><f>CONVERT(1,"kHz","Hz")</f></c>'
            '<c r="D4"><f>INDIRECT("R1C1",FALSE)</f></c>',
        }
    )
    book = raw_book(tmp_path / "gaps.xlsx", sheets={"S": body})
    result = _run(str(book), "--check")
    assert result.exit_code == 1
    coup = "COUPDAYBS, COUPDAYS, COUPDAYSNC, COUPNCD, COUPNUM, COUPPCD"
    assert f"{coup}: not supported, 1 cells" in result.output
    assert f"({coup}: not supported by the engine)" in result.output
    assert "FLOOR.MATH" not in result.output
    assert "MMULT" not in result.output
    assert "NUMBERVALUE with separators: not supported, 1 cells" in result.output
    assert "TEXT" not in result.output
    assert "INDIRECT with an R1C1 reference: not supported, 1 cells" in result.output
    assert "CONVERT with prefixed or squared units (k, M, µ, ki, ft2, …): not supported" in (
        result.output
    )
    assert "LAMBDA, BYROW, BYCOL, MAP, REDUCE, SCAN, MAKEARRAY: not supported, 1" in result.output


@pytest.mark.parametrize(
    ("function", "number", "significance", "excel"),
    [  # the examples of Microsoft's FLOOR and CEILING pages
        (floor, 3.7, 2, 2),
        (floor, -2.5, -2, -2),
        (floor, 2.5, -2, "#NUM!"),
        (floor, 1.58, 0.1, 1.5),
        (floor, 0.234, 0.01, 0.23),
        (ceiling, 2.5, 1, 3),
        (ceiling, -2.5, -2, -4),
        (ceiling, -2.5, 2, -2),
        (ceiling, 1.5, 0.1, 1.5),
        (ceiling, 0.234, 0.01, 0.24),
    ],
)
def test_floor_and_ceiling_as_excel_documents_them(tmp_path, function, number, significance, excel):
    name = function.__name__.upper()
    body = cells({1: f'<c r="A1"><f>{name}({number},{significance})</f></c>'})
    book = raw_book(tmp_path / "round.xlsx", sheets={"S": body})
    result = _run(str(book), "-o", str(tmp_path / "out.xlsx"))
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["S"]["A1"].value == excel


def test_freeze_never_replaces_the_users_own_file(tmp_path):
    book = _book(tmp_path / "plan.xlsx")
    before = book.read_bytes()
    result = _run(str(book), "--freeze", "--in-place")
    assert result.exit_code == 2
    assert "--freeze writes a copy without xl-funnel formulas: give -o" in result.output
    assert book.read_bytes() == before


def test_a_folder_given_as_the_book_is_named_as_one(tmp_path):
    """Whatever the output: the folder is the problem, not the output's suffix."""
    (tmp_path / "plans").mkdir()
    for extra in ([], ["-o", str(tmp_path / "x.xlsx")]):
        result = _run(str(tmp_path / "plans"), *extra)
        assert result.exit_code == 2
        assert f"{tmp_path / 'plans'}: is a directory, not a workbook" in result.output
        assert "must end in" not in result.output
    assert not (tmp_path / "x.xlsx").exists()


def test_the_current_folder_given_as_the_book_is_named_with_the_glob_to_use(tmp_path, monkeypatch):
    """``xl-funnel recalc .`` (a folder with no name to derive an output from): one line,
    not a traceback, saying how to compute every workbook in it."""
    monkeypatch.chdir(tmp_path)
    for extra in ([], ["--json"]):
        result = _run(".", *extra)
        assert result.exit_code == 2
        assert "Error: .: is a directory, not a workbook (for every workbook in it: " in (
            result.output
        )
        assert "xl-funnel recalc *.xlsx)" in result.output
        assert "Traceback" not in result.output


def test_an_output_without_a_suffix_is_taken_for_a_missing_folder(tmp_path):
    book = _book(tmp_path / "plan.xlsx")
    result = _run(str(book), "-o", str(tmp_path / "computed"))
    assert result.exit_code == 2
    assert "must end in .xlsx like plan.xlsx, or be an existing folder" in result.output
    result = _run(str(book), str(book), "-o", str(tmp_path / "computed"))
    assert "-o must be an existing folder (create it first)" in result.output


def test_freeze_says_so_when_nothing_needed_freezing(tmp_path):
    plain = raw_book(
        tmp_path / "plain.xlsx",
        sheets={"S": cells({1: '<c r="A1"><v>2</v></c><c r="B1"><f>A1*3</f></c>'})},
    )
    result = _run(str(plain), "--freeze", "-o", str(tmp_path / "shared.xlsx"))
    assert result.exit_code == 0, result.output
    assert "  frozen to values        none: no xl-funnel functions, no add-in needed" in (
        result.stdout.splitlines()
    )
    many = _run(str(plain), str(_book(tmp_path / "ours.xlsx")), "--freeze", "-o", str(tmp_path))
    assert many.exit_code == 2  # plain.xlsx's output would be the input itself (same folder)
    out = tmp_path / "out"
    out.mkdir()
    many = _run(str(plain), str(tmp_path / "ours.xlsx"), "--freeze", "-o", str(out))
    assert many.exit_code == 0, many.output
    assert [line.split(", ")[2] for line in many.stdout.splitlines()] == ["0 frozen", "2 frozen"]


def test_excels_lock_files_in_a_glob_are_skipped_with_a_line(tmp_path):
    """``plans/*.xlsx`` while Excel has a plan open picks up ``~$plan.xlsx``: it is named and
    skipped, and the real books are computed (exit 0)."""
    plans = tmp_path / "plans"
    plans.mkdir()
    books = [_book(plans / "a.xlsx"), _book(plans / "b.xlsx")]
    lock = plans / "~$a.xlsx"
    lock.write_bytes(b"\x0cuser" + bytes(160))
    (tmp_path / "out").mkdir()
    result = _run(*map(str, [*books, lock]), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert f"skipped {lock}: Excel's lock file of a workbook open in Excel" in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.xlsx", "b.xlsx"]

"""Sheets xl-funnel adds carry a mark; a sheet without it is never replaced (issue 14)."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from tests.cli_process import run_cli
from tests.test_cli_risk import small_plan
from tests.validated import assert_opens_in_excel
from xl_funnel.sheet_marks import MARK_NAME, add_mark, marked_sheets


@pytest.mark.parametrize("title", ["Risk", "risk", "RISK"])
def test_risk_write_never_replaces_a_users_own_risk_sheet(tmp_path, title):
    plan = small_plan(tmp_path / "plan.xlsx")
    book = openpyxl.load_workbook(plan)
    register = book.create_sheet(title)
    register["A1"], register["B1"] = "Risk register", "supplier goes bust"
    book.save(plan)
    before = plan.read_bytes()
    result = run_cli("risk", "plan.xlsx", "--write", "--trials", "2000", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"Error: plan.xlsx: the sheet {title!r} is in the way: xl-funnel did not write it, so it "
        "is not replaced; name another sheet with --sheet NAME (the file is unchanged)"
    ]
    assert plan.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]


def test_another_sheet_name_is_added_beside_the_users_sheet_and_refreshed(tmp_path):
    plan = small_plan(tmp_path / "plan.xlsx")
    book = openpyxl.load_workbook(plan)
    book.create_sheet("Risk")["A1"] = "Risk register"
    book.save(plan)
    name = "Plan risk 'Q1' & <more>"
    for _ in range(2):  # added, then refreshed: it carries the mark
        result = run_cli(
            "risk", "plan.xlsx", "--write", "--trials", "2000", "--sheet", name, cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(plan)
    assert book.sheetnames == ["Inputs", "Dashboard", "Risk", name]
    assert book["Risk"]["A1"].value == "Risk register"
    assert book[name]["D3"].value == "Customers"
    with zipfile.ZipFile(plan) as archive:
        workbook_xml = archive.read("xl/workbook.xml")
    assert marked_sheets(workbook_xml) == {3}
    assert workbook_xml.count(MARK_NAME.encode()) == 1
    assert_opens_in_excel(plan)


def test_the_mark_is_a_hidden_sheet_scoped_name_that_openpyxl_reads(tmp_path):
    plan = small_plan(tmp_path / "plan.xlsx")
    assert run_cli("risk", "plan.xlsx", "--write", "--trials", "500", cwd=tmp_path).returncode == 0
    book = openpyxl.load_workbook(plan)
    mark = book["Risk"].defined_names[MARK_NAME]
    assert mark.hidden is True
    assert mark.attr_text == "'Risk'!$A$1"
    assert MARK_NAME not in book.defined_names  # sheet-scoped, not workbook-wide


@pytest.mark.parametrize("name", ["a*b", "x" * 32, "", "'quoted'", "tab\there"])
def test_a_sheet_name_excel_refuses_is_refused_before_anything_runs(tmp_path, name):
    plan = small_plan(tmp_path / "plan.xlsx")
    before = plan.read_bytes()
    result = run_cli("risk", "plan.xlsx", "--write", "--sheet", name, cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "not a sheet name Excel accepts" in result.stderr
    assert plan.read_bytes() == before


@pytest.mark.parametrize(
    ("workbook", "expected_tail"),
    [
        (b"<workbook><sheets/><calcPr/></workbook>", b"</definedNames><calcPr/></workbook>"),
        (b"<workbook><sheets/><definedNames/></workbook>", b"</definedNames></workbook>"),
        (
            b"<workbook><sheets/><definedNames><definedName name='x'>1</definedName>"
            b"</definedNames></workbook>",
            b"$A$1</definedName></definedNames></workbook>",
        ),
        (b"<x:workbook xmlns:x='m'><x:sheets/></x:workbook>", b"</x:definedNames></x:workbook>"),
    ],
)
def test_the_mark_goes_where_the_schema_wants_it(workbook, expected_tail):
    marked = add_mark(workbook, 0, "Risk")
    assert marked.endswith(expected_tail)
    assert marked.count(b"definedNames>") == 2  # one block, opened and closed

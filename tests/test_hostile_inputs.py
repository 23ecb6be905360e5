"""Hostile inputs that used to take gigabytes, hang or end in a traceback (issue 14).

Every file is built here from the small plan of ``tests/data/recalc``; each is a few kilobytes.
The commands run in a subprocess whose address space is capped at 2 GB (``RLIMIT_AS``): a
command that tries to allocate for the whole sheet fails there with a MemoryError instead of
taking the test machine down. A FIFO that would block forever is caught by the subprocess
timeout.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.cli_process import run_cli
from tests.data.recalc.books import mini_plan
from tests.data.recalc.raw_books import WHOLE_SHEET_MERGE, edited, with_whole_sheet_merge
from tests.test_cli_risk import small_plan
from xl_funnel.input_files import InputFileError, read_csv_rows, read_input_bytes
from xl_funnel.recalc.limits import array_formula_cells
from xl_funnel.recalc.package import read_package
from xl_funnel.recalc.validation import validation_rules, violation

MEMORY_CAP = 2 * 1024**3


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_capped(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """``xl-funnel ARGS`` with at most 2 GB of address space."""
    return run_cli(*args, cwd=cwd, timeout=timeout, preexec_fn=_cap_memory)


def refused(result: subprocess.CompletedProcess, *fragments: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr[-2000:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return mini_plan(tmp_path_factory.mktemp("base") / "base.xlsx")


def with_name(base: Path, target: Path, name: str, ref: str) -> Path:
    pattern = rb'(<definedName name="' + name.encode() + rb'">)[^<]*'
    return edited(
        base, target, "xl/workbook.xml", lambda d: re.sub(pattern, rb"\g<1>" + ref.encode(), d)
    )


def with_sqref(base: Path, target: Path, sqref: str) -> Path:
    return edited(
        base,
        target,
        "xl/worksheets/sheet1.xml",
        lambda d: d.replace(b'sqref="B4:B8"', b'sqref="' + sqref.encode() + b'"'),
    )


X14 = (
    b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    b'<x14:dataValidations count="1" '
    b'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    b'<x14:dataValidation type="decimal" allowBlank="1" operator="between" '
    b'error="A deal between 0 and 5,000,000">'
    b"<x14:formula1><xm:f>0</xm:f></x14:formula1><x14:formula2><xm:f>5000000</xm:f>"
    b"</x14:formula2><xm:sqref>B2</xm:sqref></x14:dataValidation></x14:dataValidations>"
    b"</ext></extLst>"
)


def with_x14(base: Path, target: Path, keep_main: bool) -> Path:
    def edit(data: bytes) -> bytes:
        if not keep_main:
            data = re.sub(rb"<dataValidations.*?</dataValidations>", b"", data, flags=re.S)
        return data.replace(b"</worksheet>", X14 + b"</worksheet>")

    return edited(base, target, "xl/worksheets/sheet1.xml", edit)


# --- defined names covering the whole sheet ------------------------------------------------


@pytest.mark.parametrize(
    "ref", ["Funnel!$A$1:$XFD$1048576", "Funnel!$A:$XFD", "Funnel!$1:$1048576"]
)
def test_recalc_of_a_whole_sheet_name_is_clipped_to_the_used_range(base, tmp_path, ref):
    with_name(base, tmp_path / "book.xlsx", "RequiredVolumes", ref)
    result = run_capped("recalc", "book.xlsx", "-o", "out.xlsx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "CustomersNeeded       10" in result.stdout
    # The name reads the sheet's used range (its first cells: the label and the customers).
    assert "RequiredVolumes       Customers, 10, " in result.stdout


def test_scenarios_reading_a_whole_sheet_name_reads_the_used_range(base, tmp_path):
    with_name(base, tmp_path / "book.xlsx", "RequiredVolumes", "Funnel!$A:$XFD")
    result = run_capped(
        "scenarios",
        "book.xlsx",
        "--set",
        "AvgDealSize=1e6",
        "--outputs",
        "RequiredVolumes",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    values = json.loads(result.stdout)
    used = [key for key in values if key.startswith("RequiredVolumes[")]
    assert values["RequiredVolumes[2]"] == 10.0
    assert 1 < len(used) < 100  # the sheet's used range, not 17,179,869,184 cells


def test_risk_reading_a_whole_sheet_name_is_refused(tmp_path):
    plan = small_plan(tmp_path / "plan.xlsx")
    with_name(plan, tmp_path / "book.xlsx", "RequiredVolumes", "Inputs!$A$1:$XFD$1048576")
    result = run_capped("risk", "book.xlsx", cwd=tmp_path)
    refused(result, "book.xlsx", "'RequiredVolumes' covers 17,179,869,184 cells")


# --- data validations ----------------------------------------------------------------------


def test_a_whole_column_validation_is_read_as_a_range(base, tmp_path):
    with_sqref(base, tmp_path / "book.xlsx", "B4:B8 Z:Z")
    rules = validation_rules(read_package(tmp_path / "book.xlsx"))["Inputs"]
    assert rules[0].areas == ((4, 2, 8, 2), (1, 26, 1_048_576, 26))
    assert violation({"Inputs": rules}, "Inputs", [(99_999, 26)], [2.0])
    assert violation({"Inputs": rules}, "Inputs", [(99_999, 26)], [0.5]) is None
    assert violation({"Inputs": rules}, "Inputs", [(1, 25)], [2.0]) is None
    result = run_capped(
        "scenarios", "book.xlsx", "--set", "StageRates=0.1;0.2;1.5;0.4;0.5", cwd=tmp_path
    )
    refused(result, "--set StageRates: 1.5 is refused by the validation of Inputs!B6")


@pytest.mark.parametrize("sqref", ["A1:XFD1048576", "1:1048576", "A:XFD"])
def test_a_whole_sheet_validation_costs_four_numbers(base, tmp_path, sqref):
    with_sqref(base, tmp_path / "book.xlsx", sqref)
    (tmp_path / "grid.csv").write_text("AvgDealSize\n0.5\n1000000\n")
    result = run_capped("scenarios", "book.xlsx", "grid.csv", cwd=tmp_path)
    refused(result, "grid.csv: row 3, column AvgDealSize: 1e+06 is refused", "Inputs!B2")


@pytest.mark.parametrize("keep_main", [False, True])
def test_excel_2010_x14_validations_are_read_and_applied(base, tmp_path, keep_main):
    with_x14(base, tmp_path / "book.xlsx", keep_main)
    ok = run_capped("scenarios", "book.xlsx", "--set", "AvgDealSize=4e6", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr[-2000:]
    result = run_capped("scenarios", "book.xlsx", "--set", "AvgDealSize=6e6", cwd=tmp_path)
    refused(
        result, "6e+06 is refused by the validation of Inputs!B2: A deal between 0 and 5,000,000"
    )
    rules = validation_rules(read_package(tmp_path / "book.xlsx"))["Inputs"]
    assert len(rules) == (2 if keep_main else 1)


@pytest.mark.parametrize("sqref", ["A:3", "B4:", "nonsense", "XFE1", "A1048577"])
def test_a_malformed_validation_range_is_one_line(base, tmp_path, sqref):
    with_sqref(base, tmp_path / "book.xlsx", sqref)
    result = run_capped("scenarios", "book.xlsx", "--set", "AvgDealSize=1e6", cwd=tmp_path)
    refused(result, "book.xlsx", "sheet 'Inputs': a data validation applies to", "not a cell range")


# --- array formulas ------------------------------------------------------------------------


def test_ten_array_formulas_of_a_million_cells_hit_the_cell_cap(base, tmp_path):
    anchors = b"".join(
        b'<c r="%s1"><f t="array" ref="%s1:%s1000000">1</f></c>' % (c, c, c)
        for c in (b"K", b"L", b"M", b"N", b"O", b"P", b"Q", b"R", b"S", b"T")
    )

    def edit(data: bytes) -> bytes:
        return re.sub(
            rb'(<row r="1"[^>]*>.*?)(</row>)',
            rb"\g<1>" + anchors + rb"\g<2>",
            data,
            count=1,
            flags=re.S,
        )

    edited(base, tmp_path / "book.xlsx", "xl/worksheets/sheet1.xml", edit)
    for command in (["recalc", "book.xlsx"], ["scenarios", "book.xlsx", "--set", "AvgDealSize=1"]):
        result = run_capped(*command, cwd=tmp_path)
        refused(
            result, "has 10,000,034 cells (counting the cells array formulas fill)", "5,000,000"
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_array_cells_are_counted_from_their_ref_by_any_prefix():
    part = (
        b'<x:c r="A1"><x:f t="array" ref="A1:C4">1</x:f></x:c>'
        b"<c r='E1'><f ref='$E$1:$E$10' t='array' aca=\"1\">SUM(1)</f></c>"
        b'<c r="G1"><f t="shared" ref="G1:G9" si="0">1</f></c>'
    )
    assert array_formula_cells(part) == 11 + 9


# --- FIFOs, devices and directories are refused at once ------------------------------------


@pytest.fixture
def folder(tmp_path, base) -> Path:
    (tmp_path / "plan.xlsx").write_bytes(base.read_bytes())
    small_plan(tmp_path / "risk.xlsx")
    (tmp_path / "grid.csv").write_text("AvgDealSize\n1000000\n")
    os.mkfifo(tmp_path / "fifo.xlsx")
    os.mkfifo(tmp_path / "fifo.csv")
    os.mkfifo(tmp_path / "fifo.toml")
    (tmp_path / "dir.csv").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    ("args", "name", "problem"),
    [
        (["recalc", "fifo.xlsx"], "fifo.xlsx", "is a FIFO (named pipe), not a regular file"),
        (["scenarios", "fifo.xlsx", "grid.csv"], "fifo.xlsx", "is a FIFO"),
        (["scenarios", "plan.xlsx", "fifo.csv"], "fifo.csv", "is a FIFO"),
        (["scenarios", "plan.xlsx", "/dev/zero"], "/dev/zero", "is a device, not a regular file"),
        (["scenarios", "plan.xlsx", "dir.csv"], "dir.csv", "is a directory"),
        (["risk", "fifo.xlsx"], "fifo.xlsx", "is a FIFO"),
        (["risk", "risk.xlsx", "--history", "fifo.csv"], "fifo.csv", "is a FIFO"),
        (["risk", "risk.xlsx", "--history", "/dev/zero"], "/dev/zero", "is a device"),
        (["new", "new.xlsx", "--config", "fifo.toml"], "fifo.toml", "is a FIFO"),
    ],
)
def test_a_fifo_device_or_directory_is_refused_without_blocking(folder, args, name, problem):
    result = run_capped(*args, cwd=folder, timeout=60)  # a blocked open would time out here
    refused(result, name, problem)
    assert not (folder / "new.xlsx").exists()


def test_read_input_bytes_checks_the_open_descriptor_and_the_size(tmp_path):
    (tmp_path / "big.csv").write_bytes(b"x" * 2000)
    with pytest.raises(InputFileError, match=r"is 0.0 MB; xl-funnel reads such files up to"):
        read_input_bytes(tmp_path / "big.csv", 1000)
    assert read_input_bytes(tmp_path / "big.csv", 2000) == b"x" * 2000
    with pytest.raises(InputFileError, match="does not exist"):
        read_input_bytes(tmp_path / "none.csv", 10)


def test_grid_and_history_rows_are_capped_while_reading(tmp_path):
    (tmp_path / "grid.csv").write_text("A\n" + "1\n" * 100)
    assert len(read_csv_rows(tmp_path / "grid.csv", 10_000, 101)) == 101
    with pytest.raises(InputFileError, match="has over 100 rows"):
        read_csv_rows(tmp_path / "grid.csv", 10_000, 100)
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbfA,B\r\n1,2\r\n")
    assert read_csv_rows(tmp_path / "bom.csv", 100, 10) == [["A", "B"], ["1", "2"]]


# --- no regular expression backtracks super-linearly ---------------------------------------

# Run in a subprocess with a deadline: a catastrophic backtrack on these strings would take
# hours, so it fails the test by its timeout, whatever the machine's speed.
_ADVERSARIAL = """
from xl_funnel.recalc.limits import array_formula_cells
from xl_funnel.recalc.validation import _area, _blocks
n = 2_000_000
assert array_formula_cells(b"array" + b"<f " * n) == 0
assert array_formula_cells(b"array<f " + b" t='array'" * (n // 10)) == 0
assert list(_blocks(b"<dataValidations" * n)) == []
assert list(_blocks(b"<x14:dataValidations><" * (n // 4))) == []
assert _area("A" * n) is None and _area("1" * n) is None and _area("A1:" * n) is None
"""


def test_the_new_regular_expressions_stay_linear_on_long_adversarial_strings():
    result = subprocess.run(
        [sys.executable, "-c", _ADVERSARIAL], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_a_sweep_past_the_result_cell_cap_is_refused_before_computing(base):
    from xl_funnel.recalc.limits import Limits
    from xl_funnel.recalc.scenarios import GridError, ScenarioRunner, parse_scenarios

    runner = ScenarioRunner(base, ["RequiredVolumes"], Limits(max_result_cells=60))
    rows = [[f"{1_000_000 + i}"] for i in range(11)]
    assert len(parse_scenarios(runner, ["AvgDealSize"], rows[:10], "grid.csv")) == 10
    with pytest.raises(GridError, match=r"over 10 scenarios of 6 output cells each"):
        parse_scenarios(runner, ["AvgDealSize"], rows, "grid.csv")


def test_risk_on_a_plan_with_a_whole_sheet_merge_reads_it_without_expanding(tmp_path):
    plan = small_plan(tmp_path / "plan.xlsx")
    with_whole_sheet_merge(plan, tmp_path / "book.xlsx")
    with zipfile.ZipFile(tmp_path / "book.xlsx") as archive:
        assert WHOLE_SHEET_MERGE in archive.read("xl/worksheets/sheet2.xml")
    result = run_capped("risk", "book.xlsx", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert '"customers_needed": 9.0' in result.stdout

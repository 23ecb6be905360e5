"""``xl-funnel scenarios``: every row of a grid recomputed on the real plan equals the core."""

from __future__ import annotations

import csv
import dataclasses
import json
import random
import subprocess
from pathlib import Path

import openpyxl
import pytest

from tests.cli_process import run_cli
from xl_funnel.plan import example_config, expected_values, write_plan
from xl_funnel.recalc.scenarios import ScenarioRunner, parse_scenarios, parse_value

COLUMNS = ["GrowthUplift", "NewRevenueShare", "AvgDealSize", "StageRates"]
STAGES = ["Visits", "Leads", "MQLs", "SQLs", "Opportunities", "Customers"]
HEADLINE = ["TargetRevenue", "NewRevenueGoal", "CustomersNeeded", "TotalBudget", "PlanROI"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("scenarios")
    write_plan(example_config(), folder / "plan.xlsx")
    rng = random.Random(20270101)
    rows = []
    for _ in range(120):
        rates = [round(rng.uniform(0.01, 0.95), 4) for _ in range(5)]
        rows.append(
            [
                f"{rng.uniform(0, 0.3):.4f}",
                f"{rng.uniform(0.2, 1.0):.3f}",
                f"{rng.uniform(2e5, 3e6):.2f}",
                ";".join(map(str, rates)),
            ]
        )
    with (folder / "grid.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return folder


def expected_for(row: list[str]) -> dict:
    config = dataclasses.replace(
        example_config(),
        growth_uplift=float(row[0]),
        new_revenue_share=float(row[1]),
        avg_deal_size=float(row[2]),
        stage_rates=tuple(float(x) for x in row[3].split(";")),
    )
    return expected_values(config)["names"]


def check_against_core(results: list[dict[str, str]], grid: list[list[str]]) -> None:
    assert len(results) == len(grid) >= 100
    for result, row in zip(results, grid, strict=True):
        expected = expected_for(row)
        assert [float(result[c]) for c in COLUMNS[:3]] == [float(x) for x in row[:3]]
        assert result["StageRates"].split(";") == [str(float(x)) for x in row[3].split(";")]
        for name in HEADLINE:
            assert float(result[name]) == pytest.approx(expected[name], rel=1e-9), name
        volumes = [float(result[stage]) for stage in STAGES]
        assert volumes == pytest.approx(expected["RequiredVolumes"], rel=1e-9)


def read_grid(folder: Path) -> list[list[str]]:
    with (folder / "grid.csv").open(newline="") as handle:
        return list(csv.reader(handle))[1:]


@pytest.fixture(scope="module")
def parallel_run(folder) -> subprocess.CompletedProcess:
    """The 120-row grid through two worker processes, into results.csv."""
    return run_cli(
        "scenarios",
        "plan.xlsx",
        "grid.csv",
        "-o",
        "results.csv",
        "--jobs",
        "2",
        "--exact",
        cwd=folder,
    )


def test_grid_of_120_rows_equals_the_core_with_two_processes(folder, parallel_run):
    assert parallel_run.returncode == 0, parallel_run.stderr
    assert parallel_run.stdout == ""  # results go to the file; the note to stderr
    assert "120 scenarios → results.csv" in parallel_run.stderr
    with (folder / "results.csv").open(newline="") as handle:
        results = list(csv.DictReader(handle))
    check_against_core(results, read_grid(folder))


def test_one_process_gives_the_same_file(folder, parallel_run):
    result = run_cli(
        "scenarios", "plan.xlsx", "grid.csv", "-o", "serial.csv", "--exact", cwd=folder
    )
    assert result.returncode == 0, result.stderr
    assert (folder / "serial.csv").read_bytes() == (folder / "results.csv").read_bytes()


def test_xlsx_results_hold_numbers(folder):
    result = run_cli(
        "scenarios",
        "plan.xlsx",
        "grid.csv",
        "-o",
        "results.xlsx",
        "--outputs",
        "CustomersNeeded,TotalBudget",
        cwd=folder,
    )
    assert result.returncode == 0, result.stderr
    sheet = openpyxl.load_workbook(folder / "results.xlsx").active
    header = [cell.value for cell in sheet[1]]
    assert header == ["Scenario", *COLUMNS, "CustomersNeeded", "TotalBudget"]
    grid = read_grid(folder)
    assert sheet.max_row == len(grid) + 1
    for row_number, row in enumerate(grid, start=2):
        expected = expected_for(row)
        assert sheet.cell(row_number, 1).value == str(row_number - 1)
        assert sheet.cell(row_number, 2).value == pytest.approx(float(row[0]))
        assert sheet.cell(row_number, 6).value == expected["CustomersNeeded"]
        # shown as the plan shows it: "$"#,##0, whole dollars
        assert sheet.cell(row_number, 7).value == round(expected["TotalBudget"])


def test_set_gives_one_what_if_as_json(folder):
    result = run_cli(
        "scenarios",
        "plan.xlsx",
        "--set",
        "GrowthUplift=10%",
        "--set",
        "AvgDealSize=5e5",
        cwd=folder,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    config = dataclasses.replace(example_config(), growth_uplift=0.1, avg_deal_size=5e5)
    expected = expected_values(config)["names"]
    assert answer["GrowthUplift"] == 0.1
    assert answer["CustomersNeeded"] == expected["CustomersNeeded"]
    assert answer["TargetRevenue"] == pytest.approx(expected["TargetRevenue"], rel=1e-12)


def test_inputs_not_in_the_grid_keep_the_plans_values(folder):
    runner = ScenarioRunner(folder / "plan.xlsx", ["TargetRevenue", "CustomersNeeded"])
    scenarios = parse_scenarios(runner, ["AvgDealSize"], [["1e6"], ["2e6"], ["1e6"]], "grid")
    results = [runner.run(s) for s in scenarios]
    base = expected_values(example_config())["names"]
    assert results[0][0] == results[1][0] == pytest.approx(base["TargetRevenue"])
    assert results[0] == results[2]
    assert results[1][1] == base["NewRevenueGoal"] // 2e6 + (base["NewRevenueGoal"] % 2e6 > 0)


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ("Nonsense\n1\n", "column 'Nonsense': 'Nonsense' is not a defined name"),
        (
            "AvgDealSise\n1\n",
            "'AvgDealSise' is not a defined name of the workbook: did you mean 'AvgDealSize'?",
        ),
        ("StageRates\n0.1;0.2\n", "row 2, column StageRates: 2 values for a range of 5 cells"),
        ("GrowthUplift,AvgDealSize\n0.1\n", "row 2 has 1 fields for 2 columns"),
        ("", "is empty"),
    ],
)
def test_bad_grids_are_refused_with_one_line(folder, tmp_path, grid, message):
    (tmp_path / "plan.xlsx").write_bytes((folder / "plan.xlsx").read_bytes())
    (tmp_path / "grid.csv").write_text(grid)
    result = run_cli("scenarios", "plan.xlsx", "grid.csv", "-o", "out.csv", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "grid.csv" in lines[0]
    assert not (tmp_path / "out.csv").exists()


def test_unknown_output_name_is_refused(folder):
    result = run_cli(
        "scenarios", "plan.xlsx", "--set", "GrowthUplift=0.1", "--outputs", "Nope", cwd=folder
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "--outputs: 'Nope' is not a defined name" in lines[0]


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.25", 0.25), ("25%", 0.25), ("-3", -3.0), ("", None), ("false", False), ("Paid", "Paid")],
)
def test_grid_values_parse_as_excel_would_read_them(text, value):
    assert parse_value(text) == value


def test_without_output_file_the_csv_goes_to_stdout(folder, parallel_run):
    result = run_cli("scenarios", "plan.xlsx", "grid.csv", "--exact", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (folder / "results.csv").read_text()


def _gap_book(path: Path, between: object) -> None:
    """Inputs InA (A1) and InB (A3) with ``between`` in A2; Out = InA (100 if TRUE) + A2 + InB."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Inputs"
    sheet["A1"], sheet["A2"], sheet["A3"] = 1, between, 2
    sheet["B1"] = "=IF(ISLOGICAL(A1),100,A1)+N(A2)+A3"
    for name, ref in (("InA", "$A$1"), ("InB", "$A$3"), ("Out", "$B$1")):
        book.defined_names[name] = openpyxl.workbook.defined_name.DefinedName(
            name, attr_text=f"Inputs!{ref}"
        )
    book.save(path)


@pytest.mark.parametrize(
    ("between", "gap_value"),
    [(7, 7), ("=A1*10", None), (None, 0), ("text", 0)],
    ids=["constant", "formula", "blank", "text"],
)
def test_inputs_around_other_cells_keep_those_cells(tmp_path, between, gap_value):
    # One rectangle write covers InA..InB when the cell between is a constant; a formula
    # between them must stay a formula (it follows InA), whatever the write path. TRUE then 1
    # must be written as two different values, though TRUE == 1 in Python.
    _gap_book(tmp_path / "book.xlsx", between)
    runner = ScenarioRunner(tmp_path / "book.xlsx", outputs=["Out"])
    for a, b in [(3.0, 4.0), (3.0, 5.0), (True, 5.0), (1.0, 5.0), (10.0, 0.0)]:
        middle = (10 * float(a)) if gap_value is None else gap_value
        first = 100.0 if isinstance(a, bool) else a
        assert runner.run({"InA": [a], "InB": [b]}) == [pytest.approx(first + middle + b)]


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        (
            "AvgDealSize=-5",
            "Error: --set AvgDealSize: -5 is refused by the validation of Assumptions!C17: "
            "Enter a positive amount of money.",
        ),
        (
            "AvgDealSize=abc",
            "Error: --set AvgDealSize: 'abc' is refused by the validation of Assumptions!C17: "
            "Enter a positive amount of money.",
        ),
        ("GrowthMethod=median", "Pick a value from the list."),
        ("StageRates=0.015;0.2;1.5;0.4;0.5", "1.5 is refused by the validation of"),
        ("StageRates=0.5", "Error: --set StageRates: 1 value for a range of 5 cells"),
    ],
)
def test_values_the_plan_would_refuse_are_refused(folder, assignment, message):
    # Excel refuses a negative deal size typed into the plan; so does a what-if from the shell.
    result = run_cli("scenarios", "plan.xlsx", "--set", assignment, cwd=folder)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_a_grid_row_the_plan_would_refuse_names_row_and_column(folder):
    (folder / "bad.csv").write_text("AvgDealSize,GrowthUplift\n500000,0.1\n-3,0.1\n")
    result = run_cli("scenarios", "plan.xlsx", "bad.csv", "-o", "never.csv", cwd=folder)
    assert result.returncode == 2
    assert result.stderr.startswith("Error: bad.csv: row 3, column AvgDealSize: -3 is refused")
    assert not (folder / "never.csv").exists()


def test_allowed_values_pass_the_validation(folder):
    result = run_cli(
        "scenarios",
        "plan.xlsx",
        "--set",
        "GrowthMethod=cagr",
        "--set",
        "AvgDealSize=5e5",
        cwd=folder,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["AvgDealSize"] == 500000.0

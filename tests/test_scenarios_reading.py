"""``xl-funnel scenarios`` reads grids with the one table reader; outputs are never inputs."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xl_funnel.cli import cli
from xl_funnel.plan import example_config, write_plan


@pytest.fixture(scope="module")
def plan(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("grids") / "plan.xlsx"
    write_plan(example_config(), path)
    return path


def run(*args: str):
    return CliRunner().invoke(cli, ["scenarios", *args])


def test_a_european_grid_equals_the_same_grid_in_us_format(plan, tmp_path):
    us = tmp_path / "us.csv"
    us.write_text('GrowthUplift,AvgDealSize,StageRates\n0.08,"$900,000",0.015;0.2;0.2;0.4;0.5\n')
    eu = tmp_path / "eu.csv"
    # Unquoted, a semicolon file cannot carry a range's ';' list: quoted it can.
    eu.write_bytes(
        'GrowthUplift;AvgDealSize;StageRates\r\n0,08;900.000 €;"0,015;0,2;0,2;0,4;0,5"\r\n'.encode(
            "utf-16"
        )
    )
    a = run(str(plan), str(us), "-o", str(tmp_path / "us.out.csv"))
    b = run(str(plan), str(eu), "--decimal", ",", "-o", str(tmp_path / "eu.out.csv"))
    assert a.exit_code == 0, a.output
    assert b.exit_code == 0, b.output
    us_out = (tmp_path / "us.out.csv").read_text()
    assert us_out == (tmp_path / "eu.out.csv").read_text()
    assert "900000" in us_out.splitlines()[1]


def test_an_xlsx_grid_on_its_own_sheet(plan, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["What-ifs for the board"])
    grid = book.create_sheet("Grid")
    grid.append(["GrowthUplift", "AvgDealSize"])
    grid.append([0.08, 900000])
    path = tmp_path / "grid.xlsx"
    book.save(path)
    result = run(str(plan), str(path), "--sheet", "Grid", "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.csv").read_text().splitlines()[1].startswith("1,0.08,900000,")


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ("GrowthUplift,CustomersNeeded\n0.1,5\n", "column 'CustomersNeeded' is an output"),
        ("GrowthUplift,growthuplift\n0.1,0.2\n", "columns 1 and 2 are both named 'GrowthUplift'"),
        ("GrowthUplift,AvgDealSize\n0.1,5,7\n", "a value '7' under no column name"),
    ],
)
def test_outputs_duplicates_and_stray_values_are_refused(plan, tmp_path, grid, message):
    path = tmp_path / "grid.csv"
    path.write_text(grid)
    result = run(str(plan), str(path), "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_set_refuses_an_output_and_a_repeat(plan):
    result = run(str(plan), "--set", "TotalBudget=5")
    assert result.exit_code == 2
    assert "'TotalBudget' is an output" in result.stderr
    result = run(str(plan), "--set", "GrowthUplift=0.1", "--set", "GrowthUplift=0.2")
    assert result.exit_code == 2
    assert "'GrowthUplift' is given twice" in result.stderr
    ok = run(str(plan), "--set", "GrowthUplift=10%")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["GrowthUplift"] == 0.1


def test_results_ready_for_a_deck(plan, tmp_path):
    from tests.validated import assert_valid
    from xl_funnel.plan import expected_values

    grid = tmp_path / "grid.csv"
    grid.write_text("Scenario,GrowthUplift\nBase,0.05\nStretch,8%\n")
    out = tmp_path / "deck.xlsx"
    result = run(str(plan), str(grid), "--outputs", "QuarterlyVolumes,PlanROI", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert_valid(out)
    sheet = openpyxl.load_workbook(out).active
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["Scenario", "GrowthUplift", "Visits Q1", "Visits Q2"]
    assert header[-2:] == ["Customers Q4", "PlanROI"]
    assert len(header) == 2 + 6 * 4 + 1
    assert [sheet.cell(r, 1).value for r in (2, 3)] == ["Base", "Stretch"]
    assert sheet.freeze_panes == "B2"
    assert sheet.cell(1, 3).font.b
    assert sheet.cell(1, 3).fill.fgColor.rgb.endswith("1F3864")
    assert sheet.cell(2, 2).number_format == "0.0%"  # the plan's format of GrowthUplift
    assert sheet.cell(2, 3).number_format == "#,##0"  # counts are whole units
    assert sheet.column_dimensions["C"].width >= 10
    expected = expected_values(example_config())
    # figures as the plan shows them: whole units for volumes (20,834 visits), 0.1 % ROI
    assert sheet.cell(2, 3).value == expected["periods"]["Q1"][0] == 20_834
    roi = expected["names"]["PlanROI"]
    assert sheet.cell(2, header.index("PlanROI") + 1).value == round(roi, 3)


def test_csv_figures_carry_no_binary_noise(plan, tmp_path):
    grid = tmp_path / "grid.csv"
    grid.write_text("GrowthUplift\n0.07\n")
    result = run(str(plan), str(grid))
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header.startswith("Scenario,GrowthUplift,TargetRevenue,NewRevenueGoal,CustomersNeeded")
    assert ",Visits,Leads,MQLs,SQLs,Opportunities,Customers," in header
    for field in row.split(","):
        digits = field.partition(".")[2]
        assert len(digits) <= 3, row


def test_a_table_wider_than_xfd_is_written_long(tmp_path):
    from tests.validated import assert_valid
    from xl_funnel.recalc.scenario_output import MAX_COLUMNS, write_results

    columns = ["Scenario", *(f"C{i}" for i in range(MAX_COLUMNS + 10))]
    rows = [["Base", *range(MAX_COLUMNS + 10)], ["Stretch", *range(1, MAX_COLUMNS + 11)]]
    formats = [None, *(["#,##0"] * (MAX_COLUMNS + 10))]
    path = tmp_path / "long.xlsx"
    write_results(path, columns, rows, formats)
    assert_valid(path)
    sheet = openpyxl.load_workbook(path, read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Scenario", "Column", "Value")
    assert len(values) == 1 + 2 * (MAX_COLUMNS + 10)
    assert values[1] == ("Base", "C0", 0)
    assert values[-1] == ("Stretch", f"C{MAX_COLUMNS + 9}", MAX_COLUMNS + 10)


def test_result_numbers_are_written_by_the_writers_rule(tmp_path):
    """Numbers in a CSV of results are written as the recalculation writes a cell's value
    (``cell_text.number_text``): whole numbers without a point, others their shortest text."""
    from xl_funnel.recalc.scenario_output import write_results

    write_results(tmp_path / "r.csv", ["Note", "x", "n", "big"], [["plain", 2.5, 3.0, 1e15]])
    assert (tmp_path / "r.csv").read_text().splitlines()[1] == "plain,2.5,3,1000000000000000.0"

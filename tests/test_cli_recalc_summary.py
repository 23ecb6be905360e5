"""`xl-funnel recalc` summary: headline outputs read the way a planner reads them."""

from __future__ import annotations

from click.testing import CliRunner

from xl_funnel.cli import cli
from xl_funnel.plan import example_config, write_plan


def test_headline_outputs_are_formatted_by_meaning(tmp_path):
    book = tmp_path / "plan.xlsx"
    write_plan(example_config(), book)
    result = CliRunner().invoke(cli, ["recalc", str(book)])
    assert result.exit_code == 0, result.output
    rows = {
        line.split()[0]: line.split(None, 1)[1]
        for line in result.output.splitlines()
        if line.startswith("    ")
    }
    assert rows["TargetRevenue"] == "20,000,000"
    assert rows["NewRevenueGoal"] == "10,000,000"
    assert rows["CustomersNeeded"] == "10"
    assert rows["RequiredVolumes"] == "83,333.33, 1,250, 250, 50, 20, 10"
    assert rows["TotalBudget"] == "1,150,000"
    # ($11.011M − $1.15M) / $1.15M: in whole leads the channels bring 10.01 customers.
    assert rows["PlanROI"] == "857.5 %"
    assert "cells with errors       0" in result.output


def test_output_must_be_the_same_kind_of_workbook(tmp_path):
    book = tmp_path / "plan.xlsx"
    write_plan(example_config(), book)
    before = book.read_bytes()
    result = CliRunner().invoke(cli, ["recalc", str(book), "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 2
    assert "out.csv: must end in .xlsx like plan.xlsx" in result.output
    assert not (tmp_path / "out.csv").exists()
    assert book.read_bytes() == before

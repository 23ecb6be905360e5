"""``xl-funnel risk --write``: a styled sheet, the target marked, inputs named, a dated note."""

from __future__ import annotations

import zipfile

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from tests.validated import assert_valid
from xl_funnel.cli import cli
from xl_funnel.plan import example_config, write_plan


@pytest.fixture
def plan(tmp_path):
    path = tmp_path / "plan.xlsx"
    write_plan(example_config(), path)
    return path


def write(plan, *args):
    result = CliRunner().invoke(cli, ["risk", str(plan), "--write", "--trials", "5000", *args])
    assert result.exit_code == 0, result.output
    return load_workbook(plan)["Risk"]


def test_the_risk_sheet_is_styled_dated_and_names_its_inputs(plan):
    risk = write(plan)
    assert_valid(plan)
    assert risk["A1"].font.b
    assert risk["A1"].font.sz == 14
    assert risk["A2"].value.startswith("Computed 20")
    assert "does not follow later edits" in risk["A2"].value
    assert risk["A2"].font.i
    for ref in ("D3", "E3", "F3"):
        assert risk[ref].font.b
        assert risk[ref].fill.fgColor.rgb == "FF1F3864"
    labels = {risk[f"A{r}"].value: risk[f"B{r}"].value for r in range(3, risk.max_row + 1)}
    assert labels["Customers needed (CustomersNeeded)"] == 10
    assert labels["Top-of-funnel volume (RequiredVolumes, first stage)"] == pytest.approx(
        83_333.33, abs=0.01
    )
    assert labels["Stage rates (StageRates, with StageNames)"] == (
        "Visits → Leads 0.015, Leads → MQLs 0.2, MQLs → SQLs 0.2, SQLs → Opportunities 0.4, "
        "Opportunities → Customers 0.5"
    )
    assert labels["Rate uncertainty from"] == "--spread 0%"


def test_the_bars_that_reach_the_target_are_marked(plan):
    risk = write(plan, "--spread", "20%")
    assert risk["F3"].value == "Reaches the target (10)"
    rows = range(4, risk.max_row + 1)
    bins = [(risk[f"D{r}"].value, risk[f"E{r}"].value, risk[f"F{r}"].value) for r in rows]
    bins = [b for b in bins if b[0] is not None]
    reached = [b for b in bins if b[2] is not None]
    assert reached
    for label, share, marked in reached:
        assert int(str(label).split("–")[0].replace(",", "")) >= 10
        assert marked == share
    for label, _, marked in bins:
        if marked is None:
            assert int(str(label).split("–")[0].replace(",", "")) < 10
    # the marked share is the probability of reaching the target the summary reports
    probability = risk["B5"].value
    assert sum(b[2] for b in reached) == pytest.approx(probability, abs=1e-12)


def test_refreshing_does_not_grow_the_styles(plan):
    write(plan)
    first = zipfile.ZipFile(plan).read("xl/styles.xml")
    write(plan, "--seed", "4")
    assert zipfile.ZipFile(plan).read("xl/styles.xml") == first
    assert_valid(plan)

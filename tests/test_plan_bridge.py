"""The revenue bridge, pipeline coverage, sales capacity and CAC, worked by hand.

$10M recurring revenue at the start, 10 % gross churn, 5 % expansion and a $12M target
($10M flat history + 20 points): $9.5M stays, so new logos must bring $2.5M, 3 customers
at $1.1M. Two ramped reps at a $1M quota can close $2M: 125 % over capacity.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from openpyxl import load_workbook

from tests import libreoffice
from tests.cli_process import run_cli
from xl_funnel.plan import example_config, expected_values, plan_layout, write_plan
from xl_funnel.revenue_bridge import acquisition_cost, new_logo_goal, pipeline_needed

BRIDGE = dataclasses.replace(
    example_config(),
    revenue_history=(10_000_000.0, 10_000_000.0),
    growth_uplift=0.2,
    start_arr=10_000_000.0,
    gross_churn=0.1,
    expansion=0.05,
    ramped_reps=2.0,
    rep_quota=1_000_000.0,
    sales_cost=850_000.0,
    currency="EUR",
)


def test_core_bridge_by_hand():
    assert new_logo_goal(12e6, 10e6, 0.1, 0.05) == pytest.approx(2_500_000, rel=1e-15)
    assert new_logo_goal(9e6, 10e6, 0.1, 0.05) == 0  # the base covers the target
    assert pipeline_needed(625_000, 0.5) == 1_250_000
    assert pipeline_needed(625_000, 0.5, coverage=3) == 1_875_000
    assert acquisition_cost(1_000, 0) != acquisition_cost(1_000, 0)  # NaN: no customers
    names = expected_values(BRIDGE)["names"]
    assert names["TargetRevenue"] == pytest.approx(12_000_000, rel=1e-15)
    assert names["NewRevenueGoal"] == pytest.approx(2_500_000, rel=1e-12)
    assert names["CustomersNeeded"] == 3
    assert names["RetainedRevenue"] == pytest.approx(9_500_000, rel=1e-15)
    assert names["PipelineValueNeeded"] == pytest.approx([1_250_000] * 4, rel=1e-12)
    assert names["CoveragePipeline"] == pytest.approx([1_875_000] * 4, rel=1e-12)
    assert names["SalesCapacity"] == 2_000_000
    budget = names["BudgetNeeded"]
    assert names["MarketingCAC"] == pytest.approx(budget / 3, rel=1e-12)
    assert names["FullyLoadedCAC"] == pytest.approx((budget + 850_000) / 3, rel=1e-12)


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bridge")
    return write_plan(BRIDGE, folder / "bridge.xlsx")


def test_libreoffice_equals_the_core(plan):
    [out] = libreoffice.recalculate_all([plan], plan.parent / "lo")
    names = libreoffice.named_values(out)
    expected = expected_values(BRIDGE)["names"]
    assert names["NewRevenueGoal"] == pytest.approx(2_500_000, rel=1e-12)
    for key in (
        "TargetRevenue",
        "RetainedRevenue",
        "SalesCapacity",
        "MarketingCAC",
        "FullyLoadedCAC",
        "CustomersNeeded",
        "BudgetNeeded",
    ):
        assert names[key] == pytest.approx(expected[key], rel=1e-9), key
    for key in ("PipelineValueNeeded", "CoveragePipeline"):
        assert names[key] == pytest.approx(expected[key], rel=1e-9), key
    values = libreoffice.values(out)
    check = plan_layout(BRIDGE).funnel.bridge["capacity_check"]
    assert values[(check.sheet, check.ref)] == (
        "Over capacity: the new-revenue goal is 125 % of what the reps can close"
    )
    assert libreoffice.error_cells(out) == []


def test_recalc_and_scenarios_compute_the_same_goal(plan):
    result = run_cli("recalc", plan.name, "-o", "computed.xlsx", cwd=plan.parent)
    assert result.returncode == 0, result.stderr
    book = load_workbook(plan.parent / "computed.xlsx", data_only=True)
    ref = plan_layout(BRIDGE).funnel.new_revenue_goal
    assert book[ref.sheet][ref.ref].value == pytest.approx(2_500_000, rel=1e-12)
    lower = run_cli(
        "scenarios",
        plan.name,
        "--set",
        "GrossChurn=20%",
        "--outputs",
        "NewRevenueGoal",
        cwd=plan.parent,
    )
    assert lower.returncode == 0, lower.stderr
    # 12M − 10M × (1 − 0.2 + 0.05) = 3.5M.
    assert json.loads(lower.stdout)["NewRevenueGoal"] == pytest.approx(3_500_000, rel=1e-12)


def test_currency_reaches_every_money_format(plan):
    book = load_workbook(plan)
    formats = {
        cell.number_format
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.number_format and ("€" in cell.number_format or "$" in cell.number_format)
    }
    assert formats
    assert all('"€"' in f and "$" not in f for f in formats), formats

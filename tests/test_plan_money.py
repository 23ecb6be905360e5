"""Money buys volume: the channel plan names, cost drivers, budget caps, exact stage lookups.

Hand-computed against the built-in plan (seed 000: 1,250 leads a year, 104.17 a month) and
checked in LibreOffice and in ``xl-funnel``'s own engine (``scenarios``).
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest

from tests import libreoffice
from tests.cli_process import run_cli
from tests.plan_cases import CASES
from tests.validated import assert_valid
from xl_funnel.channel_money import budget_share_bought, channel_budget, channel_plan_rates
from xl_funnel.plan import Channel, example_config, expected_values, plan_layout, write_plan

#: Stage names that are lookup patterns: with MATCH(…, 0) "Le?ds" would find "Leads" and
#: "M*" the first stage starting with M.
PATTERN_STAGES = dataclasses.replace(
    example_config(),
    company="Wildcard Ltd",
    stage_names=("Visits", "Leads", "Le?ds", "M*", "SQL~s", "Customers"),
    stage_rates=(0.02, 0.5, 0.3, 0.4, 0.5),
    lead_stage="Leads",
    budget_cap=None,
    channels=(
        Channel("Paid *", None, 0.5, entry_stage="Le?ds", cost_per_unit=50.0),
        Channel("Events?", None, 0.3, entry_stage="M*", cost_per_unit=200.0),
        Channel("~Partners", None, 0.2, entry_stage="SQL~s", cost_per_unit=400.0),
    ),
)


def test_contract_a_names_have_their_shapes():
    """``ChannelMonthlyVolumes`` and ``ChannelMonthlyBudget`` are channels × 12 fiscal months,
    ``ChannelEntryStages`` channels × 1, ``MonthlyVolumes`` stages × 12 and
    ``QuarterlyVolumes`` stages × 4, rows in ``ChannelNames`` / ``StageNames`` order."""
    for config in (*CASES.values(), PATTERN_STAGES):
        names = plan_layout(config).names
        channels, stages = len(config.channels), len(config.stage_names)
        shapes = {
            "ChannelMonthlyVolumes": (channels, 12),
            "ChannelMonthlyBudget": (channels, 12),
            "ChannelQuarterlyBudget": (channels, 4),
            "ChannelEntryStages": (channels, 1),
            "ChannelNames": (channels, 1),
            "MonthlyVolumes": (stages, 12),
            "QuarterlyVolumes": (stages, 4),
            "StageNames": (stages, 1),
            "MonthLabels": (1, 12),
        }
        for name, shape in shapes.items():
            assert (names[name].rows, names[name].cols) == shape, (config.company, name)
        assert names["ChannelMonthlyVolumes"].row != names["ChannelMonthlyBudget"].row


def test_core_budget_and_rates_worked_by_hand():
    # 104.1667 leads a month × 20 % paid social × $1,680 = $35,000 a month, $420,000 a year.
    budget = channel_budget([[1250 / 12 * 0.2] * 12], [1_680.0])
    assert budget.sum() == pytest.approx(420_000, rel=1e-12)
    # $785,000 given, $290,000 fixed, $1.15M needed: 495 / 860 of the variable volume.
    assert budget_share_bought(1_150_000, 290_000, 785_000) == pytest.approx(495 / 860)
    assert budget_share_bought(1_150_000, 290_000, 200_000) == 0
    # A stage no channel brings keeps its typed rate; shares of 0 do not count.
    rates = channel_plan_rates([0.5, 0.5], [0, 0], [1.0, 0.0], [0.3, 0.9])
    assert rates.tolist() == [0.3, 0.5]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("money")
    write_plan(example_config(), folder / "plan.xlsx")
    write_plan(PATTERN_STAGES, folder / "patterns.xlsx")
    return folder


@pytest.fixture(scope="module")
def recalculated(folder) -> dict[str, dict]:
    paths = [folder / "plan.xlsx", folder / "patterns.xlsx"]
    out = libreoffice.recalculate_all(paths, folder / "lo")
    return {path.stem: libreoffice.named_values(path) for path in out} | {
        f"{path.stem}:cells": libreoffice.values(path) for path in out
    }


def test_example_budget_needed_equals_the_channel_costs(recalculated):
    """Units × cost per unit + fixed: organic $180k and email $60k fixed, paid social 250
    leads × $1,680, syndication 250 × $960, webinars 125 × $800 + $50k, a $100k mailing:
    $1,150,000, under the $1.2M given, so it buys the whole plan."""
    names = recalculated["plan"]
    assert names["BudgetNeeded"] == pytest.approx(1_150_000, rel=1e-12)
    assert names["TotalBudget"] == names["BudgetNeeded"]
    assert names["BudgetGap"] == 0
    assert names["CustomersBought"] == pytest.approx(10, rel=1e-12)
    assert names["ChannelEntryStages"] == ["Leads"] * 6
    monthly = names["ChannelMonthlyBudget"]
    assert sum(map(sum, monthly)) == pytest.approx(1_150_000, rel=1e-12)
    volumes = names["ChannelMonthlyVolumes"]
    # Paid social brings 20 % of the leads the plan generates, in whole leads that keep up
    # with 20 % of the running total: 21 of the first 105, 42 of the first 209 …, 250 a year.
    leads = names["MonthlyVolumes"][1]
    running = [0.2 * sum(leads[: m + 1]) for m in range(12)]
    assert [sum(volumes[2][: m + 1]) for m in range(12)] == [math.ceil(r - 1e-9) for r in running]
    assert sum(volumes[2]) == 250
    expected = expected_values(example_config())["names"]
    for key in ("ChannelMonthlyVolumes", "ChannelMonthlyBudget", "ChannelQuarterlyBudget"):
        got = [v for row in names[key] for v in row]
        want = [v for row in expected[key] for v in row]
        assert got == pytest.approx(want, rel=1e-9), key


def test_stage_names_with_wildcards_are_looked_up_exactly(recalculated):
    """A stage called ``Le?ds`` is not ``Leads``, ``M*`` is not any stage starting with M and
    ``SQL~s`` keeps its tilde: each channel's cost per unit is its own, exactly."""
    values = recalculated["patterns:cells"]
    c = plan_layout(PATTERN_STAGES).channels
    positions = [values[("Channels", c.column("entry_position").cell(k).ref)] for k in range(3)]
    assert positions == [3, 4, 5]
    costs = [values[("Channels", c.column("cpl").cell(k).ref)] for k in range(3)]
    assert costs == pytest.approx([50.0, 200.0, 400.0], rel=1e-12)
    expected = expected_values(PATTERN_STAGES)
    for k, row in enumerate(expected["channels"]):
        assert values[("Channels", c.column("leads").cell(k).ref)] == pytest.approx(
            row["leads"], rel=1e-9
        )


def test_engine_agrees_on_wildcard_stage_names(folder):
    from xl_funnel.recalc.workflow import named_values

    got = named_values(folder / "patterns.xlsx", ["ChannelBudgets", "ChannelMonthlyVolumes"])
    expected = expected_values(PATTERN_STAGES)["names"]
    assert got["ChannelBudgets"] == pytest.approx(expected["ChannelBudgets"], rel=1e-9)
    budgets = [row["budget"] / row["leads"] for row in expected_values(PATTERN_STAGES)["channels"]]
    assert budgets == pytest.approx([50.0, 200.0, 400.0], rel=1e-12)


def test_scenarios_cost_per_lead_up_20_percent_and_a_lower_cap(folder):
    """+20 % cost per lead on paid social raises the budget need by its 250 leads × 0.2 ×
    $1,680 = $84,000; a $785,000 cap buys (785 − 390) / (1,150 − 390) of the variable
    volume: 10 − (1 − 395/760) × 10 = 5.197 customers."""
    costs = [0.0, 0.0, 1_680.0 * 1.2, 960.0, 800.0, 0.0]
    result = run_cli(
        "scenarios",
        "plan.xlsx",
        "--set",
        "ChannelUnitCosts=" + ";".join(str(c) for c in costs),
        "--outputs",
        "BudgetNeeded,CustomersBought",
        cwd=folder,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["BudgetNeeded"] == pytest.approx(1_150_000 + 250 * 0.2 * 1_680, rel=1e-12)
    capped = run_cli(
        "scenarios",
        "plan.xlsx",
        "--set",
        "BudgetCap=785000",
        "--outputs",
        "BudgetNeeded,BudgetGap,CustomersBought",
        cwd=folder,
    )
    assert capped.returncode == 0, capped.stderr
    answer = json.loads(capped.stdout)
    assert answer["BudgetGap"] == pytest.approx(365_000, rel=1e-12)
    assert answer["CustomersBought"] == pytest.approx(10 - (1 - 395 / 760) * 10, rel=1e-12)
    assert answer["CustomersBought"] < 10


@pytest.mark.parametrize("name", ["plan", "patterns"])
def test_generated_plans_pass_the_ooxml_validator(folder, name):
    assert_valid(folder / f"{name}.xlsx")


def test_a_lower_cap_buys_fewer_units_in_libreoffice(tmp_path):
    """$785,000 for the built-in plan: every channel buys 395/760 of its units (paid social
    130 of its 250 leads) and the plan 5.2 customers, in LibreOffice as in the core."""
    config = dataclasses.replace(example_config(), budget_cap=785_000.0)
    path = write_plan(config, tmp_path / "capped.xlsx")
    [out] = libreoffice.recalculate_all([path], tmp_path / "lo")
    values, names = libreoffice.values(out), libreoffice.named_values(out)
    c = plan_layout(config).channels
    bought = [values[("Channels", c.column("units_bought").cell(k).ref)] for k in range(6)]
    assert bought[2] == pytest.approx(250 * 395 / 760, rel=1e-12)
    assert names["CustomersBought"] == pytest.approx(10 - (1 - 395 / 760) * 10, rel=1e-12)
    assert names["BudgetGap"] == pytest.approx(1_150_000 - 785_000, rel=1e-12)
    expected = expected_values(config)
    assert bought == pytest.approx([row["units_bought"] for row in expected["channels"]])

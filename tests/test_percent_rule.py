"""The one percent rule: "20%" and 0.2 are one rate everywhere; a bare 20 gets a hint."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.test_config import VALID
from xl_funnel.cli import cli
from xl_funnel.errors import InvalidRateError
from xl_funnel.io.rates import parse_rate
from xl_funnel.plan.config import ConfigError, parse_config


@pytest.mark.parametrize(
    ("value", "expected"),
    [("20%", 0.2), ("20 %", 0.2), (" 0.2 ", 0.2), (0.2, 0.2), (1, 1.0), ("100%", 1.0), (0, 0.0)],
)
def test_fractions_and_percentages_are_one_value(value, expected):
    assert parse_rate(value, "x") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (20, "x is 20: a rate is a fraction; did you mean 0.2 (20 %)?"),
        (1.5, "x is 1.5: a rate is a fraction; did you mean 0.015 (1.5 %)?"),
        (250, "x is 250: a rate is a fraction such as 0.2"),
        ("150%", "x is 150 %: it must be at least 0 % and at most 100 %"),
        ("-5%", "x is -5 %: it must be at least 0 % and at most 100 %"),
        ("lots", "x is 'lots': give a fraction such as 0.2 or 20%"),
        (True, "x is True: give a fraction such as 0.2 or 20%"),
    ],
)
def test_what_is_refused_and_how(value, message):
    with pytest.raises(InvalidRateError) as error:
        parse_rate(value, "x")
    assert str(error.value) == message


def test_config_takes_percent_texts_and_hints_at_bare_percentages():
    text = VALID.replace("new_revenue_share = 0.4", 'new_revenue_share = "40%"')
    text = text.replace("rates = [0.25, 0.1]", 'rates = ["25%", 0.1]')
    text = text.replace("[revenue]", '[revenue]\ngrowth_uplift = "5%"')
    config = parse_config(text)
    assert config.new_revenue_share == 0.4
    assert config.stage_rates == (0.25, 0.1)
    assert config.growth_uplift == 0.05
    with pytest.raises(ConfigError) as caught:
        parse_config(VALID.replace("[revenue]", "[revenue]\ngrowth_uplift = 5"))
    assert caught.value.problems == [
        "revenue.growth_uplift: is 5: a rate is a fraction; did you mean 0.05 (5 %)?"
    ]


def test_risk_spread_follows_the_rule(tmp_path):
    from xl_funnel.plan import example_config, write_plan

    plan = tmp_path / "plan.xlsx"
    write_plan(example_config(), plan)
    bare = CliRunner().invoke(cli, ["risk", str(plan), "--spread", "20", "--trials", "100"])
    assert bare.exit_code == 2
    assert bare.stderr.strip() == (
        "Error: --spread is 20: a rate is a fraction; did you mean 0.2 (20 %)?"
    )
    runs = [
        CliRunner().invoke(cli, ["risk", str(plan), "--spread", s, "--trials", "500", "--json"])
        for s in ("20%", "0.2")
    ]
    assert runs[0].exit_code == 0, runs[0].output
    assert runs[0].stdout == runs[1].stdout


def test_a_scenario_cell_follows_the_rule(tmp_path):
    from xl_funnel.plan import example_config, write_plan

    plan = tmp_path / "plan.xlsx"
    write_plan(example_config(), plan)
    bare = CliRunner().invoke(cli, ["scenarios", str(plan), "--set", "GrowthUplift=5"])
    assert bare.exit_code == 2
    assert bare.stderr.strip().endswith("; did you mean 0.05 (5 %)?")
    months = CliRunner().invoke(cli, ["scenarios", str(plan), "--set", "SalesCycleMonths=30"])
    assert months.exit_code == 2
    assert "did you mean" not in months.stderr
    ok = CliRunner().invoke(cli, ["scenarios", str(plan), "--set", "GrowthUplift=5%"])
    assert ok.exit_code == 0, ok.output

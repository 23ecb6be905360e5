"""``xl-funnel new``: writes the plan, prints the example config, refuses bad input cleanly."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.plan_cases import FLYWHEEL
from xl_funnel.cli import cli
from xl_funnel.plan import config_toml, example_config, parse_config, workbook_bytes


@pytest.fixture
def run():
    def invoke(*args: str):
        return CliRunner().invoke(cli, ["new", *args], catch_exceptions=False)

    return invoke


def test_new_writes_the_example_plan(run, tmp_path):
    target = tmp_path / "plan.xlsx"
    result = run(str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == workbook_bytes(example_config())
    assert result.stdout.strip() == (
        f"Wrote {target}: 6 stages, 6 channels. Target revenue $20,000,000; new revenue goal "
        "$10,000,000; customers needed 10; total budget $1,150,000."
    )


def test_print_config_round_trips_through_the_config_option(run, tmp_path):
    printed = run("--print-config")
    assert printed.exit_code == 0
    assert parse_config(printed.stdout) == example_config()
    config = tmp_path / "plan.toml"
    config.write_text(printed.stdout.replace('company = "Example Co"', 'company = "Mine"'))
    result = run(str(tmp_path / "mine.xlsx"), "--config", str(config))
    assert result.exit_code == 0, result.output
    expected = workbook_bytes(parse_config(config.read_text()))
    assert (tmp_path / "mine.xlsx").read_bytes() == expected


def test_refuses_to_overwrite_without_force(run, tmp_path):
    target = tmp_path / "plan.xlsx"
    target.write_bytes(b"my edited plan")
    result = run(str(target))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {target}: already exists; add --force to replace it\n"
    assert target.read_bytes() == b"my edited plan"
    forced = run(str(target), "--force")
    assert forced.exit_code == 0
    assert target.read_bytes() == workbook_bytes(example_config())


def test_config_problems_all_listed_nothing_written(run, tmp_path):
    config = tmp_path / "plan.toml"
    text = run("--print-config").stdout
    text = text.replace("avg_deal_size = 1_100_000.0", "avg_deal_size = -5")
    text = text.replace("cost_per_unit = 1680.0", 'cost_per_unit = "a lot"')
    text = text.replace("[tracking]", "[tracking]\nspend_flag = 2")
    config.write_text(text)
    target = tmp_path / "plan.xlsx"
    result = run(str(target), "--config", str(config))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {config}: revenue.avg_deal_size: must be a positive number, got -5",
        f"Error: {config}: tracking.spend_flag: unknown key (did you mean 'spend_flag_ratio'?)",
        f"Error: {config}: channels[2].cost_per_unit: must be an amount of money, 0 or more, "
        "got 'a lot'",
    ]
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == [config]


def test_missing_config_file_is_one_line(run, tmp_path):
    result = run(str(tmp_path / "plan.xlsx"), "--config", str(tmp_path / "nope.toml"))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {tmp_path / 'nope.toml'}: cannot read the file: it does not exist\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give the workbook to create, e.g. xl-funnel new plan.xlsx"),
        (("plan.csv",), "plan.csv: the plan workbook must be an .xlsx file"),
        (
            ("no/such/folder/plan.xlsx",),
            "no/such/folder/plan.xlsx: folder no/such/folder does not exist",
        ),
        (("x.xlsx", "--print-config"), "--print-config prints to stdout: drop PATH"),
    ],
)
def test_usage_errors_exit_2(run, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_help_has_an_example(run):
    result = CliRunner().invoke(cli, ["new", "--help"])
    assert result.exit_code == 0
    assert "xl-funnel new --print-config > plan.toml" in result.stdout


def test_new_reports_what_the_flywheel_brings(run, tmp_path):
    config = tmp_path / "loop.toml"
    config.write_text(config_toml(FLYWHEEL), encoding="utf-8")
    result = run(str(tmp_path / "loop.xlsx"), "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "customers needed 72 (referrals bring 23.7, the funnel 48.3);" in result.stdout
    assert (tmp_path / "loop.xlsx").read_bytes() == workbook_bytes(FLYWHEEL)

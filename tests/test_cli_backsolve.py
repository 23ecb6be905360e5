"""`xl-funnel backsolve` from the shell, and `--help` with an example on every command."""

from __future__ import annotations

import json

from click.testing import CliRunner

from xl_funnel.cli import COMMANDS, cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_seed_000_monthly_table():
    result = run("backsolve", "9", "--periods", "12")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["Visits", "6,250.00"]
    assert lines[-1].split() == ["Customers", "0.75"]


def test_json_whole_units():
    result = run("backsolve", "10", "--periods", "12", "--round-up", "--json")
    assert json.loads(result.output) == {
        "Visits": 8334,
        "Leads": 125,
        "MQLs": 25,
        "SQLs": 5,
        "Opportunities": 2,
        "Customers": 1,
    }


def test_bad_rate_is_one_line_and_exit_2():
    result = run("backsolve", "9", "--rates", "0.5,0", "--stages", "A,B,C")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: rates[1] is 0: a stage with a 0 % conversion rate can never reach the target"
    )


def test_stage_names_must_fit_the_rates():
    result = run("backsolve", "9", "--rates", "0.5", "--stages", "A,B,C")
    assert result.exit_code == 2
    assert "--stages has 3 names for 1 rates" in result.output


def test_rates_must_be_numbers():
    result = run("backsolve", "9", "--rates", "half")
    assert result.exit_code == 2
    assert "--rates 'half'" in result.output


def test_top_level_help_lists_every_command_and_each_has_help():
    listing = run("--help").output
    for name in COMMANDS:
        assert name in listing
        sub = run(name, "--help")
        assert sub.exit_code == 0, name
        assert "Example" in sub.output, f"{name} --help has no example"

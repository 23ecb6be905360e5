"""`xl-funnel backsolve` from the shell, and `--help` with an example on every command."""

from __future__ import annotations

import json

import pytest
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


def test_bad_rate_is_one_line_naming_the_option_and_exit_2():
    result = run("backsolve", "9", "--rates", "0.5,0", "--stages", "A,B,C")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: --rates[1] is 0: a stage with a 0 % conversion rate can never reach the target"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("9", "--rates", "0.5,2"),
            "Error: --rates[1] is 2: a rate is a fraction; did you mean 0.02",
        ),
        (("9", "--rates="), "Error: --rates must list at least one stage-to-stage conversion"),
        (("9", "--periods", "0"), "Error: --periods is 0: the number of periods must be"),
        (("9", "--buffer", "-1"), "Error: --buffer is -1: a safety margin cannot be negative"),
        (("--", "-3"), "Error: TARGET is -3: a target cannot be negative"),
    ],
)
def test_core_errors_name_the_option(args, message):
    result = run("backsolve", *args)
    assert result.exit_code == 2
    assert result.output.startswith(message)
    assert len(result.output.strip().splitlines()) == 1


def test_other_than_five_rates_get_numbered_stage_names():
    result = run("backsolve", "9", "--rates", "0.5,0.2", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"Stage 1": 90.0, "Stage 2": 45.0, "Stage 3": 9.0}
    table = run("backsolve", "4", "--rates", "0.5")
    assert table.exit_code == 0, table.output
    assert [line.split() for line in table.output.splitlines()] == [
        ["Stage", "1", "8.00"],
        ["Stage", "2", "4.00"],
    ]


def test_given_stage_names_still_apply_to_any_number_of_rates():
    result = run("backsolve", "9", "--rates", "0.5,0.2", "--stages", "Trials,Demos,Deals", "--json")
    assert json.loads(result.output) == {"Trials": 90.0, "Demos": 45.0, "Deals": 9.0}


def test_stage_names_must_fit_the_rates():
    result = run("backsolve", "9", "--rates", "0.5", "--stages", "A,B,C")
    assert result.exit_code == 2
    assert "--stages has 3 names for 1 rates" in result.output


def test_rates_must_be_numbers():
    result = run("backsolve", "9", "--rates", "half")
    assert result.exit_code == 2
    assert "--rates[0] is 'half': give a fraction such as 0.2 or 20%" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--buffer", "20"),
            "Error: --buffer is 20: a rate is a fraction; did you mean 0.2 (20 %)?",
        ),
        (
            ("--rates", "1.5,20,20,40,50"),
            "Error: --rates[0] is 1.5: a rate is a fraction; did you mean 0.015 (1.5 %)?",
        ),
    ],
)
def test_percentages_typed_as_numbers_are_refused_with_the_fraction(args, message):
    result = run("backsolve", "9", *args)
    assert result.exit_code == 2
    assert result.output.strip() == message


def test_percentages_with_their_sign_equal_fractions():
    with_sign = run(
        "backsolve", "9", "--rates", "1.5%,20%,20%,40%,50%", "--buffer", "20%", "--json"
    )
    fractions = run(
        "backsolve", "9", "--rates", "0.015,0.2,0.2,0.4,0.5", "--buffer", "0.2", "--json"
    )
    assert with_sign.exit_code == 0, with_sign.output
    assert json.loads(with_sign.output) == json.loads(fractions.output)
    # a 150 % buffer is allowed when written as one
    assert run("backsolve", "9", "--buffer", "150%").exit_code == 0


def test_top_level_help_lists_every_command_and_each_has_help():
    listing = run("--help").output
    for name in COMMANDS:
        assert name in listing
        sub = run(name, "--help")
        assert sub.exit_code == 0, name
        assert "Example" in sub.output, f"{name} --help has no example"


@pytest.mark.parametrize("name", ["attribute", "risk", "excel-setup", "functions", "recalc", "new"])
def test_help_keeps_example_lines_and_puts_them_before_the_prose(name):
    lines = run(name, "--help").output.splitlines()
    start = lines.index("  Examples:")
    examples = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        examples.append(line)
    # Each example on its own line, directly under the heading, not rewrapped by click.
    assert len(examples) >= 2
    assert all(line.startswith(f"    xl-funnel {name}") for line in examples)
    assert all(len(line) <= 90 for line in examples)
    # Examples first: no example further down, after the prose.
    rest = lines[start + 1 + len(examples) :]
    assert not any(line.startswith("    xl-funnel") for line in rest)

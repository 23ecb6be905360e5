"""Misuses that used to end in a traceback or an unclear message (issue 14)."""

from __future__ import annotations

import openpyxl
import pytest

from tests.cli_process import run_cli
from tests.data.recalc.books import mini_plan
from tests.validated import assert_valid
from xl_funnel.plan import config_toml, example_config
from xl_funnel.recalc.scenario_output import write_xlsx


def one_line(result, *fragments: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-5"], "Error: TARGET is -5: a target cannot be negative"),
        (["-5", "--periods", "2"], "Error: TARGET is -5: a target cannot be negative"),
        (["--periods", "2", "-1e3"], "Error: TARGET is -1000: a target cannot be negative"),
        (["9", "--periods", "-2"], "Error: --periods is -2: the number of periods must be"),
    ],
)
def test_backsolve_with_a_negative_number_names_the_argument(tmp_path, args, message):
    line = one_line(run_cli("backsolve", *args, cwd=tmp_path))
    assert line.startswith(message)
    assert "No such option" not in line


def test_backsolve_still_refuses_an_unknown_option(tmp_path):
    result = run_cli("backsolve", "-x", cwd=tmp_path)
    assert result.returncode == 2
    assert "No such option '-x'" in result.stderr


@pytest.fixture
def folder(tmp_path):
    mini_plan(tmp_path / "plan.xlsx")
    return tmp_path


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        (
            "AvgDealSize,NewRevenueGoal,AvgDealSize\n1000000,5000000,2000000\n",
            "grid.csv: columns 1 and 3 are both named 'AvgDealSize': rename one",
        ),
        (
            "AvgDealSize,avgdealsize\n1000000,2000000\n",
            "grid.csv: columns 1 and 2 are both named 'AvgDealSize': rename one",
        ),
    ],
)
def test_a_grid_with_the_same_column_twice_is_refused(folder, grid, message):
    (folder / "grid.csv").write_text(grid)
    one_line(run_cli("scenarios", "plan.xlsx", "grid.csv", cwd=folder), message)


def test_the_same_input_set_twice_is_refused(folder):
    result = run_cli(
        "scenarios", "plan.xlsx", "--set", "AvgDealSize=1", "--set", "AVGDEALSIZE=2", cwd=folder
    )
    one_line(result, "--set: 'AVGDEALSIZE' is given twice")


def test_a_control_character_in_a_grid_value_is_refused_before_writing_xlsx(folder):
    (folder / "grid.csv").write_bytes(b'AvgDealSize\n"a\x01b"\n')
    result = run_cli("scenarios", "plan.xlsx", "grid.csv", "-o", "out.xlsx", cwd=folder)
    one_line(result, "grid.csv: row 2, column AvgDealSize", "control character '\\x01'")
    assert not (folder / "out.xlsx").exists()


def test_a_control_character_in_a_computed_output_is_escaped_in_xlsx(tmp_path):
    path = tmp_path / "out.xlsx"
    write_xlsx(path, ["Name\x02", "Value"], [["a\x01b", 1.0], ["tab\tok", 2.0]])
    sheet = openpyxl.load_workbook(path)["Scenarios"]
    assert [cell.value for cell in sheet[1]] == ["Name_x0002_", "Value"]
    assert sheet["A2"].value == "a_x0001_b"
    assert sheet["A3"].value == "tab\tok"
    assert_valid(path)


# --- plan configs --------------------------------------------------------------------------


def test_a_config_saved_with_a_byte_order_mark_is_read(tmp_path):
    (tmp_path / "plan.toml").write_bytes(b"\xef\xbb\xbf" + config_toml(example_config()).encode())
    result = run_cli("new", "plan.xlsx", "--config", "plan.toml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert openpyxl.load_workbook(tmp_path / "plan.xlsx")["Assumptions"] is not None


def test_control_characters_in_config_names_are_named(tmp_path):
    text = config_toml(example_config())
    text = text.replace('name = "Organic search"', 'name = "Organic\\u0007search"')
    text = text.replace('"Visits", "Leads"', '"Vis\\u0000its", "Leads"')
    (tmp_path / "plan.toml").write_text(text)
    result = run_cli("new", "plan.xlsx", "--config", "plan.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "Error: plan.toml: funnel.stages[0]: must not hold control characters, got '\\x00' at "
        "character 4 of 'Vis\\x00its'",
        "Error: plan.toml: channels[0].name: must not hold control characters, got '\\x07' at "
        "character 8 of 'Organic\\x07search'",
    ]
    assert not (tmp_path / "plan.xlsx").exists()


def test_a_mistyped_command_gets_a_did_you_mean(tmp_path):
    result = run_cli("recalk", "plan.xlsx", cwd=tmp_path)
    assert result.returncode == 2
    assert "No such command 'recalk'. Did you mean 'recalc'?" in result.stderr
    result = run_cli("zzz", cwd=tmp_path)
    assert result.returncode == 2
    assert "No such command 'zzz'." in result.stderr
    assert "Did you mean" not in result.stderr

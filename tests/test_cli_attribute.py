"""``xl-funnel attribute``: the channel table from a CSV or .xlsx of touches."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from xl_funnel.cli import cli

TOUCHES = """Journey,Time,Channel,Stage,Revenue
A,2026-01-01,Ads,,10000
A,2026-01-08,Webinar,lead created,10000
A,2026-01-15,Email,,10000
A,2026-01-22,Sales,opportunity created,10000
B,2026-02-01,Email,,2000
"""


def run(*args: str):
    return CliRunner().invoke(cli, ["attribute", *args])


@pytest.fixture
def touches(tmp_path):
    path = tmp_path / "touches.csv"
    path.write_text(TOUCHES)
    return path


def test_prints_the_w_shaped_table_by_default(touches):
    result = run(str(touches))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Channel", "Credited", "revenue", "Share"]
    # A: 30 % each to Ads, Webinar, Sales and 10 % to Email; B all to Email.
    assert lines[1:5] == [
        "Ads                3,000.00    25.0%",
        "Email              3,000.00    25.0%",
        "Sales              3,000.00    25.0%",
        "Webinar            3,000.00    25.0%",
    ]
    assert lines[5].split() == ["Total", "12,000.00"]


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("first", {"Ads": 10_000.0, "Email": 2_000.0, "Webinar": 0.0, "Sales": 0.0}),
        ("LAST", {"Sales": 10_000.0, "Email": 2_000.0, "Ads": 0.0, "Webinar": 0.0}),
        ("linear", {"Ads": 2_500.0, "Webinar": 2_500.0, "Email": 4_500.0, "Sales": 2_500.0}),
        ("u_shaped", {"Ads": 4_000.0, "Webinar": 4_000.0, "Email": 3_000.0, "Sales": 1_000.0}),
    ],
)
def test_json_for_each_model(touches, model, expected):
    result = run(str(touches), "--model", model, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["model"] == model.lower()
    assert {row["channel"]: row["revenue"] for row in data["channels"]} == expected
    assert sum(row["share"] for row in data["channels"]) == pytest.approx(1.0)


def test_time_decay_with_a_half_life(touches):
    result = run(str(touches), "--model", "time_decay", "--half-life", "7", "--json")
    credit = {row["channel"]: row["revenue"] for row in json.loads(result.stdout)["channels"]}
    # Weekly touches, half-life 7 days: 1, 2, 4, 8 parts of 15.
    assert credit["Ads"] == pytest.approx(10_000 / 15)
    assert credit["Sales"] == pytest.approx(80_000 / 15)
    assert credit["Email"] == pytest.approx(40_000 / 15 + 2_000)


def test_reads_xlsx(tmp_path, touches):
    path = tmp_path / "touches.xlsx"
    pd.read_csv(touches).to_excel(path, index=False)
    from_xlsx = run(str(path), "--model", "u_shaped", "--json")
    from_csv = run(str(touches), "--model", "u_shaped", "--json")
    assert from_xlsx.exit_code == 0, from_xlsx.output
    assert json.loads(from_xlsx.stdout) == json.loads(from_csv.stdout)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Journey,Time,Revenue\nA,1,5\n", "touches.csv: touches has no 'channel' column"),
        ("Journey,Time,Channel,Revenue\nA,1,Ads,-5\n", "revenue must be a number ≥ 0"),
        ("", "touches.csv: cannot read it as a table of touches"),
        ("Journey,Order,Channel\nA,1,Ads\n", None),
    ],
)
def test_bad_tables_exit_2_with_one_line(tmp_path, content, message):
    path = tmp_path / "touches.csv"
    path.write_text(content)
    args = [str(path)] if message else [str(path), "--model", "time_decay"]
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: {path}: ")
    assert (message or "time_decay needs a 'time' column") in lines[0]


def test_missing_file_and_bad_model(tmp_path, touches):
    missing = run(str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2
    assert "nope.csv: no such file" in missing.stderr
    bad = run(str(touches), "--model", "markow")
    assert bad.exit_code == 2
    assert "'markow' is not one of" in bad.stderr
    garbage = tmp_path / "touches.xlsx"
    garbage.write_bytes(b"not a zip")
    result = run(str(garbage))
    assert result.exit_code == 2
    assert "touches.xlsx: cannot read it" in result.stderr


def test_help_has_an_example_and_the_command_is_listed():
    assert "xl-funnel attribute touches.csv --model w_shaped" in run("--help").stdout
    listing = CliRunner().invoke(cli, ["--help"]).stdout
    assert "attribute" in listing
    assert "Credit revenue to channels by touch." in listing

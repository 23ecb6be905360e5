"""``xl-funnel attribute``: the channel table from a CSV or .xlsx of touches."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from tests.attribution_engines import engine, spark  # noqa: F401  (fixtures)
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
        (
            "Journey,Time,Revenue\nA,1,5\n",
            "touches.csv: no 'channel' column for a table of touches (columns found: 'Journey'",
        ),
        ("Journey,Time,Channel,Revenue\nA,1,Ads,-5\n", "revenue must be a number ≥ 0"),
        ("", "touches.csv: is empty"),
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
    assert "nope.csv: does not exist" in missing.stderr
    bad = run(str(touches), "--model", "markow")
    assert bad.exit_code == 2
    assert "'markow' is not one of" in bad.stderr
    garbage = tmp_path / "touches.xlsx"
    garbage.write_bytes(b"not a zip")
    result = run(str(garbage))
    assert result.exit_code == 2
    assert "touches.xlsx: is not an Excel workbook" in result.stderr


def test_help_has_an_example_and_the_command_is_listed():
    assert "xl-funnel attribute touches.csv --model w_shaped" in run("--help").stdout
    listing = CliRunner().invoke(cli, ["--help"]).stdout
    assert "attribute" in listing
    assert "Credit revenue to channels by touch." in listing


# --- engines, data-driven models, output files ---------------------------------------------


def credit_json(*args: str) -> dict[str, float]:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return {row["channel"]: row["revenue"] for row in json.loads(result.stdout)["channels"]}


@pytest.mark.parametrize("model", ["markov", "shapley", "full_path"])
def test_every_engine_prints_the_same_credit(touches, tmp_path, model, engine):  # noqa: F811
    parquet = tmp_path / "touches.parquet"
    pd.read_csv(touches).to_parquet(parquet)
    expected = credit_json(str(touches), "--model", model, "--engine", "pandas")
    assert sum(expected.values()) == pytest.approx(12_000.0, rel=1e-12)
    for path in (touches, parquet):
        got = credit_json(str(path), "--model", model, "--engine", engine)
        assert got == pytest.approx(expected, rel=1e-9)


def test_markov_by_hand_on_the_command_line(touches):
    # A: Ads > Webinar > Email > Sales converts 10,000; B: Email converts 2,000. Every walk
    # converts (p = 1). Without Ads: 1/2 (B's walk); Webinar and Sales likewise 1/2; without
    # Email: 0. Effects 1/2, 1/2, 1/2, 1: Email gets 1/2.5 of 12,000, the others 1/5 each.
    assert credit_json(str(touches), "--model", "markov") == pytest.approx(
        {"Email": 4_800.0, "Ads": 2_400.0, "Sales": 2_400.0, "Webinar": 2_400.0}, rel=1e-12
    )


def test_progress_goes_to_stderr(touches):
    result = run(str(touches), "--model", "shapley", "--progress")
    assert result.exit_code == 0, result.output
    steps = result.stderr.splitlines()
    assert any(
        "shapley: checking the touches and crediting the channels on duckdb" in line
        for line in steps
    )
    assert steps[-1].endswith("done: 4 channels")
    assert "Channel" in result.stdout
    assert run(str(touches)).stderr == ""  # not a terminal: quiet by default


def validate_xlsx(path) -> None:
    validator = Path(__file__).resolve().parents[2] / "shared" / "ooxml" / "validate.py"
    assert validator.exists(), f"{validator} is missing: it checks the workbooks we write"
    done = subprocess.run(
        [sys.executable, str(validator), "--quiet", str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_output_csv_parquet_and_xlsx(touches, tmp_path):
    expected = credit_json(str(touches), "--model", "u_shaped")
    for suffix in (".csv", ".parquet", ".xlsx"):
        path = tmp_path / f"credit{suffix}"
        result = run(str(touches), "--model", "u_shaped", "--output", str(path))
        assert result.exit_code == 0, result.output
        if suffix == ".csv":
            table = pd.read_csv(path)
        elif suffix == ".parquet":
            table = pd.read_parquet(path)
        else:
            validate_xlsx(path)
            book = openpyxl.load_workbook(path)
            sheet = book["Attribution"]
            assert sheet["A2"].value == "Channel"
            assert sheet["B3"].number_format == "#,##0.00;[Red]-#,##0.00"
            assert sheet["C3"].number_format == "0.0%"
            assert sheet["A7"].value == "Total"
            assert sheet["B7"].value == "=SUM(B3:B6)"
            table = pd.read_excel(path, skiprows=1, nrows=4).rename(
                columns={"Channel": "channel", "Credited revenue": "revenue", "Share": "share"}
            )
        assert dict(zip(table["channel"], table["revenue"], strict=True)) == pytest.approx(expected)
        assert table["share"].sum() == pytest.approx(1.0)


def test_output_text_never_becomes_a_formula(tmp_path):
    path = tmp_path / "touches.csv"
    path.write_text('journey,order,channel\nA,1,"=HYPERLINK(""http://x"",""y"")"\nA,2,Ads\n')
    csv_out, xlsx_out = tmp_path / "credit.csv", tmp_path / "credit.xlsx"
    assert run(str(path), "--model", "first", "-o", str(csv_out)).exit_code == 0
    assert "'=HYPERLINK" in csv_out.read_text()
    assert run(str(path), "--model", "first", "-o", str(xlsx_out)).exit_code == 0
    validate_xlsx(xlsx_out)
    cell = openpyxl.load_workbook(xlsx_out)["Attribution"]["A3"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x","y")', "s")


def test_output_is_checked_before_anything_runs(touches, tmp_path):
    same = run(str(touches), "--output", str(touches))
    assert same.exit_code == 2
    assert "is an input" in same.stderr
    assert touches.read_text() == TOUCHES
    deals = tmp_path / "deals.csv"
    deals.write_text("journey,revenue\nA,5\n")
    also = run(str(touches), "--conversions", str(deals), "--output", str(deals))
    assert also.exit_code == 2
    assert "is an input" in also.stderr
    assert deals.read_text() == "journey,revenue\nA,5\n"
    odd = run(str(touches), "--output", str(tmp_path / "credit.json"))
    assert odd.exit_code == 2
    assert "write a .csv, .parquet, .xlsx file" in odd.stderr
    # A failing computation leaves an existing output untouched.
    out = tmp_path / "credit.csv"
    out.write_text("keep me")
    bad = tmp_path / "bad.csv"
    bad.write_text("Journey,Time,Channel,Revenue\nA,1,Ads,-5\n")
    assert run(str(bad), "--output", str(out)).exit_code == 2
    assert out.read_text() == "keep me"
    master = run(str(touches), "--spark-master", "local[1]")
    assert master.exit_code == 2
    assert "--spark-master: only with --engine spark" in master.stderr


def test_conversions_file(tmp_path):
    touches = tmp_path / "touches.csv"
    touches.write_text("journey,order,channel\nA,1,Ads\nA,2,Email\nB,1,Email\n")
    deals = tmp_path / "deals.csv"
    deals.write_text("Journey,Revenue\nA,900\n")
    # B did not convert. p = 1/2 · 1/2 + 1/2 · 1/2 = 1/2; without Ads 1/4 (effect 1/2), without
    # Email 0 (effect 1): Ads 300, Email 600.
    credit = credit_json(str(touches), "--model", "markov", "--conversions", str(deals))
    assert credit == pytest.approx({"Ads": 300.0, "Email": 600.0})
    deals.write_text("Journey,Revenue\nA,-1\n")
    bad = run(str(touches), "--conversions", str(deals))
    assert bad.exit_code == 2
    assert f"--conversions {deals}: conversions revenue (row 1) is -1" in bad.stderr

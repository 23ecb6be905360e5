"""``xl-funnel attribute`` reads touches with the one table reader: dates, dialects, mapping."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from xl_funnel.cli import cli

# Day-first dates: 20 February, then 12 March 2026 (20 days later). Read month-first, the
# second would be 3 December 2026 and the Ads touch would age 286 days instead of 20.
MIXED = "Journey;Date;Channel;Revenue\nA;20.02.2026;Ads;1.000,00\nA;12.03.2026;Email;1.000,00\n"


def run(*args: str):
    return CliRunner().invoke(cli, ["attribute", *args])


@pytest.fixture
def mixed(tmp_path):
    path = tmp_path / "touches.csv"
    path.write_text(MIXED, encoding="cp1252")
    return path


def test_ambiguous_dates_without_dayfirst_exit_2_naming_the_row(mixed):
    result = run(str(mixed), "--model", "time_decay", "--decimal", ",")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"Error: {mixed} row 3: time '12.03.2026' could be day 12 of month 3 or month 12, day "
        f"3: add --dayfirst or --monthfirst ({mixed} row 2 has '20.02.2026': did you mean "
        "--dayfirst?)"
    )


def test_dayfirst_gives_the_hand_computed_time_decay_credits(mixed):
    result = run(str(mixed), "--model", "time_decay", "--dayfirst", "--decimal", ",", "--json")
    assert result.exit_code == 0, result.output
    credits = {row["channel"]: row["revenue"] for row in json.loads(result.stdout)["channels"]}
    # Half-life 7 days: the Ads touch, 20 days before the last, weighs 2^(-20/7) = 0.138011;
    # Ads gets 1000 × 0.138011 / 1.138039 = 121.274, Email the rest.
    weight = 2 ** (-20 / 7)
    assert credits["Ads"] == pytest.approx(1000 * weight / (1 + weight), rel=1e-12)
    assert credits["Ads"] == pytest.approx(121.274, abs=5e-4)
    assert credits["Email"] == pytest.approx(878.726, abs=5e-4)


def test_decimal_comma_amounts_need_the_option(mixed):
    result = run(str(mixed), "--dayfirst")
    assert result.exit_code == 2
    assert "row 2: revenue '1.000,00' is not a number: did you mean --decimal ,?" in result.stderr


def test_crm_headers_mapped_and_a_sheet_chosen(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Info"
    book.active.append(["Exported from the CRM"])
    data = book.create_sheet("Touches")
    data.append(["Record ID", "Original Source", "Touch date", "Amount"])
    data.append([1, "Paid search", "2026-01-01", "$10,000"])
    data.append([1, "Email", "2026-01-08", "$10,000"])
    path = tmp_path / "export.xlsx"
    book.save(path)
    mapping = 'journey="Record ID",channel=Original Source,time=Touch date,revenue=Amount'
    result = run(str(path), "--model", "first", "--columns", mapping, "--json")
    assert result.exit_code == 0, result.output
    credits = {row["channel"]: row["revenue"] for row in json.loads(result.stdout)["channels"]}
    assert credits == {"Paid search": 10_000.0, "Email": 0.0}
    missing = run(str(path))
    assert missing.exit_code == 2
    assert "no sheet has the columns journey, channel (sheets: 'Info', 'Touches')" in missing.stderr


def test_a_placeholder_year_is_refused_not_wrapped(tmp_path):
    path = tmp_path / "touches.csv"
    path.write_text("journey,time,channel\nA,2026-01-01,Ads\nA,9999-12-31,Email\n")
    result = run(str(path), "--model", "last")
    assert result.exit_code == 2
    assert f"{path} row 3: time '9999-12-31' is in year 9999" in result.stderr


def test_a_zip_bomb_xlsx_is_refused_with_one_line(tmp_path):
    import zipfile

    from openpyxl import Workbook

    source = tmp_path / "ok.xlsx"
    book = Workbook()
    book.active.append(["journey", "channel"])
    book.save(source)
    bomb = tmp_path / "touches.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = b"\0" * (64 << 20)  # 64 MiB of zeros: ~1000:1, which XML never is
            new.writestr(info.filename, data)
    assert bomb.stat().st_size < 200_000
    result = run(str(bomb))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: {bomb}: part 'xl/worksheets/sheet1.xml' inflates ")
    assert lines[0].endswith("a zip bomb")


def test_fifo_is_refused_without_blocking(tmp_path):
    import os

    fifo = tmp_path / "touches.csv"
    os.mkfifo(fifo)
    result = run(str(fifo))
    assert result.exit_code == 2
    assert "is a FIFO (named pipe), not a regular file" in result.stderr


def test_a_blank_channel_is_named_by_its_row_in_the_file(tmp_path):
    path = tmp_path / "touches.csv"
    path.write_text(
        "Exported touches\n\njourney,time,channel,extra\nA,2026-01-01,Ads,\nA,2026-01-02,,x\n"
    )
    result = run(str(path), "--model", "last")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: {path} row 5: channel is blank: every touch needs a channel"
    )

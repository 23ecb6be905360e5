"""``xl-funnel excel-setup`` writes the add-in's xlwings.conf and prints what is left to do."""

from __future__ import annotations

import errno
import os

import pytest
import xlwings
from click.testing import CliRunner

from xl_funnel.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, ["excel-setup", *args])


def test_workbook_folder_gets_an_xlwings_conf_in_the_add_ins_format(tmp_path):
    result = run("--workbook", str(tmp_path / "plan.xlsm"), "--interpreter", r"C:\py\python.exe")
    assert result.exit_code == 0, result.output
    conf = tmp_path / "xlwings.conf"
    # One "KEY","VALUE" line per setting, CRLF, as the add-in's VBA `Input #` reads it.
    assert conf.read_bytes() == (
        b'"UDF MODULES","xl_funnel.udfs"\r\n"INTERPRETER_WIN","C:\\py\\python.exe"\r\n'
    )
    assert f"Wrote {conf}: UDF Modules = xl_funnel.udfs" in result.output
    assert 'click "Import Functions"' in result.output
    assert "Tools > References" in result.output


def test_existing_settings_and_modules_are_kept(tmp_path):
    conf = tmp_path / "xlwings.conf"
    conf.write_bytes(
        b'"INTERPRETER_WIN","C:\\old\\python.exe"\r\n"Udf Modules","mymodule;other"\r\n'
        b'"SHOW CONSOLE","False"\r\n"UDF MODULES","ignored duplicate"\r\n'
    )
    result = run("--workbook", str(tmp_path / "plan.xlsm"))
    assert result.exit_code == 0, result.output
    expected = (
        b'"INTERPRETER_WIN","C:\\old\\python.exe"\r\n'
        b'"Udf Modules","mymodule;other;xl_funnel.udfs"\r\n'
        b'"SHOW CONSOLE","False"\r\n'
    )
    assert conf.read_bytes() == expected
    # Running it again changes nothing: the module is listed once.
    assert run("--workbook", str(tmp_path / "plan.xlsm")).exit_code == 0
    assert conf.read_bytes() == expected


def test_user_config(tmp_path, monkeypatch):
    user_conf = tmp_path / "home" / ".xlwings" / "xlwings.conf"
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(user_conf))
    result = run("--user")
    assert result.exit_code == 0, result.output
    assert user_conf.read_bytes().startswith(b'"UDF MODULES","xl_funnel.udfs"\r\n')


def test_xlsx_workbook_gets_a_note_about_xlsm(tmp_path):
    result = run("--workbook", str(tmp_path / "plan.xlsx"))
    assert result.exit_code == 0
    assert "Note: plan.xlsx is .xlsx; Excel needs .xlsm for imported functions." in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Error: give exactly one of --workbook PATH or --user"),
        (
            ("--user", "--workbook", "x.xlsm"),
            "Error: give exactly one of --workbook PATH or --user",
        ),
        (("--workbook", "plan.csv"), "Error: --workbook plan.csv: not an Excel workbook"),
        (("--workbook", "no/such/dir/plan.xlsm"), "folder no/such/dir does not exist"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert result.output.count("\n") == 1


def test_a_conf_that_is_not_text_is_refused_untouched(tmp_path):
    conf = tmp_path / "xlwings.conf"
    conf.write_bytes(b"\xff\xfe\x00binary")
    result = run("--workbook", str(tmp_path / "plan.xlsm"))
    assert result.exit_code == 2
    assert f"Error: {conf}: not a text file" in result.output
    assert conf.read_bytes() == b"\xff\xfe\x00binary"


def test_a_failed_write_is_reported_and_leaves_the_old_file(tmp_path, monkeypatch):
    from xl_funnel.cli import excel_setup

    conf = tmp_path / "xlwings.conf"
    conf.write_bytes(b'"SHOW CONSOLE","True"\r\n')

    def disk_full(path, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(excel_setup, "atomic_write_bytes", disk_full)
    result = run("--workbook", str(tmp_path / "plan.xlsm"))
    assert result.exit_code == 2
    assert result.output == f"Error: {conf}: cannot be written (No space left on device)\n"
    assert conf.read_bytes() == b'"SHOW CONSOLE","True"\r\n'

"""``xl-funnel excel-setup`` writes the add-in's xlwings.conf and prints what is left to do."""

from __future__ import annotations

import errno
import os

import pytest
import xlwings
from click.testing import CliRunner

from xl_funnel.cli import cli
from xl_funnel.xlwings_conf import ConfError, conf_values, edit_conf


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


# --- every line xl-funnel does not own is kept byte for byte (issue 14) ---------------------

OTHER_LINES = (
    b'"SHOW CONSOLE","say ""hi"" twice"\r\n'  # doubled quotes: VBA would read `say `
    b"PYTHONPATH,C:\\libs\r\n"  # unquoted
    b'"Conda Path"  ,  "C:\\Program Files\\Miniconda3"\n'  # spaces, LF ending
    b'"NOTE","Caf\xe9 \x80 r\xe9sum\xe9"\r\n'  # Windows-1252: é and the euro sign
)


def test_lines_not_owned_survive_every_run_byte_for_byte(tmp_path):
    conf = tmp_path / "xlwings.conf"
    conf.write_bytes(OTHER_LINES + b'"udf modules","mine"')  # last line without an ending
    for _ in range(3):
        result = run("--workbook", str(tmp_path / "plan.xlsm"), "--interpreter", r"C:\py\p.exe")
        assert result.exit_code == 0, result.output
        assert conf.read_bytes() == (
            OTHER_LINES + b'"udf modules","mine;xl_funnel.udfs"\r\n'
            b'"INTERPRETER_WIN","C:\\py\\p.exe"\r\n'
        )


def test_a_windows_1252_conf_gets_its_values_in_windows_1252(tmp_path):
    conf = tmp_path / "xlwings.conf"
    conf.write_bytes(b'"NOTE","r\xe9sum\xe9"\r\n')
    result = run(
        "--workbook", str(tmp_path / "plan.xlsm"), "--interpreter", "C:\\Users\\José\\p.exe"
    )
    assert result.exit_code == 0, result.output
    assert conf.read_bytes() == (
        b'"NOTE","r\xe9sum\xe9"\r\n"UDF MODULES","xl_funnel.udfs"\r\n'
        b'"INTERPRETER_WIN","C:\\Users\\Jos\xe9\\p.exe"\r\n'
    )
    assert conf_values(conf.read_bytes())["INTERPRETER_WIN"] == "C:\\Users\\José\\p.exe"


@pytest.mark.parametrize("path", ['C:\\py"\\p.exe', "C:\\py\n\\p.exe", "C:\\py\r\\p.exe"])
def test_an_interpreter_the_add_in_could_not_read_back_is_refused(tmp_path, path):
    conf = tmp_path / "xlwings.conf"
    conf.write_bytes(b'"SHOW CONSOLE","False"\r\n')
    result = run("--workbook", str(tmp_path / "plan.xlsm"), "--interpreter", path)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "cannot be written to xlwings.conf" in result.output
    assert conf.read_bytes() == b'"SHOW CONSOLE","False"\r\n'


def test_every_value_written_reads_back_as_the_add_ins_input_statement_reads_it(tmp_path):
    conf = tmp_path / "xlwings.conf"
    conf.write_bytes(b'"UDF Modules","a;b, c"\r\n')
    interpreter = "C:\\Program Files\\Python, 3.11\\python.exe"  # a comma: quoted, kept
    result = run("--workbook", str(tmp_path / "plan.xlsm"), "--interpreter", interpreter)
    assert result.exit_code == 0, result.output
    values = conf_values(conf.read_bytes())
    assert values["UDF MODULES"] == "a;b, c;xl_funnel.udfs"
    assert values["INTERPRETER_WIN"] == interpreter


def test_a_value_that_cannot_be_read_back_is_refused_not_written():
    with pytest.raises(ConfError, match="cannot read back"):
        edit_conf(b"", {"INTERPRETER_WIN": 'a"b'}, set())


def test_a_fifo_as_conf_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "xlwings.conf")
    result = run("--workbook", str(tmp_path / "plan.xlsm"))
    assert result.exit_code == 2
    assert "is a FIFO (named pipe), not a regular file" in result.output

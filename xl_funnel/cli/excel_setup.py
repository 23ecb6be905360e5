"""``xl-funnel excel-setup``: point the classic xlwings add-in at ``xl_funnel.udfs``.

Writes the one setting that can be written from outside Excel, ``UDF Modules``, into an
``xlwings.conf`` file: next to a workbook (``--workbook``: only that folder's workbooks) or in
the user's xlwings configuration (``--user``: every workbook). The file format is the
add-in's: one ``"KEY","VALUE"`` line per setting, read by VBA's ``Input #``; every other line
of the file is kept byte for byte, and other UDF modules already listed stay listed
(:mod:`xl_funnel.xlwings_conf`). Then it prints the steps only Excel can do. See
``docs/excel.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from xl_funnel.atomic import FileBusyError, atomic_write_bytes, locked
from xl_funnel.cli.errors import InputError
from xl_funnel.xlwings_conf import ConfError, conf_values, edit_conf

UDF_MODULE = "xl_funnel.udfs"
UDF_KEY = "UDF MODULES"
INTERPRETER_KEY = "INTERPRETER_WIN"
WORKBOOK_SUFFIXES = (".xlsm", ".xlsb", ".xlam", ".xlsx")
#: An xlwings.conf holds a few settings; anything larger is not one.
MAX_CONF_BYTES = 1024 * 1024

STEPS = """\
Remaining steps (in Excel, once per workbook; details in docs/excel.md):
  1. Install the xlwings add-in, if not yet done:   xlwings addin install
  2. Save the workbook as a macro-enabled workbook (.xlsm).
  3. Open the VBA editor (Alt+F11), Tools > References, tick "xlwings".
  4. Excel Options > Trust Center > Trust Center Settings > Macro Settings:
     tick "Trust access to the VBA project object model".
  5. On the xlwings tab click "Import Functions". =FUNNEL_BACKSOLVE(...) and the other
     functions (xl-funnel functions lists them) now work; their help is under the
     "xl-funnel" category of the Insert Function dialog.
After upgrading xl-funnel (pip install -U xl-funnel), click "Import Functions" again.
"""


def _user_config_file() -> Path:
    import xlwings  # the add-in's own notion of where the user config lives, per platform

    return Path(xlwings.USER_CONFIG_FILE)


def _read_conf(path: Path) -> bytes:
    """The file's bytes (b"" when it does not exist yet); a regular file only."""
    from xl_funnel.input_files import InputFileError, read_input_bytes

    if not path.exists() and not path.is_symlink():
        return b""
    try:
        return read_input_bytes(path, MAX_CONF_BYTES)
    except InputFileError as error:
        raise InputError(f"{path}: {error}") from None


def _target(workbook: Path | None, user: bool) -> Path:
    if user == (workbook is not None):
        raise InputError("give exactly one of --workbook PATH or --user")
    if workbook is None:
        return _user_config_file()
    if workbook.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise InputError(
            f"--workbook {workbook}: not an Excel workbook (expected "
            f"{', '.join(WORKBOOK_SUFFIXES)})"
        )
    if not workbook.parent.is_dir():
        raise InputError(f"--workbook {workbook}: folder {workbook.parent} does not exist")
    return workbook.parent / "xlwings.conf"


@click.command(
    "excel-setup",
    epilog="\b\nExamples:\n"
    "  xl-funnel excel-setup --workbook plans/2027.xlsm    # this workbook's folder\n"
    "  xl-funnel excel-setup --user                        # every workbook of this user",
)
@click.option(
    "--workbook",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Configure the folder of this workbook (writes xlwings.conf beside it).",
)
@click.option("--user", is_flag=True, help="Configure every workbook of this user.")
@click.option(
    "--interpreter",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Python for Excel to run (INTERPRETER_WIN). Default on Windows, if none is set: "
    "this Python.",
)
def excel_setup(workbook: Path | None, user: bool, interpreter: Path | None) -> None:
    """Write the xlwings setting "UDF Modules = xl_funnel.udfs" and print what is left."""
    target = _target(workbook, user)
    if interpreter is not None and any(c in str(interpreter) for c in '"\r\n'):
        raise InputError(
            f"--interpreter {str(interpreter)!r}: a path with a double quote or a line break "
            "cannot be written to xlwings.conf (the add-in could not read it back)"
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with locked(target):  # read, edit and write as one: another writer waits
            old = _read_conf(target)
            settings: dict[str, str] = {UDF_KEY: UDF_MODULE}
            has_interpreter = INTERPRETER_KEY in conf_values(old) if old else False
            if interpreter is None and sys.platform.startswith("win") and not has_interpreter:
                interpreter = Path(sys.executable)  # the Python xl-funnel is installed in
            if interpreter is not None:
                settings[INTERPRETER_KEY] = str(interpreter)
            new = edit_conf(old, settings, merge={UDF_KEY})
            atomic_write_bytes(target, new)
    except ConfError as error:
        raise InputError(f"{target}: {error}") from None
    except FileBusyError as error:
        raise InputError(f"{target}: {error.strerror}") from None
    except OSError as error:
        raise InputError(f"{target}: cannot be written ({error.strerror})") from None
    modules = conf_values(new)[UDF_KEY]
    click.echo(f"Wrote {target}: UDF Modules = {modules}")
    if workbook is not None and workbook.suffix.lower() == ".xlsx":
        click.echo(f"Note: {workbook.name} is .xlsx; Excel needs .xlsm for imported functions.")
    click.echo(STEPS, nl=False)

"""``xl-funnel excel-setup``: point the classic xlwings add-in at ``xl_funnel.udfs``.

Writes the one setting that can be written from outside Excel, ``UDF Modules``, into an
``xlwings.conf`` file: next to a workbook (``--workbook``: only that folder's workbooks) or in
the user's xlwings configuration (``--user``: every workbook). The file format is the
add-in's: one ``"KEY","VALUE"`` line per setting, read by VBA's ``Input #``; other settings in
the file are kept, and other UDF modules already listed stay listed. Then it prints the steps
only Excel can do. See ``docs/excel.md``.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import click

from xl_funnel.atomic import atomic_write_bytes
from xl_funnel.cli.errors import InputError

UDF_MODULE = "xl_funnel.udfs"
UDF_KEY = "UDF MODULES"
INTERPRETER_KEY = "INTERPRETER_WIN"
WORKBOOK_SUFFIXES = (".xlsm", ".xlsb", ".xlam", ".xlsx")

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


def _read_settings(path: Path) -> list[list[str]]:
    """The file's settings as ``[key, value]`` rows (other rows kept as they are)."""
    if not path.exists():
        return []
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file; is it really an xlwings.conf?") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None
    return [row for row in csv.reader(io.StringIO(text)) if row]


def _merge(rows: list[list[str]], key: str, value: str, *, module_list: bool) -> list[list[str]]:
    """Set ``key`` to ``value``; for a module list, add ``value`` to the modules already set."""
    out, found = [], False
    for row in rows:
        if row[0].strip().upper() != key:
            out.append(row)
            continue
        if found:
            continue  # the add-in reads the first entry only: drop duplicates
        found = True
        if module_list and len(row) > 1:
            modules = [module.strip() for module in row[1].split(";") if module.strip()]
            if value not in modules:
                modules.append(value)
            out.append([row[0], ";".join(modules)])
        else:
            out.append([row[0], value])
    if not found:
        out.append([key, value])
    return out


def _render(rows: list[list[str]]) -> bytes:
    lines = [",".join(f'"{field}"' for field in row) for row in rows]
    # CRLF: the file is read by VBA on Windows, where Notepad users edit it too.
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


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
    rows = _merge(_read_settings(target), UDF_KEY, UDF_MODULE, module_list=True)
    has_interpreter = any(row[0].strip().upper() == INTERPRETER_KEY for row in rows)
    if interpreter is None and sys.platform.startswith("win") and not has_interpreter:
        interpreter = Path(sys.executable)  # the Python xl-funnel is installed in
    if interpreter is not None:
        if '"' in str(interpreter):
            raise InputError(f"--interpreter {interpreter}: a path with a double quote")
        rows = _merge(rows, INTERPRETER_KEY, str(interpreter), module_list=False)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, _render(rows))
    except OSError as error:
        raise InputError(f"{target}: cannot be written ({error.strerror})") from None
    modules = next(row[1] for row in rows if row[0].strip().upper() == UDF_KEY)
    click.echo(f"Wrote {target}: UDF Modules = {modules}")
    if workbook is not None and workbook.suffix.lower() == ".xlsx":
        click.echo(f"Note: {workbook.name} is .xlsx; Excel needs .xlsm for imported functions.")
    click.echo(STEPS, nl=False)

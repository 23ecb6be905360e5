"""The worksheets of an .xlsx/.xlsm as rows of cell values, inside recalc's size caps.

The file goes through :func:`xl_funnel.recalc.package.read_package` first: a zip bomb, a part
past the caps of :mod:`xl_funnel.recalc.limits`, an encrypted or old .xls file or an XML part
declaring entities is refused with one line before openpyxl inflates anything, and openpyxl
then reads the very bytes that were checked.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from xl_funnel.io.errors import TableError
from xl_funnel.recalc.limits import DEFAULT_LIMITS, Limits

__all__ = ["sheets_of"]


def sheets_of(
    path: str, source: str, limits: Limits = DEFAULT_LIMITS
) -> dict[str, list[list[Any]]]:
    """Each worksheet's rows (cell values: text, numbers, datetimes, booleans, ``None``)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    from xl_funnel.recalc.errors import WorkbookError
    from xl_funnel.recalc.package import read_package

    try:
        package = read_package(path, limits)
    except WorkbookError as error:
        raise TableError(f"{source}: {error}") from None
    try:
        book = load_workbook(io.BytesIO(package.raw), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise TableError(f"{source}: cannot read it as an .xlsx workbook ({error})") from None
    try:
        return {
            sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets
        }
    except (KeyError, ValueError, TypeError) as error:
        raise TableError(f"{source}: a sheet cannot be read ({error})") from None
    finally:
        book.close()

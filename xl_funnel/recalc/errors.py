"""The one exception the recalculation layer raises for a workbook it will not touch."""

from __future__ import annotations

__all__ = ["WorkbookError"]


class WorkbookError(Exception):
    """The workbook cannot be read or computed safely.

    The message says what is wrong, in one line, without the file name: the command line puts
    the path in front of it (``Error: plan.xlsx: is encrypted with a password: …``).
    """

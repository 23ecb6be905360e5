"""The xlwings UDF module: every xl-funnel Excel function, ready for Excel.

Classic xlwings (Windows): put ``xl_funnel.udfs`` in the add-in's "UDF Modules" and click
"Import Functions" (``xl-funnel excel-setup`` writes the setting; see ``docs/excel.md``).
xlwings Lite: ``from xl_funnel.udfs import *`` in ``main.py`` (``workbooks/lite/main.py``).

The functions are generated from :data:`xl_funnel.excel.registry.FUNCTIONS`: each is a module
attribute named by its Excel name, with the Python signature xlwings reads (argument names,
optional arguments defaulting to ``None``), the summary as its Function Wizard description,
argument help via ``xw.arg(doc=...)`` and the category "xl-funnel". Every argument is read
with ``ndim=2`` (a range always arrives as a list of rows, so a row stays a row) and
``err_to_str=True`` (an ``#N/A`` in an input arrives as the text ``"#N/A"`` and is passed
through, instead of as a blank). They are plain Python functions too:

>>> from xl_funnel import udfs
>>> udfs.FUNNEL_BACKSOLVE(9, [[0.015], [0.2], [0.2], [0.4], [0.5]], periods=12)[-1]
[0.75]
>>> udfs.CHANNEL_ROI(1000, 0)
'#DIV/0!'

This module imports without Excel (xlwings' decorators are no-ops off Windows) and needs only
numpy, pandas and xlwings, so it loads in xlwings Lite (Pyodide) as well.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import xlwings as xw

from xl_funnel.excel.registry import FUNCTIONS, ExcelFunction
from xl_funnel.excel.results import CellValue

__all__ = [spec.name for spec in FUNCTIONS]  # generated from the registry


def _udf(spec: ExcelFunction) -> Callable[..., CellValue]:
    """A function named ``spec.name`` with ``spec``'s arguments, decorated for xlwings."""
    signature = inspect.Signature(
        [
            inspect.Parameter(
                arg.name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=None if arg.optional else inspect.Parameter.empty,
            )
            for arg in spec.args
        ]
    )

    def udf(*args: Any, **kwargs: Any) -> CellValue:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return spec(*bound.args)

    udf.__signature__ = signature  # type: ignore[attr-defined]
    udf.__name__ = udf.__qualname__ = spec.name
    udf.__doc__ = spec.summary
    udf.__module__ = __name__
    udf.__annotations__ = {}
    # xw.arg before xw.func: xw.func then only sets the category on the collected metadata.
    for arg in spec.args:
        udf = xw.arg(arg.name, ndim=2, err_to_str=True, doc=arg.help)(udf)
    return xw.func(category=spec.category)(udf)


globals().update({spec.name: _udf(spec) for spec in FUNCTIONS})

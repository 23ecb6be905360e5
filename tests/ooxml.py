"""``shared/ooxml/validate.py``: would Excel open this workbook without a repair prompt?

The validator (ECMA-376 schemas plus the load rules Excel enforces that no schema states)
lives beside the project in ``../shared/ooxml``. It is loaded once per test process. When it
or ``lxml`` is missing, :func:`problems` raises: a workbook nobody checked is never passed.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

__all__ = ["SPREADSHEET_SUFFIXES", "VALIDATOR", "problems"]

VALIDATOR = Path(__file__).resolve().parents[2] / "shared" / "ooxml" / "validate.py"
#: Files the validator understands; CSV, Parquet and PNG outputs are checked by their own tests.
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")


@cache
def _validator() -> ModuleType:
    if not VALIDATOR.is_file():
        raise FileNotFoundError(f"{VALIDATOR} is missing: clone the project beside ../shared")
    spec = importlib.util.spec_from_file_location("ooxml_validate", VALIDATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def problems(path: str | Path) -> list[str]:
    """Error-level findings for ``path`` (an empty list when Excel would open it cleanly)."""
    report = _validator().validate(str(path))
    return [
        f"{f.layer} {f.part}{f' {f.where}' if f.where else ''}: {f.message}"
        for f in report.findings
        if f.level == "error"
    ]

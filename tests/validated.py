"""Every workbook these tests write must open in Excel without repair (shared/ooxml/validate.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

VALIDATOR = Path(__file__).resolve().parents[2] / "shared" / "ooxml" / "validate.py"


def assert_valid(path: str | Path) -> None:
    """Run the validator on ``path``; fail (never skip) when it is missing or finds an error."""
    assert VALIDATOR.is_file(), f"{VALIDATOR} is missing: clone the project beside ../shared"
    result = subprocess.run(
        [sys.executable, str(VALIDATOR), str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 errors in all" in result.stdout, result.stdout

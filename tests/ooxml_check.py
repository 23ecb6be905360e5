"""Every workbook a test writes must open in Excel without repair: the shared OOXML validator
(``../shared/ooxml/validate.py``, or ``$OOXML_VALIDATE``) checks it. A missing validator fails
the test rather than skipping it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VALIDATOR = Path(os.environ.get("OOXML_VALIDATE", ROOT.parent / "shared" / "ooxml" / "validate.py"))


def assert_valid(*books: Path) -> None:
    """Fail unless every book passes the validator with no error."""
    assert VALIDATOR.is_file(), f"the OOXML validator is missing: {VALIDATOR}"
    result = subprocess.run(
        [sys.executable, str(VALIDATOR), "--quiet", *map(str, books)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
